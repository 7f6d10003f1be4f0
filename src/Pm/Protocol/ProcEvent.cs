using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>One change in the live stream (<c>GET /procs/?view=events</c>, Server-Sent Events). An extension of the original protocol.</summary>
/// <param name="Type"><c>started</c>, <c>status</c>, <c>attribute</c>, <c>cancelling</c> or <c>finished</c>; the SSE event name too.</param>
/// <param name="Id">The task's id.</param>
/// <param name="Ts">When the change happened.</param>
public sealed record ProcEvent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("ts"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset Ts)
{
    /// <summary>Gets the status text, attribute name, kill message or final entry the change is about.</summary>
    [JsonPropertyName("text")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    /// <summary>Gets the task as it is once the change is made, for changes to a running task.</summary>
    [JsonPropertyName("proc")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProcDetail? Proc { get; init; }

    /// <summary>Gets the outcome of a finished task: <c>ended</c>, <c>killed</c> or <c>aborted</c>.</summary>
    [JsonPropertyName("outcome")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Outcome { get; init; }

    /// <summary>Gets the duration of a finished task in seconds.</summary>
    [JsonPropertyName("duration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Duration { get; init; }
}
