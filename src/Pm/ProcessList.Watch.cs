using Microsoft.Extensions.Logging;
using Pm.Internal;

namespace Pm;

public sealed partial class ProcessList
{
    /// <summary>The request of every deadline kill; told apart from an operator's by reference.</summary>
    private static readonly KillRequest DeadlineRequest = new("deadline exceeded");

    /// <summary>
    /// How many tasks one pass reports at most. A stall that makes every task slow at once then spreads its log lines
    /// and live-stream updates over the following passes instead of sending them in one burst.
    /// </summary>
    internal const int MaxReportsPerPass = 1000;

    /// <summary>Reports the tasks that crossed their slow or hung threshold since the last pass; the watchdog's pass.</summary>
    /// <param name="due">A list to collect them in, empty, reused from pass to pass.</param>
    internal void CheckOverdue(List<TrackedTask> due)
    {
        if (_disposed)
        {
            return;
        }

        var now = NowTicks();
        foreach (var stripe in _stripes)
        {
            stripe.CollectOverdue(now, due);
        }

        var reported = 0;
        foreach (var task in due)
        {
            if (reported == MaxReportsPerPass)
            {
                break;
            }

            if (task.Escalate(now) is { } kind)
            {
                ReportOverdue(task, kind, now);
                reported++;
            }
        }
    }

    private void ReportOverdue(TrackedTask task, TaskEventKind kind, long now)
    {
        var hung = kind == TaskEventKind.Hung;
        _metrics.Overdue(hung);
        if (_logger.IsEnabled(hung ? LogLevel.Error : LogLevel.Warning))
        {
            var age = Durations.Format(TimeSpan.FromTicks(now - task.StartTicks));
            var breakdown = task.DescribeTime(now);
            if (hung)
            {
                PmLog.TaskHung(_logger, task.Id, task.Summary, age, breakdown);
            }
            else
            {
                PmLog.TaskSlow(_logger, task.Id, task.Summary, age, breakdown);
            }
        }

        if (HasObservers)
        {
            Publish(kind, task.Id, now, hung ? "hung" : "slow");
        }
    }

    /// <summary>Kills a task whose deadline passed, as an operator's kill would, and says where its time went.</summary>
    internal void OnDeadlineExceeded(TrackedTask task, long now)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            var age = Durations.Format(TimeSpan.FromTicks(now - task.StartTicks));
            var breakdown = task.DescribeTime(now);
            var forbidden = task.KillRequest is null && task.ForbidsKill;
            if (forbidden)
            {
                PmLog.DeadlineRefused(_logger, task.Id, task.Summary, age, breakdown);
            }
            else
            {
                PmLog.DeadlineExceeded(_logger, task.Id, task.Summary, age, breakdown);
            }
        }

        var result = task.RequestKill(DeadlineRequest);
        _metrics.KillRequested(result);
        if (result == KillResult.Requested)
        {
            _metrics.DeadlineExceeded();
        }
    }

    /// <summary>Logs an accepted kill or abort request; deadline kills are logged by <see cref="OnDeadlineExceeded"/>.</summary>
    internal void OnKillRequested(TrackedTask task, KillRequest request, long ticks, bool abort)
    {
        if (ReferenceEquals(request, DeadlineRequest) || !_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var age = Durations.Format(TimeSpan.FromTicks(ticks - task.StartTicks));
        if (abort)
        {
            PmLog.AbortRequested(_logger, task.Id, task.Summary, age, PmLog.Requester(request), PmLog.Message(request));
        }
        else
        {
            PmLog.KillRequested(_logger, task.Id, task.Summary, age, PmLog.Requester(request), PmLog.Message(request));
        }
    }

    // Once per task: an operator (or a script) that keeps asking must not turn each refusal into a log line.
    private void OnKillRefused(TrackedTask task, KillRequest request)
    {
        if (!_logger.IsEnabled(LogLevel.Information) || !task.MarkKillRefusalReported())
        {
            return;
        }

        var requester = PmLog.Requester(request);
        var message = PmLog.Message(request);
        PmLog.KillRefused(_logger, task.Id, task.Summary, requester, message);
    }

    private void OnKilledTaskFinished(TrackedTask task, TaskOutcome outcome, long requestTicks)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            var outcomeText = outcome switch
            {
                TaskOutcome.Killed => "killed",
                TaskOutcome.Aborted => "aborted",
                _ => "normally",
            };
            PmLog.KillOutcome(_logger, task.Id, task.Summary, outcomeText, Durations.Format(TimeSpan.FromTicks(Math.Max(0, task.EndTicks - requestTicks))));
        }
    }
}
