namespace Pm;

/// <summary>Tells what a kill request did.</summary>
public enum KillResult
{
    /// <summary>The kill is requested: this request or an earlier one marked the task, whose token is now cancelled; it finishes <c>killed</c> when its code stops.</summary>
    Requested,

    /// <summary>No running task has that id.</summary>
    NotFound,

    /// <summary>The task forbids kills; nothing changed.</summary>
    Forbidden,
}
