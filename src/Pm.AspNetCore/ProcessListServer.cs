using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pm.AspNetCore.Internal;

namespace Pm.AspNetCore;

/// <summary>Serves the pm HTTP interface of a <see cref="ProcessList"/> on a listener of its own, from any .NET program.</summary>
/// <remarks>
/// The counterpart of Go's <c>pm.ListenAndServe(":8081")</c>: a small Kestrel server, started and stopped in code,
/// bound to loopback unless told otherwise. Disposing it stops it.
/// </remarks>
/// <example>
/// <code>
/// await using var server = await ProcessListServer.StartAsync(ProcessList.Default);
/// Console.WriteLine($"pm on {server.Address}procs/");
/// </code>
/// </example>
public sealed class ProcessListServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private ProcessListServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Gets the address the server listens on, with the port it actually bound.</summary>
    public Uri Address { get; }

    /// <summary>Starts a server for <paramref name="list"/>.</summary>
    /// <param name="list">The list to serve.</param>
    /// <param name="options">The server's options; <see langword="null"/> for <c>http://127.0.0.1:8081/procs</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="list"/> is <see langword="null"/>.</exception>
    /// <exception cref="IOException">The address is in use.</exception>
    public static async Task<ProcessListServer> StartAsync(ProcessList list, ProcessListServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        options ??= new ProcessListServerOptions();
        var url = new Uri(options.Url);

        // An empty builder reads no configuration, so the host application's settings cannot rebind this listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(ProcessListServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (url.Host is "localhost")
            {
                kestrel.ListenLocalhost(url.Port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port);
            }
        });
        builder.Services.AddSingleton<IHostLifetime, ListenerLifetime>();
        builder.Services.AddRoutingCore();
        builder.Services.AddProcessList(list);
        var app = builder.Build();
        app.Use(new ListenerAccess(options).InvokeAsync);
        var endpoint = options.Endpoint;
        if (endpoint.EnableDashboard)
        {
            // The listener's root is the dashboard.
            var dashboard = options.Prefix.TrimEnd('/') + "/?view=ui";
            app.MapGet("/", (HttpContext context) => context.Response.Redirect(dashboard));
        }

        app.MapProcessList(options.Prefix, endpoint);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal) + "/");
        if (options.AccessToken is null && !IsLoopback(url))
        {
            options.LoggerFactory?.CreateLogger<ProcessListServer>().LogWarning(
                "The pm interface on {Url}{Prefix} is reachable from other hosts and has no access token: anyone who can connect can list the running tasks{Kills}. Set ProcessListServerOptions.AccessToken, or listen on 127.0.0.1.",
                url.GetLeftPart(UriPartial.Authority),
                options.Prefix,
                endpoint.ReadOnly ? " (kills are refused: the interface is read-only)" : " and kill them");
        }

        return new ProcessListServer(app, address);
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Stops the server; requests still running, such as live streams, are cut off when the token is cancelled.</summary>
    /// <param name="cancellationToken">Ends the graceful stop.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
