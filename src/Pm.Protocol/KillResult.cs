namespace Pm;

/// <summary>Tells what a kill request did.</summary>
public enum KillResult
{
    /// <summary>The task is now cancelling: this request or an earlier one marked it.</summary>
    Killed,

    /// <summary>No running task has that id.</summary>
    NotFound,

    /// <summary>The task forbids cancellation; nothing changed.</summary>
    Forbidden,
}
