namespace Pm.Internal;

/// <summary>Holds what a task needs only once it is cancellable in practice: a token, a link, a kill request.</summary>
/// <remarks>Allocated on first use so that a task nobody cancels costs no token source.</remarks>
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
}
