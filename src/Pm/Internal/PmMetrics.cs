using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Pm.Internal;

/// <summary>Owns the instruments of one list's <c>Pm</c> meter.</summary>
internal sealed class PmMetrics : IDisposable
{
    public const string MeterName = "Pm";

    private static readonly KeyValuePair<string, object?> Ended = new("pm.task.outcome", "ended");
    private static readonly KeyValuePair<string, object?> Killed = new("pm.task.outcome", "killed");
    private static readonly KeyValuePair<string, object?> Aborted = new("pm.task.outcome", "aborted");
    private static readonly KeyValuePair<string, object?> KillOk = new("pm.kill.result", "killed");
    private static readonly KeyValuePair<string, object?> KillNotFound = new("pm.kill.result", "not_found");
    private static readonly KeyValuePair<string, object?> KillForbidden = new("pm.kill.result", "forbidden");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _finished;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToHonour;
    private readonly Counter<long> _killRequests;
    private readonly Counter<long> _slow;
    private readonly Counter<long> _hung;
    private readonly Counter<long> _deadlineExceeded;

    public PmMetrics(IMeterFactory? factory, Func<long> running)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableUpDownCounter("pm.tasks.active", running, "{task}", "Number of tasks running now.");
        _started = _meter.CreateCounter<long>("pm.tasks.started", "{task}", "Number of tasks started.");
        _finished = _meter.CreateCounter<long>("pm.tasks.finished", "{task}", "Number of tasks finished, by outcome.");
        _duration = _meter.CreateHistogram<double>("pm.task.duration", "s", "Duration of finished tasks, by outcome.");
        _timeToHonour = _meter.CreateHistogram<double>("pm.task.kill.time_to_honour", "s", "Time from the kill request to the end of killed tasks.");
        _killRequests = _meter.CreateCounter<long>("pm.kill.requests", "{request}", "Number of kill requests, by result.");
        _slow = _meter.CreateCounter<long>("pm.tasks.slow", "{task}", "Number of tasks that ran past their slow threshold.");
        _hung = _meter.CreateCounter<long>("pm.tasks.hung", "{task}", "Number of tasks that ran past their hung threshold.");
        _deadlineExceeded = _meter.CreateCounter<long>("pm.tasks.deadline_exceeded", "{task}", "Number of tasks killed for running past their deadline.");
    }

    public void Started()
    {
        if (_started.Enabled)
        {
            _started.Add(1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finished(TaskOutcome outcome, long durationTicks)
    {
        if (_finished.Enabled || _duration.Enabled)
        {
            Record(outcome, durationTicks);
        }
    }

    public void Honoured(long ticksSinceKill) => _timeToHonour.Record(ticksSinceKill / (double)TimeSpan.TicksPerSecond);

    public void KillRequested(KillResult result) => _killRequests.Add(1, result switch
    {
        KillResult.Requested => KillOk,
        KillResult.NotFound => KillNotFound,
        _ => KillForbidden,
    });

    public void Overdue(bool hung) => (hung ? _hung : _slow).Add(1);

    public void DeadlineExceeded() => _deadlineExceeded.Add(1);

    private void Record(TaskOutcome outcome, long durationTicks)
    {
        var tag = outcome switch
        {
            TaskOutcome.Ended => Ended,
            TaskOutcome.Killed => Killed,
            _ => Aborted,
        };
        _finished.Add(1, tag);
        _duration.Record(durationTicks / (double)TimeSpan.TicksPerSecond, tag);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
