using System.Text;
using Pm.Internal;

namespace Pm;

public sealed partial class TrackedTask
{
    /// <summary>How many in-flight calls the listed status names before it only counts the rest.</summary>
    private const int ListedCalls = 3;

    private static readonly AsyncLocal<TrackedTask?> CurrentTask = new();

    private CallRecord?[]? _calls;
    private int _callCount;
    private Exception? _killedCallFailure;

    /// <summary>Gets the task the calling code runs in, or <see langword="null"/> outside any.</summary>
    /// <remarks>
    /// The current task flows with the <see cref="ExecutionContext"/>, so it reaches every awaited call and library
    /// below the code that started the task. <see cref="ProcessList.Run"/> and <see cref="ProcessList.RunAsync"/> make
    /// their task current for the body only; <see cref="ProcessList.Start"/> makes the new task current for the
    /// code that follows it in the caller's flow (ending the task makes the one that was current before it current again
    /// there). Reading it outside any task costs one thread-local read.
    /// </remarks>
    public static TrackedTask? Current => CurrentTask.Value;

    /// <summary>Records that the task is calling a dependency, until the returned call ends.</summary>
    /// <param name="kind">The kind of call, such as <see cref="CallKinds.Http"/>: a short word the history groups by.</param>
    /// <param name="description">What the call does, as the status shows it: <c>HTTP GET inventory:5081/items/7</c>.</param>
    /// <param name="target">The dependency called, such as <c>inventory:5081</c>, which the history groups by; optional.</param>
    /// <param name="onKill">
    /// Invoked with <paramref name="state"/> if the task is killed while the call is in flight, to stop the call where
    /// cancelling a token does not (a database command's <c>Cancel</c>, say); never after the call has ended.
    /// Exceptions it throws are ignored.
    /// </param>
    /// <param name="state">The value passed to <paramref name="onKill"/>; released when the call ends.</param>
    /// <returns>The call; the default value, which tracks nothing, if the task has finished.</returns>
    /// <remarks>Several calls may be in flight at once; the listed status names each of them.</remarks>
    /// <exception cref="ArgumentException"><paramref name="kind"/> or <paramref name="description"/> is <see langword="null"/> or empty.</exception>
    public TaskCall BeginCall(string kind, string description, string? target = null, Action<object?>? onKill = null, object? state = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(description);
        var ticks = _list.NowTicks();
        var record = new CallRecord(kind, target, description, ticks, onKill, onKill is null ? null : state);
        bool killed;
        SpinGate.Enter(ref _gate);
        try
        {
            if (((TaskFlags)_flags & TaskFlags.Finished) != 0)
            {
                return default;
            }

            var calls = _calls;
            if (calls is null || _callCount == calls.Length)
            {
                Array.Resize(ref _calls, calls is null ? 2 : calls.Length * 2);
                calls = _calls;
            }

            calls[_callCount++] = record;
            killed = ((TaskFlags)_flags & TaskFlags.KillRequested) != 0;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        if (_list.HasObservers)
        {
            _list.Publish(TaskEventKind.Status, Id, ticks, description);
        }

        // A call begun after the kill is stopped as it starts.
        if (killed && onKill is not null)
        {
            KillCalls([record]);
        }

        return new TaskCall(this, record);
    }

    /// <summary>Ends a call: its history entry records the result, unless <paramref name="keep"/> is <see langword="false"/>.</summary>
    internal void EndCall(CallRecord record, string? result, Exception? failure = null, bool keep = true)
    {
        lock (record)
        {
            if (record.Ended)
            {
                return;
            }

            record.Ended = true;
            record.OnKill = null;
            record.State = null;
        }

        if (failure is not null)
        {
            result = record.Killed ? "killed" : FailureText(failure, IsKillRequested);
        }

        var ticks = _list.NowTicks();
        bool running;
        SpinGate.Enter(ref _gate);
        try
        {
            running = ((TaskFlags)_flags & TaskFlags.Finished) == 0;
            if (running)
            {
                RemoveCallUnderGate(record);
                if (failure is not null && record.Killed)
                {
                    _killedCallFailure = failure;
                }

                record.Result = WaitNote(result, record.DurationTicks);
                record.DurationTicks = Math.Max(0, ticks - record.StartTicks);
                if (keep)
                {
                    _history.Append(ticks, record.Description, _options.HistoryLimit, record);
                }
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        if (running && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Status, Id, ticks, keep ? record.Text : _status ?? "init");
        }
    }

    /// <summary>Finds the call in flight whose kill hook state is <paramref name="state"/>, such as a command being run.</summary>
    /// <param name="state">The kill hook's state.</param>
    /// <param name="onKill">The kill hook, if the call must have this one.</param>
    internal TaskCall FindCall(object state, Action<object?>? onKill = null)
    {
        SpinGate.Enter(ref _gate);
        CallRecord? found = null;
        for (var i = 0; i < _callCount; i++)
        {
            if (ReferenceEquals(_calls![i]!.State, state) && (onKill is null || ReferenceEquals(_calls[i]!.OnKill, onKill)))
            {
                found = _calls[i];
                break;
            }
        }

        SpinGate.Exit(ref _gate);
        return found is null ? default : new TaskCall(this, found);
    }

    /// <summary>Finds the newest call in flight whose kill hook is <paramref name="onKill"/>, such as the newest database command.</summary>
    internal TaskCall FindNewestCall(Action<object?> onKill)
    {
        SpinGate.Enter(ref _gate);
        CallRecord? found = null;
        for (var i = _callCount - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_calls![i]!.OnKill, onKill))
            {
                found = _calls[i];
                break;
            }
        }

        SpinGate.Exit(ref _gate);
        return found is null ? default : new TaskCall(this, found);
    }

    /// <summary>Tells whether <paramref name="exception"/> is, or wraps, the failure of a call that the kill stopped.</summary>
    internal bool IsKilledCallFailure(Exception exception)
    {
        var failure = Volatile.Read(ref _killedCallFailure);
        for (var e = exception; failure is not null && e is not null; e = e.InnerException)
        {
            if (ReferenceEquals(e, failure))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Describes how a call failed, as its history entry's result.</summary>
    internal static string FailureText(Exception exception, bool killRequested) => exception switch
    {
        OperationCanceledException when killRequested => "killed",
        OperationCanceledException => "cancelled",
        _ => "failed: " + exception.GetType().Name,
    };

    /// <summary>Makes this task current in the caller's flow, remembering the one it replaces.</summary>
    internal void MakeCurrent()
    {
        _outer = CurrentTask.Value;
        CurrentTask.Value = this;
    }

    /// <summary>Gives the flow the task it had before this one, if this one is still current there.</summary>
    internal void LeaveCurrent()
    {
        if (ReferenceEquals(CurrentTask.Value, this))
        {
            CurrentTask.Value = _outer;
        }
    }

    /// <summary>Runs the kill hooks of the calls in flight; called after the kill, outside the gate.</summary>
    /// <remarks>
    /// A hook may run before its call has really started (a command whose start was reported but whose statement has
    /// not reached the database yet), where stopping it does nothing; so while calls it ran for are still in flight,
    /// it runs again every 100 ms, for at most 10 s.
    /// </remarks>
    private void KillCalls(CallRecord[] calls)
    {
        if (RunKillHooks(calls))
        {
            CallKillRetry.Start(_list.Time, calls);
        }
    }

    /// <summary>Runs the kill hooks of the calls not ended yet; tells whether any of them is still in flight.</summary>
    internal static bool RunKillHooks(CallRecord[] calls)
    {
        var remaining = false;
        foreach (var call in calls)
        {
            lock (call)
            {
                if (call.Ended || call.OnKill is not { } onKill)
                {
                    continue;
                }

                call.Killed = true;
                remaining = true;
#pragma warning disable CA1031 // A hook that fails to stop its call must not stop the kill from reaching the others.
                try
                {
                    onKill(call.State);
                }
                catch (Exception)
                {
                }
#pragma warning restore CA1031
            }
        }

        return remaining;
    }

    // The calls in flight that have a kill hook; called under the gate.
    private CallRecord[]? KillableCallsUnderGate()
    {
        CallRecord[]? killable = null;
        var found = 0;
        for (var i = 0; i < _callCount; i++)
        {
            if (_calls![i] is { OnKill: not null } call)
            {
                killable ??= new CallRecord[_callCount];
                killable[found++] = call;
            }
        }

        return killable is null || found == killable.Length ? killable : killable[..found];
    }

    private void RemoveCallUnderGate(CallRecord record)
    {
        var calls = _calls!;
        for (var i = 0; i < _callCount; i++)
        {
            if (ReferenceEquals(calls[i], record))
            {
                // Later calls move down one, so the status keeps naming them in the order they began.
                Array.Copy(calls, i + 1, calls, i, _callCount - i - 1);
                calls[--_callCount] = null;
                return;
            }
        }
    }

    // The listed status while calls are in flight: the newest calls' descriptions, oldest first, and a count of the rest.
    private static string CallStatus(in InFlight calls)
    {
        if (calls.Count == 1)
        {
            return calls.Newest!.Status;
        }

        var text = new StringBuilder();
        foreach (var call in (ReadOnlySpan<CallRecord?>)[calls.Third, calls.Second, calls.Newest])
        {
            if (call is not null)
            {
                text.Append(text.Length > 0 ? " | " : null).Append(call.Status);
            }
        }

        if (calls.Count > ListedCalls)
        {
            text.Append(" (+").Append(calls.Count - ListedCalls).Append(" more)");
        }

        return text.ToString();
    }

    // Copies what the listed status needs; called under the gate, so it neither allocates nor throws.
    private InFlight InFlightUnderGate()
    {
        var count = _callCount;
        var calls = _calls;
        return count == 0 ? default : new InFlight(
            count,
            calls![count - 1],
            count > 1 ? calls[count - 2] : null,
            count > 2 ? calls[count - 3] : null);
    }

    /// <summary>The calls in flight as a snapshot lists them: how many, and the newest three.</summary>
    private readonly record struct InFlight(int Count, CallRecord? Newest, CallRecord? Second, CallRecord? Third);
}
