using Microsoft.Extensions.Hosting;

namespace Pm.AspNetCore.Internal;

/// <summary>The standalone listener's host lifetime: it registers no signal or console handler.</summary>
/// <remarks>
/// The generic host's default lifetime takes over Ctrl+C and SIGTERM to stop its own application, which would keep the
/// program that started the listener from ending on them. The listener stops when its owner stops it.
/// </remarks>
internal sealed class ListenerLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
