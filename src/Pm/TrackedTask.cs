using System.Diagnostics;
using Pm.Internal;

namespace Pm;

/// <summary>Represents a running task of a <see cref="ProcessList"/>; disposing it ends the task.</summary>
/// <remarks>
/// <para>
/// A handle is thread-safe. <see cref="Status"/> and <see cref="ThrowIfKilled"/> are cancellation points: once a kill
/// was requested they throw a <see cref="TaskKilledException"/>. The <see cref="CancellationToken"/> is cancelled
/// by the kill itself, so awaited calls stop at once.
/// </para>
/// <para>
/// Once the task has ended, status and attribute changes are ignored, and ending it again does nothing, so
/// late continuations and double disposal are harmless.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var task = list.Start("job-42", [new("kind", "export")]);
/// task.Status("reading");
/// await ReadAsync(task.CancellationToken);
/// task.Status("writing");
/// </code>
/// </example>
public sealed partial class TrackedTask : IDisposable
{
    /// <summary>The next task in the same bucket of the running-task table; written under the stripe's gate.</summary>
    internal TrackedTask? NextInStripe;

    private readonly ProcessList _list;
    private readonly long _startTicks;
    private readonly ActivityTraceId _traceId;
    private readonly TaskOptions _options;
    private KeyValuePair<string, object?>[]? _attributes;
    private HistoryRing _history;
    private CancelState? _cancel;
    private TrackedTask? _outer;
    private string? _status;
    private long _statusTicks;
    private int _flags;
    private int _gate;

    internal TrackedTask(ProcessList list, string id, int idHash, KeyValuePair<string, object?>[]? attributes, TaskOptions options, long startTicks, Activity? activity)
    {
        _list = list;
        Id = id;
        IdHash = idHash;
        _history.LastTicks = startTicks;
        _statusTicks = startTicks;
        _attributes = attributes;
        _startTicks = startTicks;
        _options = options;
        if (activity is not null)
        {
            _traceId = activity.TraceId;
        }

        _flags = (int)((options.ForbidKill ? TaskFlags.ForbidKill : 0) | (options.SuppressKillException ? TaskFlags.SuppressKillException : 0));
    }

    /// <summary>Gets the task's id.</summary>
    public string Id { get; }

    /// <summary>Gets the token that a kill request cancels, and with it any token linked at start.</summary>
    /// <remarks>The token is cancelled before <see cref="ProcessList.Kill(string, KillRequest)"/> returns.</remarks>
    public CancellationToken CancellationToken => Volatile.Read(ref _cancel)?.Source is { } source ? source.Token : CreateToken();

    /// <summary>Gets a value indicating whether a kill was requested and the task has not ended yet.</summary>
    public bool IsKillRequested => (Flags & (TaskFlags.KillRequested | TaskFlags.Finished)) == TaskFlags.KillRequested;

    /// <summary>Gets a value indicating whether the task has ended.</summary>
    public bool IsFinished => (Flags & TaskFlags.Finished) != 0;

    /// <summary>Gets the kill request the task accepted, or <see langword="null"/> if none was.</summary>
    public KillRequest? KillRequest
    {
        get
        {
            SpinGate.Enter(ref _gate);
            var request = _cancel?.Request;
            SpinGate.Exit(ref _gate);
            return request;
        }
    }

    /// <summary>Gets how the task ended, or <see langword="null"/> while it runs.</summary>
    public TaskOutcome? Outcome => Flags switch
    {
        var f when (f & TaskFlags.Finished) == 0 => null,
        var f when (f & TaskFlags.Killed) != 0 => TaskOutcome.Killed,
        var f when (f & TaskFlags.Aborted) != 0 => TaskOutcome.Aborted,
        _ => TaskOutcome.Ended,
    };

    /// <summary>Gets the list the task belongs to.</summary>
    internal ProcessList List => _list;

    /// <summary>Gets the options the task started with.</summary>
    internal TaskOptions Options => _options;

    internal bool ForbidsKill => (Flags & TaskFlags.ForbidKill) != 0;

    /// <summary>Gets the task's main attributes as text, for log lines.</summary>
    internal string Summary
    {
        get
        {
            SpinGate.Enter(ref _gate);
            var attributes = _attributes;
            SpinGate.Exit(ref _gate);
            return PmLog.Summary(attributes);
        }
    }

    internal bool SuppressesKillException => (Flags & TaskFlags.SuppressKillException) != 0;

    private TaskFlags Flags => (TaskFlags)Volatile.Read(ref _flags);

    internal long EndTicks => Volatile.Read(ref _history.LastTicks);

    internal long StartTicks => _startTicks;

    /// <summary>Gets the hash of <see cref="Id"/>, computed once at the start.</summary>
    internal int IdHash { get; }

    /// <summary>Gets or sets the task's number in the finished-task ring's sequence, set once when it ends.</summary>
    internal uint FinishedSequence { get; set; }

    /// <summary>Records a new status and then, if a kill was requested, raises the cancellation.</summary>
    /// <param name="status">The status text; any text, never interpreted.</param>
    /// <exception cref="ArgumentNullException"><paramref name="status"/> is <see langword="null"/>.</exception>
    /// <exception cref="TaskKilledException">A kill of this task was requested.</exception>
    /// <exception cref="OperationCanceledException">The token linked at start was cancelled.</exception>
    public void Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var ticks = _list.NowTicks();
        TaskFlags flags;
        SpinGate.Enter(ref _gate);
        try
        {
            flags = (TaskFlags)_flags;
            if ((flags & TaskFlags.Finished) == 0)
            {
                _statusTicks = _history.Append(ticks, status, _options.HistoryLimit);
                _status = status;
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        if ((flags & TaskFlags.Finished) == 0 && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Status, Id, ticks, status);
        }

        ThrowIfCancelled(flags);
    }

    /// <summary>Raises the cancellation if a kill was requested; records nothing.</summary>
    /// <exception cref="TaskKilledException">A kill of this task was requested.</exception>
    /// <exception cref="OperationCanceledException">The token linked at start was cancelled.</exception>
    public void ThrowIfKilled() => ThrowIfCancelled(Flags);

    /// <summary>Sets an attribute, adding it or replacing its value.</summary>
    /// <param name="name">The attribute's name.</param>
    /// <param name="value">The value; any object, reported as JSON.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is <see langword="null"/> or empty.</exception>
    public void SetAttribute(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        bool running;
        SpinGate.Enter(ref _gate);
        try
        {
            running = ((TaskFlags)_flags & TaskFlags.Finished) == 0;
            if (running)
            {
                _attributes = AttributeArray.With(_attributes, name, value);
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }
        if (running && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Attribute, Id, _list.NowTicks(), name);
        }
    }

    /// <summary>Removes an attribute.</summary>
    /// <param name="name">The attribute's name.</param>
    /// <returns><see langword="true"/> if the task had the attribute.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is <see langword="null"/> or empty.</exception>
    public bool RemoveAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        bool removed;
        SpinGate.Enter(ref _gate);
        try
        {
            var before = _attributes;
            if (((TaskFlags)_flags & TaskFlags.Finished) == 0)
            {
                _attributes = AttributeArray.Without(before, name);
            }

            removed = !ReferenceEquals(before, _attributes);
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }
        if (removed && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Attribute, Id, _list.NowTicks(), name);
        }

        return removed;
    }

    /// <summary>Ends the task, recording its outcome from <paramref name="exception"/>.</summary>
    /// <param name="exception">
    /// <see langword="null"/> for a normal end (<c>ended</c>). Once a kill was requested, any
    /// <see cref="OperationCanceledException"/> — the task's own <see cref="TaskKilledException"/>, or one from a token
    /// linked to or derived from the task's, such as a per-call timeout — ends it <c>killed</c>. Any other exception,
    /// or a cancellation without a kill, ends it <c>aborted</c>.
    /// </param>
    /// <returns><see langword="true"/> if this call ended the task; <see langword="false"/> if it had already ended.</returns>
    /// <example>
    /// <code>
    /// using var task = list.Start("job");
    /// try { Work(task); }
    /// catch (Exception ex) { task.Done(ex); throw; }
    /// </code>
    /// </example>
    public bool Done(Exception? exception = null) => Finish(exception, abandoned: false) is not null;

    /// <summary>Ends the task normally unless it has already ended.</summary>
    public void Dispose() => Finish(null, abandoned: false);

    /// <inheritdoc />
    public override string ToString() => Id;

    /// <summary>Decides how a task ends: the one rule for every way of ending one.</summary>
    /// <param name="killRequested">Whether a kill of the task was requested before it ended.</param>
    /// <param name="exception">What the task's work ended with, if anything.</param>
    /// <param name="abandoned">Whether whoever the task worked for went away, such as a request's client.</param>
    /// <returns>
    /// <see cref="TaskOutcome.Killed"/> for any cancellation after a kill request, whatever its token;
    /// <see cref="TaskOutcome.Ended"/> for no exception and no one gone; <see cref="TaskOutcome.Aborted"/> otherwise.
    /// </returns>
    internal static TaskOutcome Decide(bool killRequested, Exception? exception, bool abandoned) => exception switch
    {
        not null when killRequested && IsCancellation(exception) => TaskOutcome.Killed,
        null when !abandoned => TaskOutcome.Ended,
        _ => TaskOutcome.Aborted,
    };

    /// <summary>
    /// Tells whether <paramref name="exception"/> reports a cancellation: an <see cref="OperationCanceledException"/>,
    /// or gRPC's <c>RpcException</c> with status <c>Cancelled</c>, which a gRPC client throws for a call its token stopped.
    /// </summary>
    internal static bool IsCancellation(Exception exception) =>
        exception is OperationCanceledException
        || (exception.GetType().FullName == "Grpc.Core.RpcException" && GrpcStatusCode(exception) == 1);

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Reads a public property of gRPC's own exception type, which gRPC keeps.")]
    private static int GrpcStatusCode(Exception exception) =>
        exception.GetType().GetProperty("StatusCode")?.GetValue(exception) is Enum code ? Convert.ToInt32(code, System.Globalization.CultureInfo.InvariantCulture) : -1;

    /// <summary>Decides how this task ends, by <see cref="Decide(bool, Exception?, bool)"/>, counting the failure of a call its kill stopped as a cancellation.</summary>
    internal TaskOutcome Decide(Exception? exception, bool abandoned)
    {
        SpinGate.Enter(ref _gate);
        var flags = (TaskFlags)_flags;
        SpinGate.Exit(ref _gate);
        return DecideUnderGate(flags, exception, abandoned);
    }

    private TaskOutcome DecideUnderGate(TaskFlags flags, Exception? exception, bool abandoned)
    {
        var killRequested = (flags & TaskFlags.KillRequested) != 0;
        return killRequested && exception is not null && !IsCancellation(exception) && IsKilledCallFailure(exception)
            ? TaskOutcome.Killed
            : Decide(killRequested, exception, abandoned);
    }

    /// <summary>Ends the task with the outcome <see cref="Decide(bool, Exception?, bool)"/> gives; <see langword="null"/> if it had already ended.</summary>
    internal TaskOutcome? Finish(Exception? exception, bool abandoned) => Finish(null, exception, abandoned);

    /// <summary>Ends the task with an outcome its caller decided with <see cref="Decide(Exception?, bool)"/>, having acted on it first.</summary>
    internal TaskOutcome? Finish(TaskOutcome outcome) => Finish(outcome, null, abandoned: false);

    private TaskOutcome? Finish(TaskOutcome? decided, Exception? exception, bool abandoned)
    {
        var ticks = _list.NowTicks();
        TaskOutcome outcome;
        string finalEntry;
        long endTicks;
        CancelState? cancel;
        SpinGate.Enter(ref _gate);
        try
        {
            var flags = (TaskFlags)_flags;
            if ((flags & TaskFlags.Finished) != 0)
            {
                return null;
            }

            outcome = decided ?? DecideUnderGate(flags, exception, abandoned);
            finalEntry = outcome switch
            {
                TaskOutcome.Ended => "ended",
                TaskOutcome.Killed => KilledText(_cancel?.Request?.Message),
                _ => "aborted",
            };
            endTicks = _history.Append(ticks, finalEntry, _options.HistoryLimit);
            _flags = (int)(flags | TaskFlags.Finished | outcome switch
            {
                TaskOutcome.Killed => TaskFlags.Killed,
                TaskOutcome.Aborted => TaskFlags.Aborted,
                _ => TaskFlags.None,
            });
            cancel = _cancel;
            if (_callCount > 0)
            {
                // Calls still in flight are abandoned with the task: their ends record nothing.
                Array.Clear(_calls!);
                _callCount = 0;
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        LeaveCurrent();
        StopDeadline();
        var link = cancel?.Link ?? default;

        link.Unregister();
        _list.OnFinished(this, outcome, endTicks - _startTicks, finalEntry, cancel);
        return outcome;
    }

    internal static string KilledText(string? message) => string.IsNullOrEmpty(message) ? "killed" : "killed: " + message;


}
