using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>The optional body of <c>DELETE /procs/&lt;id&gt;</c>.</summary>
/// <param name="Message">The kill message; may be absent.</param>
public sealed record CancelRequest([property: JsonPropertyName("message")] string? Message)
{
    /// <summary>
    /// Gets a value indicating whether the task is to be aborted at once: for a request, its connection is cut
    /// without waiting for the grace period. An extension of the original protocol, omitted when false; a Go server
    /// ignores it and only cancels.
    /// </summary>
    [JsonPropertyName("abort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Abort { get; init; }
}
