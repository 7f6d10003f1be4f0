using System.Globalization;
using Pm.Internal;

namespace Pm;

public sealed partial class TrackedTask
{
    /// <summary>Gets when the task will be killed for exceeding its deadline, or <see langword="null"/> without one.</summary>
    /// <remarks>Set at the start from <see cref="TaskOptions.Deadline"/>; moved by <see cref="SetDeadline"/>.</remarks>
    public DateTimeOffset? Deadline
    {
        get
        {
            SpinGate.Enter(ref _gate);
            var ticks = _cancel?.DeadlineTicks ?? 0;
            SpinGate.Exit(ref _gate);
            return ticks == 0 ? null : ToTime(ticks);
        }
    }

    /// <summary>Sets the deadline to <paramref name="timeout"/> from now, by the list's clock, or removes it.</summary>
    /// <param name="timeout">How long the task may still run; <see langword="null"/> removes the deadline.</param>
    /// <remarks>
    /// When the deadline passes, the task is killed with the message <c>deadline exceeded</c>, as an operator's kill
    /// would be: recorded in the history, logged, counted in <c>pm.tasks.deadline_exceeded</c>. Does nothing once the task
    /// has ended.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public void SetDeadline(TimeSpan? timeout)
    {
        if (timeout is { } span)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(span, TimeSpan.Zero, nameof(timeout));
        }

        ScheduleDeadline(timeout);
    }

    /// <summary>Records how far the task has come and then, if a kill was requested, raises the cancellation.</summary>
    /// <param name="done">The units done so far.</param>
    /// <param name="total">The units to do, when known; listings then show the fraction and an estimate of the time left.</param>
    /// <param name="unit">What is counted, such as <c>rows</c> or <c>bytes</c>; optional, at most 32 characters.</param>
    /// <remarks>
    /// Cheap enough to call for every unit: listings read the latest report, while the history records it at most once a
    /// second (and when <paramref name="done"/> reaches <paramref name="total"/>), as a <c>progress</c> entry.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="done"/> or <paramref name="total"/> is negative, or <paramref name="done"/> exceeds <paramref name="total"/>.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="unit"/> is empty or longer than 32 characters.</exception>
    /// <exception cref="TaskKilledException">A kill of this task was requested.</exception>
    /// <exception cref="OperationCanceledException">The token linked at start was cancelled.</exception>
    public void ReportProgress(long done, long? total = null, string? unit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(done);
        if (total is { } all)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(all, nameof(total));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(done, all);
        }

        if (unit is not null && (unit.Length == 0 || unit.Length > 32))
        {
            throw new ArgumentException("A unit has 1 to 32 characters.", nameof(unit));
        }

        var ticks = _list.NowTicks();
        string? entry = null;
        TaskFlags flags;
        SpinGate.Enter(ref _gate);
        try
        {
            flags = (TaskFlags)_flags;
            if ((flags & TaskFlags.Finished) == 0)
            {
                var extras = _cancel ??= new CancelState();
                var due = !extras.HasProgress
                    || ticks - extras.EntryTicks >= TimeSpan.TicksPerSecond
                    || (done == total && extras.Done != done);
                if (!extras.HasProgress)
                {
                    extras.HasProgress = true;
                    extras.FirstTicks = ticks;
                    extras.FirstDone = done;
                }

                extras.Done = done;
                extras.Total = total;
                extras.Unit = unit;
                extras.LastTicks = ticks;
                if (due)
                {
                    extras.EntryTicks = ticks;
                    entry = ProgressText(done, total, unit);
                    _history.Append(ticks, entry, _options.HistoryLimit, CallRecord.Progress);
                }
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        // Subscribers hear of it with the history, at most once a second: a live view needs no more.
        if (entry is not null && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Progress, Id, ticks, entry);
        }

        ThrowIfCancelled(flags);
    }

    /// <summary>Gets a value indicating whether the watchdog has something to report about this task at <paramref name="nowTicks"/>.</summary>
    /// <remarks>Runs under the stripe's gate for every running task: reads only fields that need no gate of the task's own.</remarks>
    internal bool IsOverdue(long nowTicks)
    {
        var flags = Flags;
        if ((flags & (TaskFlags.Finished | TaskFlags.Hung)) != 0)
        {
            return false;
        }

        var age = nowTicks - _startTicks;
        return (_options.HungAfter is { } hung && age >= hung.Ticks)
            || ((flags & TaskFlags.Slow) == 0 && _options.SlowAfter is { } slow && age >= slow.Ticks);
    }

    /// <summary>Marks the task slow or hung if it crossed the threshold since the last look; what it became, if anything.</summary>
    /// <remarks>A task that crosses both at once is reported hung only.</remarks>
    internal TaskEventKind? Escalate(long nowTicks)
    {
        var age = nowTicks - _startTicks;
        SpinGate.Enter(ref _gate);
        try
        {
            var flags = (TaskFlags)_flags;
            if ((flags & (TaskFlags.Finished | TaskFlags.Hung)) != 0)
            {
                return null;
            }

            if (_options.HungAfter is { } hung && age >= hung.Ticks)
            {
                _flags = (int)(flags | TaskFlags.Slow | TaskFlags.Hung);
                return TaskEventKind.Hung;
            }

            if ((flags & TaskFlags.Slow) == 0 && _options.SlowAfter is { } slow && age >= slow.Ticks)
            {
                _flags = (int)(flags | TaskFlags.Slow);
                return TaskEventKind.Slow;
            }

            return null;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }
    }

    /// <summary>Tells where the task's time went, largest first: its own statuses (less the time its calls cover) and its calls.</summary>
    internal string DescribeTime(long nowTicks)
    {
        StatusEntry[] entries;
        CallRecord[] inFlight;
        SpinGate.Enter(ref _gate);
        try
        {
            entries = new StatusEntry[_history.Count];
            _history.CopyTo(entries, _options.HistoryLimit);
            inFlight = _callCount == 0 ? [] : [.. _calls!.AsSpan(0, _callCount)!];
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        return TimeBreakdown.Describe(_startTicks, entries, inFlight, nowTicks);
    }

    /// <summary>Gets the latest progress, with the time left at the rate so far; under the task's gate.</summary>
    private TaskProgress? ProgressUnderGate()
    {
        if (_cancel is not { HasProgress: true } x)
        {
            return null;
        }

        TimeSpan? remaining = null;
        if (x.Total is { } total)
        {
            var (originTicks, originDone) = x.Done > x.FirstDone ? (x.FirstTicks, x.FirstDone) : (_startTicks, 0L);
            if (x.Done == total)
            {
                remaining = TimeSpan.Zero;
            }
            else if (x.Done > originDone && x.LastTicks > originTicks)
            {
                var ticksPerUnit = (double)(x.LastTicks - originTicks) / (x.Done - originDone);
                remaining = TimeSpan.FromTicks((long)Math.Min(ticksPerUnit * (total - x.Done), TimeSpan.MaxValue.Ticks / 2));
            }
        }

        return new TaskProgress(x.Done, x.Total, x.Unit, remaining);
    }

    private static string ProgressText(long done, long? total, string? unit)
    {
        var units = unit is null ? string.Empty : " " + unit;
        return total is { } all
            ? string.Create(CultureInfo.InvariantCulture, $"progress {done:N0} of {all:N0}{units} ({(all == 0 ? 100 : 100.0 * done / all):0.#}%)")
            : string.Create(CultureInfo.InvariantCulture, $"progress {done:N0}{units}");
    }

    /// <summary>Arms the deadline <paramref name="timeout"/> from now, or removes it; at the start, from the task's options.</summary>
    internal void ScheduleDeadline(TimeSpan? timeout)
    {
        var now = _list.NowTicks();
        ITimer? timer;
        SpinGate.Enter(ref _gate);
        try
        {
            if (((TaskFlags)_flags & TaskFlags.Finished) != 0 || (timeout is null && _cancel is null))
            {
                return;
            }

            var extras = _cancel ??= new CancelState();
            extras.DeadlineTicks = timeout is { } span ? now + span.Ticks : 0;
            timer = extras.DeadlineTimer;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        if (timer is not null)
        {
            Rearm(timer, timeout ?? Timeout.InfiniteTimeSpan);
            return;
        }

        if (timeout is null)
        {
            return;
        }

        // Created outside the gate, since a timer runs foreign code of the clock; installed only if the task still runs
        // and no other call installed one meanwhile.
        timer = _list.Time.CreateTimer(static state => ((TrackedTask)state!).OnDeadline(), this, timeout.Value, Timeout.InfiniteTimeSpan);
        var installed = false;
        SpinGate.Enter(ref _gate);
        if (((TaskFlags)_flags & TaskFlags.Finished) == 0 && _cancel!.DeadlineTimer is null)
        {
            _cancel.DeadlineTimer = timer;
            installed = true;
        }

        SpinGate.Exit(ref _gate);
        if (!installed)
        {
            timer.Dispose();
            ScheduleDeadline(timeout);
        }
    }

    private void OnDeadline()
    {
        var now = _list.NowTicks();
        SpinGate.Enter(ref _gate);
        var deadline = _cancel?.DeadlineTicks ?? 0;
        var timer = _cancel?.DeadlineTimer;
        var finished = ((TaskFlags)_flags & TaskFlags.Finished) != 0;
        SpinGate.Exit(ref _gate);
        if (finished || deadline == 0)
        {
            return;
        }

        if (now >= deadline)
        {
            _list.OnDeadlineExceeded(this, now);
        }
        else if (timer is not null)
        {
            // Early by the clock: a timer counts on the monotonic clock, the deadline on the list's wall clock, and
            // the two drift apart by milliseconds; or the deadline moved later meanwhile. Wait for the rest.
            Rearm(timer, TimeSpan.FromTicks(Math.Max(deadline - now, TimeSpan.TicksPerMillisecond)));
        }
    }

    /// <summary>Stops the deadline's timer once the task has ended; called after the end, outside the gate.</summary>
    private void StopDeadline()
    {
        SpinGate.Enter(ref _gate);
        var timer = _cancel?.DeadlineTimer;
        SpinGate.Exit(ref _gate);
        timer?.Dispose();
    }

    private static void Rearm(ITimer timer, TimeSpan dueTime)
    {
        try
        {
            timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The task ended meanwhile, and its end stopped the timer.
        }
    }
}
