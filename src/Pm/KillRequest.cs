namespace Pm;

/// <summary>Describes a kill request: its message and, for the audit trail, who made it.</summary>
/// <param name="Message">The message shown in the history (<c>[cancel request: message]</c>) and in the cancellation; may be empty.</param>
/// <param name="RemoteAddress">The address the request came from, if it came over a network.</param>
/// <param name="User">The authenticated user who asked, if any.</param>
public sealed record KillRequest(string? Message = null, string? RemoteAddress = null, string? User = null)
{
    /// <summary>
    /// Gets a value indicating whether the task is to be aborted at once rather than asked to stop: a tracked request's
    /// connection is cut now instead of after the grace period. The history records <c>[abort request: message]</c>.
    /// </summary>
    /// <remarks>
    /// The task's token is cancelled either way; a task with no abort of its own (a job, say) sees no other difference.
    /// An abort request may follow a plain kill request, to escalate it.
    /// </remarks>
    public bool Abort { get; init; }
}
