namespace Pm;

/// <summary>Tells how a finished task ended; the name of each value is the task's final history entry.</summary>
public enum TaskOutcome
{
    /// <summary>The task ended normally (<c>ended</c>).</summary>
    Ended,

    /// <summary>The task ended by a cancellation after a kill request, whatever its token (<c>killed</c> or <c>killed: message</c>).</summary>
    Killed,

    /// <summary>The task ended by any other failure, a cancellation without a kill, or its client going away (<c>aborted</c>).</summary>
    Aborted,
}
