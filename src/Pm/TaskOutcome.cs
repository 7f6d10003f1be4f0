namespace Pm;

/// <summary>Tells how a finished task ended; the name of each value is the task's final history entry.</summary>
public enum TaskOutcome
{
    /// <summary>The task ended normally (<c>ended</c>).</summary>
    Ended,

    /// <summary>The task ended by the cancellation a kill request raised (<c>killed</c> or <c>killed: message</c>).</summary>
    Killed,

    /// <summary>The task ended by any other failure, including a cancellation that did not come from a kill (<c>aborted</c>).</summary>
    Aborted,
}
