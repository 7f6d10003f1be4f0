using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>The optional body of <c>DELETE /procs/&lt;id&gt;</c>.</summary>
/// <param name="Message">The kill message; may be absent.</param>
public sealed record CancelRequest([property: JsonPropertyName("message")] string? Message);
