namespace Pm;

/// <summary>Describes a kill request: its message and, for the audit trail, who made it.</summary>
/// <param name="Message">The message shown in the history (<c>[cancel request: message]</c>) and in the cancellation; may be empty.</param>
/// <param name="RemoteAddress">The address the request came from, if it came over a network.</param>
/// <param name="User">The authenticated user who asked, if any.</param>
public sealed record KillRequest(string? Message = null, string? RemoteAddress = null, string? User = null);
