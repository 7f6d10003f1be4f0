using Microsoft.Extensions.Hosting;

namespace Pm.AspNetCore.Internal;

/// <summary>Runs a <see cref="ProcessListServer"/> for the lifetime of a host.</summary>
internal sealed class ProcessListServerHostedService(ProcessList list, ProcessListServerOptions options) : IHostedService, IAsyncDisposable
{
    private ProcessListServer? _server;

    public Uri? Address => _server?.Address;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _server = await ProcessListServer.StartAsync(list, options, cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
