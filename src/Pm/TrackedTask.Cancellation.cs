using Pm.Internal;

namespace Pm;

public sealed partial class TrackedTask
{
    /// <summary>Links a token to the task's token: its cancellation cancels <see cref="CancellationToken"/> too.</summary>
    /// <param name="token">The token, such as a request's abort token; one that cannot be cancelled is ignored.</param>
    /// <remarks>
    /// A task ended by the linked token's cancellation is <see cref="TaskOutcome.Aborted"/> unless a kill was requested first. Linking after the
    /// start lets a caller pay for the link only when the task's token is actually used.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A token is already linked.</exception>
    public void LinkCancellation(CancellationToken token)
    {
        if (!token.CanBeCanceled)
        {
            return;
        }

        CancelState cancel;
        CancellationTokenSource source;
        SpinGate.Enter(ref _gate);
        try
        {
            cancel = _cancel ??= new CancelState();
            if (cancel.Linked)
            {
                throw new InvalidOperationException($"Task '{Id}' already has a linked token.");
            }

            cancel.Linked = true;
            source = SourceUnderGate(cancel);
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        // Registered outside the gate: an already cancelled token runs the callback at once, on this thread.
        var link = token.UnsafeRegister(static state => CancelQuietly((CancellationTokenSource)state!), source);
        SpinGate.Enter(ref _gate);
        cancel.Link = link;
        var finished = ((TaskFlags)_flags & TaskFlags.Finished) != 0;
        SpinGate.Exit(ref _gate);
        if (finished)
        {
            link.Unregister();
        }
    }

    /// <summary>Gets a value indicating whether an abort was requested: the task is to be cut off at once.</summary>
    internal bool IsAbortRequested => (Flags & TaskFlags.AbortRequested) != 0;

    /// <summary>Sets what an abort request does to this task, such as cutting a request's connection; run at once if one came already.</summary>
    /// <param name="hook">The abort.</param>
    /// <param name="state">The hook's argument.</param>
    /// <param name="onEveryKill">Whether every kill aborts, not only an abort request (a gRPC call, whose cancellation is a reset).</param>
    internal void OnAbort(Action<object?> hook, object? state, bool onEveryKill = false)
    {
        SpinGate.Enter(ref _gate);
        bool now;
        try
        {
            var cancel = _cancel ??= new CancelState();
            cancel.AbortHook = hook;
            cancel.AbortState = state;
            cancel.AbortOnEveryKill = onEveryKill;
            var flags = (TaskFlags)_flags;
            now = (flags & TaskFlags.Finished) == 0
                && (flags & (onEveryKill ? TaskFlags.KillRequested : TaskFlags.AbortRequested)) != 0;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        if (now)
        {
            hook(state);
        }
    }

    internal void Unlink()
    {
        SpinGate.Enter(ref _gate);
        var link = _cancel?.Link ?? default;
        SpinGate.Exit(ref _gate);
        link.Unregister();
    }

    /// <summary>Marks the task's first refused kill as reported; later calls return <see langword="false"/>.</summary>
    internal bool MarkKillRefusalReported()
    {
        SpinGate.Enter(ref _gate);
        try
        {
            var flags = (TaskFlags)_flags;
            _flags = (int)(flags | TaskFlags.KillRefusalReported);
            return (flags & TaskFlags.KillRefusalReported) == 0;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }
    }

    internal KillResult RequestKill(KillRequest request)
    {
        var ticks = _list.NowTicks();
        var word = request.Abort ? "[abort request" : "[cancel request";
        var entry = string.IsNullOrEmpty(request.Message) ? word + "]" : word + ": " + request.Message + "]";
        CancellationTokenSource? source;
        CallRecord[]? calls = null;
        (Action<object?> Hook, object? State)? abort = null;
        SpinGate.Enter(ref _gate);
        try
        {
            var flags = (TaskFlags)_flags;
            if ((flags & (TaskFlags.Finished | TaskFlags.ForbidKill)) != 0)
            {
                return (flags & TaskFlags.Finished) != 0 ? KillResult.NotFound : KillResult.Forbidden;
            }

            var escalates = request.Abort && (flags & TaskFlags.AbortRequested) == 0;
            if ((flags & TaskFlags.KillRequested) != 0 && !escalates)
            {
                return KillResult.Requested;
            }

            var cancel = _cancel ??= new CancelState();
            _statusTicks = _history.Append(ticks, entry, _options.HistoryLimit);
            _status = entry;
            if ((flags & TaskFlags.KillRequested) == 0)
            {
                calls = KillableCallsUnderGate();
                cancel.Request = request;
                cancel.RequestTicks = ticks;
                cancel.EntryIndex = (long)_history.Dropped + _history.Count;
            }

            if ((request.Abort || cancel.AbortOnEveryKill) && cancel.AbortHook is { } hook)
            {
                abort = (hook, cancel.AbortState);
            }

            _flags = (int)(flags | TaskFlags.KillRequested | (request.Abort ? TaskFlags.AbortRequested : TaskFlags.None));
            source = cancel.Source;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        // The abort comes first, so that what the token's cancellation sets off (a handler answering its cancellation
        // its own way) cannot reach the client before the cut does.
        if (abort is { } cut)
        {
            cut.Hook(cut.State);
        }

        // Token callbacks run here, outside every lock of the tracker.
        if (source is not null)
        {
            CancelQuietly(source);
        }

        if (calls is not null)
        {
            KillCalls(calls);
        }

        if (_list.HasObservers)
        {
            _list.Publish(TaskEventKind.KillRequested, Id, ticks, request.Message);
        }

        _list.OnKillRequested(this, request, ticks, request.Abort);
        return KillResult.Requested;
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered on the task's token failed; that failure belongs to its owner, and the
            // cancellation itself has happened, so the kill or the link stays effective.
        }
    }

    private void ThrowIfCancelled(TaskFlags flags)
    {
        if ((flags & TaskFlags.Finished) != 0)
        {
            return;
        }

        if ((flags & TaskFlags.KillRequested) != 0)
        {
            throw new TaskKilledException(this, _cancel?.Request?.Message, CancellationToken);
        }

        Volatile.Read(ref _cancel)?.Source?.Token.ThrowIfCancellationRequested();
    }

    private CancellationToken CreateToken()
    {
        CancellationTokenSource source;
        SpinGate.Enter(ref _gate);
        try
        {
            source = SourceUnderGate(_cancel ??= new CancelState());
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        return source.Token;
    }

    // Creates the token source on first use, already cancelled if a kill came first. Called under the gate.
    private CancellationTokenSource SourceUnderGate(CancelState cancel)
    {
        if (cancel.Source is { } existing)
        {
            return existing;
        }

        var source = new CancellationTokenSource();
        if (((TaskFlags)_flags & TaskFlags.KillRequested) != 0)
        {
            // No callback can be registered yet, so cancelling under the gate runs no foreign code.
            source.Cancel();
        }

        Volatile.Write(ref cancel.Source, source);
        return source;
    }
}
