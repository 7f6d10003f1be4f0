using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pm.AspNetCore.Internal;

namespace Pm.Cli.Web;

/// <summary>
/// <c>pm web</c>'s server: the dashboard of a whole fleet on a local port, fanning out from the tool to every endpoint,
/// so the servers' token stays in the tool and the page needs no CORS.
/// </summary>
internal sealed class FleetServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FleetMonitor _monitor;
    private int _stopped;

    private FleetServer(WebApplication app, FleetMonitor monitor, Uri address)
    {
        _app = app;
        _monitor = monitor;
        Address = address;
    }

    /// <summary>Gets the address the page is served on, with the port actually bound.</summary>
    public Uri Address { get; }

    /// <summary>Gets the watched endpoints.</summary>
    public FleetMonitor Monitor => _monitor;

    /// <summary>Starts watching the endpoints that <paramref name="discover"/> lists, and serves the page.</summary>
    /// <param name="discover">Lists the endpoints; called at start and then every <see cref="FleetOptions.DiscoveryInterval"/>.</param>
    /// <param name="options">How to listen and watch.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">The listener is not loopback and there is no page token.</exception>
    /// <exception cref="IOException">The address is in use.</exception>
    public static async Task<FleetServer> StartAsync(
        Func<CancellationToken, Task<IReadOnlyList<Endpoint>>> discover, FleetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discover);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsLoopback && string.IsNullOrEmpty(options.PageToken))
        {
            throw new InvalidOperationException(
                $"{options.Listen} is reachable from other hosts: give the page a token with --page-token (or PM_WEB_TOKEN), or listen on 127.0.0.1.");
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(FleetServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (options.ListenLocalhost)
            {
                kestrel.ListenLocalhost(options.Listen.Port);
            }
            else
            {
                kestrel.Listen(options.Listen);
            }
        });
        // The command owns Ctrl+C and SIGTERM; the host must not take them over.
        builder.Services.AddSingleton<IHostLifetime, ListenerLifetime>();
        // The page reads the whole fleet every second (1.7 MB for 10,000 tasks): gzip makes it 220 KB.
        builder.Services.AddResponseCompression(o => o.Providers.Add<GzipCompressionProvider>());
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        var app = builder.Build();
        var monitor = new FleetMonitor(discover, options);
        try
        {
            app.Use(new PageAccess(options).InvokeAsync);
            app.UseResponseCompression();
            app.Run(new FleetRoutes(monitor, options).InvokeAsync);
            await monitor.StartAsync(cancellationToken).ConfigureAwait(false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FleetServer(app, monitor, new Uri(bound + "/"));
    }

    /// <summary>Stops serving and watching; the page's requests are short, so this takes at most two seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        await _monitor.DisposeAsync().ConfigureAwait(false);
    }
}
