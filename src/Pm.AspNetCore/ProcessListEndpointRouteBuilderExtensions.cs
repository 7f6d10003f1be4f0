using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pm;
using Pm.AspNetCore;
using Pm.AspNetCore.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the pm HTTP interface into an application's endpoints.</summary>
public static class ProcessListEndpointRouteBuilderExtensions
{
    /// <summary>Maps the pm HTTP interface — list, history, kill, and their extensions — under <paramref name="prefix"/>.</summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="prefix">The path prefix; the Go servers use <c>/procs</c>.</param>
    /// <param name="configure">Configures the interface: read-only mode, the dashboard, limits of the live stream.</param>
    /// <returns>
    /// A builder for conventions such as <c>RequireAuthorization</c>, applied to every pm endpoint; its
    /// <see cref="ProcessListEndpointConventionBuilder.Kills"/> takes conventions for kill requests alone.
    /// </returns>
    /// <remarks>
    /// Each verb is an endpoint of its own, so the application's authentication, authorization and CORS apply to them
    /// as to any other endpoint.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not start with '/'.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddProcessList()</c> was not called.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddProcessList();
    /// var app = builder.Build();
    /// app.MapProcessList("/procs").RequireAuthorization("operators").Kills.RequireAuthorization("incident-leads");
    /// </code>
    /// </example>
    public static ProcessListEndpointConventionBuilder MapProcessList(
        this IEndpointRouteBuilder endpoints,
        string prefix = "/procs",
        Action<ProcessListEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var options = new ProcessListEndpointOptions();
        configure?.Invoke(options);
        return endpoints.MapProcessList(prefix, options);
    }

    internal static ProcessListEndpointConventionBuilder MapProcessList(this IEndpointRouteBuilder endpoints, string prefix, ProcessListEndpointOptions options)
    {
        if (prefix[0] != '/')
        {
            throw new ArgumentException("The prefix must start with '/'.", nameof(prefix));
        }

        var services = endpoints.ServiceProvider;
        var list = services.GetService<ProcessList>()
            ?? throw new InvalidOperationException(
                "No ProcessList is registered. Call services.AddProcessList() before app.MapProcessList().");
        prefix = prefix.TrimEnd('/');
        services.GetService<ProcessListPrefixes>()?.Add(prefix);
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        var handler = new ProcessListHandler(list, options, services.GetService<TimeProvider>() ?? TimeProvider.System, prefix, stopping);
        var group = endpoints.MapGroup(prefix.Length == 0 ? "/" : prefix);

        // The analyzer sees overlapping patterns; routing tells them apart by method, and ranks the catch-all last.
#pragma warning disable ASP0022
        string[] reading = [HttpMethods.Get, HttpMethods.Head];
        var name = "pm " + (prefix.Length == 0 ? "/" : prefix);
        var reads = new ConventionBuilders(
            group.MapMethods("/", reading, (RequestDelegate)handler.ListAsync).WithDisplayName(name + " list"),
            group.MapMethods("/{id}", reading, (RequestDelegate)handler.TaskAsync).WithDisplayName(name + " task"),
            group.MapMethods("/{id}/history", reading, (RequestDelegate)handler.HistoryAsync).WithDisplayName(name + " history"));
        var kills = group.MapDelete("/{id}", (RequestDelegate)handler.KillAsync).WithDisplayName(name + " kill");

        // Preflights, wrong methods and unknown paths: answered as the Go server does, and open to all, since they
        // carry no data and a browser's preflight carries no credentials.
        group.Map("/{**rest}", (RequestDelegate)handler.OtherAsync).WithDisplayName(name + " other").AllowAnonymous();
#pragma warning restore ASP0022
        return new ProcessListEndpointConventionBuilder(group, reads, kills);
    }
}
