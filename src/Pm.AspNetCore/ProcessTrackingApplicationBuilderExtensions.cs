using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pm;
using Pm.AspNetCore;
using Pm.AspNetCore.Internal;
using Pm.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds request tracking to an application's pipeline.</summary>
public static class ProcessTrackingApplicationBuilderExtensions
{
    /// <summary>Tracks every request as a task with the attributes <c>method</c>, <c>uri</c>, <c>host</c> and, when tracing, <c>traceId</c>.</summary>
    /// <param name="app">The application.</param>
    /// <param name="configure">Configures excluded paths, ids, task options and the kill grace period.</param>
    /// <returns>The application.</returns>
    /// <remarks>
    /// <para>
    /// A handler reaches its task with <c>HttpContext.GetTrackedTask()</c>. The request's
    /// <see cref="Http.HttpContext.RequestAborted"/> becomes the task's token, so a kill cancels every call the
    /// handler awaits with it; a client disconnect still cancels it too, and such a request ends <c>aborted</c>.
    /// A request killed before its response started is answered with <see cref="ProcessTrackingOptions.KilledStatusCode"/>.
    /// </para>
    /// <para>Requests to the paths of <c>MapProcessList</c> are not tracked.</para>
    /// <para>
    /// A shutdown never overruns the host's <see cref="HostOptions.ShutdownTimeout"/> for tracked requests: those still
    /// running shortly before it (a quarter of it, at most two seconds) have their connections closed and their handlers
    /// abandoned, tasks that refuse kills included; one warning gives their count.
    /// </para>
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>services.AddProcessList()</c> was not called.</exception>
    public static IApplicationBuilder UseProcessTracking(this IApplicationBuilder app, Action<ProcessTrackingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var list = services.GetService<ProcessList>()
            ?? throw new InvalidOperationException(
                "No ProcessList is registered. Call services.AddProcessList() before app.UseProcessTracking().");
        var options = new ProcessTrackingOptions();
        configure?.Invoke(options);
        var prefixes = services.GetService<ProcessListPrefixes>() ?? new ProcessListPrefixes();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var cutoff = new ShutdownCutoff(
            services.GetService<IOptions<HostOptions>>()?.Value.ShutdownTimeout ?? Timeout.InfiniteTimeSpan,
            time,
            services.GetService<ILoggerFactory>()?.CreateLogger(PmLog.Category) ?? NullLogger.Instance,
            services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None);
        return app.UseMiddleware<ProcessTrackingMiddleware>(list, options, prefixes, time, cutoff);
    }
}
