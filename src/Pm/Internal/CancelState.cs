namespace Pm.Internal;

/// <summary>
/// Holds what a task needs only sometimes: once it is cancellable in practice, a token, a link, a kill request; a
/// deadline and its timer; reported progress.
/// </summary>
/// <remarks>Allocated on first use so that a task that needs none of it costs one field. Written under the task's gate.</remarks>
internal sealed class CancelState
{
    public CancellationTokenSource? Source;
    public CancellationTokenRegistration Link;
    public bool Linked;
    public KillRequest? Request;
    public long RequestTicks;
    public long EntryIndex;
    public Action<object?>? AbortHook;
    public object? AbortState;
    public bool AbortOnEveryKill;

    /// <summary>The deadline, in ticks of the list's clock; zero for none.</summary>
    public long DeadlineTicks;

    public ITimer? DeadlineTimer;

    /// <summary>Whether progress was reported.</summary>
    public bool HasProgress;

    public long Done;
    public long? Total;
    public string? Unit;

    /// <summary>When progress was first reported, and how much was done then: the origin of the rate.</summary>
    public long FirstTicks;
    public long FirstDone;

    /// <summary>When progress was last reported.</summary>
    public long LastTicks;

    /// <summary>When progress last entered the history; entries are at least a second apart.</summary>
    public long EntryTicks;
}
