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
    /// <param name="configure">Configures access: bearer token, read-only mode, CORS origins.</param>
    /// <returns>A builder for conventions such as <c>RequireAuthorization</c>, applied to every pm endpoint.</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not start with '/'.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddProcessList()</c> was not called.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddProcessList();
    /// var app = builder.Build();
    /// app.MapProcessList("/procs").RequireAuthorization("operators");
    /// </code>
    /// </example>
    public static IEndpointConventionBuilder MapProcessList(
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

    internal static IEndpointConventionBuilder MapProcessList(this IEndpointRouteBuilder endpoints, string prefix, ProcessListEndpointOptions options)
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
        // One catch-all: the handler itself parses the raw path, so every id is percent-decoded exactly once.
        group.Map("/{**rest}", handler.HandleAsync);
        return group.WithDisplayName("pm " + prefix);
    }
}
