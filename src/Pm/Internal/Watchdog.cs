namespace Pm.Internal;

/// <summary>Looks over a list's running tasks on a timer of its clock, for those that became slow or hung.</summary>
/// <remarks>
/// The timer holds the watchdog, which holds the list only weakly: a list nobody references is collected, and its
/// timer stops at the next tick. Passes never overlap; one that finds nothing allocates nothing.
/// </remarks>
internal sealed class Watchdog : IDisposable
{
    private readonly WeakReference<ProcessList> _list;
    private readonly ITimer _timer;
    private readonly List<TrackedTask> _due = [];
    private int _running;

    public Watchdog(ProcessList list, TimeSpan interval)
    {
        _list = new WeakReference<ProcessList>(list);
        _timer = list.Time.CreateTimer(static state => ((Watchdog)state!).Tick(), this, interval, interval);
    }

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        if (!_list.TryGetTarget(out var list))
        {
            _timer.Dispose();
            return;
        }

        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }

        try
        {
            list.CheckOverdue(_due);
        }
        finally
        {
            _due.Clear();
            Volatile.Write(ref _running, 0);
        }
    }
}
