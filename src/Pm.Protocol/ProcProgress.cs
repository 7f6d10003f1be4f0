using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Describes how far a long task has come, in a <see cref="ProcDetail"/>. An extension of the original protocol.</summary>
/// <param name="Done">The units done.</param>
/// <param name="Total">The units to do; omitted when unknown.</param>
/// <param name="Unit">What is counted, such as <c>rows</c>; omitted when not given.</param>
/// <param name="Remaining">The estimated time left, in seconds; omitted when the rate does not allow an estimate.</param>
public sealed record ProcProgress(
    [property: JsonPropertyName("done")] long Done,
    [property: JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Total = null,
    [property: JsonPropertyName("unit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Unit = null,
    [property: JsonPropertyName("remaining"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Remaining = null);
