using Microsoft.Extensions.Hosting;

namespace Pm.AspNetCore.Internal;

/// <summary>Runs a <see cref="ProcessListServer"/> for the lifetime of a host.</summary>
/// <remarks>
/// The listener stops only once every other hosted service has stopped, web servers included: while a host drains
/// the requests still running, operators can still see what holds up the shutdown, and kill it.
/// </remarks>
internal sealed class ProcessListServerHostedService(ProcessList list, ProcessListServerOptions options) : IHostedLifecycleService, IAsyncDisposable
{
    private ProcessListServer? _server;

    public Uri? Address => _server?.Address;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _server = await ProcessListServer.StartAsync(list, options, cancellationToken).ConfigureAwait(false);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
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
