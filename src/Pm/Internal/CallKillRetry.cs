namespace Pm.Internal;

/// <summary>Runs the kill hooks of a killed task's calls again until they have all ended, every 100 ms for at most 10 s.</summary>
internal sealed class CallKillRetry
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly CallRecord[] _calls;
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private int _left = 100;
    private bool _stopped;

    private CallKillRetry(CallRecord[] calls) => _calls = calls;

    public static void Start(TimeProvider time, CallRecord[] calls)
    {
        var retry = new CallKillRetry(calls);
        var timer = time.CreateTimer(static state => ((CallKillRetry)state!).Tick(), retry, Interval, Interval);
        lock (retry._lock)
        {
            if (retry._stopped)
            {
                timer.Dispose();
            }
            else
            {
                retry._timer = timer;
            }
        }
    }

    private void Tick()
    {
        if (Interlocked.Decrement(ref _left) > 0 && TrackedTask.RunKillHooks(_calls))
        {
            return;
        }

        lock (_lock)
        {
            _stopped = true;
            _timer?.Dispose();
        }
    }
}
