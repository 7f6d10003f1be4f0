using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pm.AspNetCore.Internal;

/// <summary>Cuts off the tracked requests still running shortly before the host's shutdown timeout, so a shutdown never overruns it.</summary>
/// <remarks>
/// <para>
/// At the timeout the server aborts the connections still open and then waits for their handlers once more; thousands
/// of handlers, or one that ignores every token, make the process end well after its timeout. So the cut-off comes
/// first, at the timeout less a quarter of it (at most two seconds), counted from the moment the application starts
/// stopping — on a loaded machine with two cores, 2,000 requests cut off take up to a second to unwind: each tracked request still running has its connection closed (its token falls, as when a client leaves),
/// and its handler is no longer waited for — abandoned, whether or not its task accepts kills; its task ends
/// <c>aborted</c>.
/// </para>
/// <para>One warning says how many were abandoned and how many of them refuse kills: one line, however many requests.</para>
/// </remarks>
internal sealed partial class ShutdownCutoff : IDisposable
{
    private static readonly TimeSpan MaxLead = TimeSpan.FromSeconds(2);
    private const int Partitions = 16;

    // One token source per partition of the threads: every request registers on one, and a single source shared by
    // all would make each request take the same lock and move the same cache line between cores.
    private readonly CancellationTokenSource[] _cuts = [.. Enumerable.Range(0, Partitions).Select(_ => new CancellationTokenSource())];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenRegistration _stopping;
    private ITimer? _timer;
    private int _abandoned;
    private int _refusingKills;

    public ShutdownCutoff(TimeSpan shutdownTimeout, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        _time = time;
        _logger = logger;
        _timeout = shutdownTimeout;
        if (shutdownTimeout > TimeSpan.Zero && shutdownTimeout != Timeout.InfiniteTimeSpan && shutdownTimeout < TimeSpan.FromDays(1))
        {
            _stopping = stopping.UnsafeRegister(static state => ((ShutdownCutoff)state!).OnStopping(), this);
        }
    }

    /// <summary>Gets the token that falls at the cut-off: each request's callback counts it and closes its connection.</summary>
    public CancellationToken Token => _cuts[Environment.CurrentManagedThreadId & (Partitions - 1)].Token;

    /// <summary>Counts a request cut off and abandoned.</summary>
    public void Abandoned(bool refusesKills)
    {
        Interlocked.Increment(ref _abandoned);
        if (refusesKills)
        {
            Interlocked.Increment(ref _refusingKills);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _timer?.Dispose();
        foreach (var cut in _cuts)
        {
            cut.Dispose();
        }
    }

    private void OnStopping()
    {
        var lead = _timeout / 4 < MaxLead ? _timeout / 4 : MaxLead;
        _timer = _time.CreateTimer(static state => ((ShutdownCutoff)state!).Cut(), this, _timeout - lead, Timeout.InfiniteTimeSpan);
    }

    private void Cut()
    {
        // Every request's callback runs within Cancel, so the counts are whole when the last returns.
        try
        {
            foreach (var cut in _cuts)
            {
                cut.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        if (_abandoned > 0)
        {
            var seconds = _timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            Log(_logger, _abandoned, _refusingKills, seconds);
        }
    }

    [LoggerMessage(EventId = 9, EventName = "ShutdownAbandoned", Level = LogLevel.Warning,
        Message = "Shutdown: {Count} tracked requests still running near the {Timeout} s shutdown timeout were cut off and abandoned, {RefusingKills} of them refusing kills")]
    private static partial void Log(ILogger logger, int count, int refusingKills, string timeout);
}
