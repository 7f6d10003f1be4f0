using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>The body of <c>GET /procs/&lt;id&gt;/history</c>: one task's history, oldest first, and the server's clock.</summary>
/// <param name="History">The entries, oldest first; the first is <c>init</c>.</param>
/// <param name="ServerTime">The server's time.</param>
public sealed record HistoryResponse(
    [property: JsonPropertyName("history")] IReadOnlyList<HistoryDetail> History,
    [property: JsonPropertyName("serverTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset ServerTime)
{
    /// <summary>Gets the task's id. An extension of the original protocol.</summary>
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    /// <summary>Gets the task's attributes; omitted when none. An extension of the original protocol.</summary>
    [JsonPropertyName("attrs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AttributeMap? Attrs { get; init; }

    /// <summary>Gets <c>ended</c>, <c>killed</c> or <c>aborted</c> for a finished task; omitted while it runs. An extension.</summary>
    [JsonPropertyName("outcome")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Outcome { get; init; }

    /// <summary>Gets when a finished task ended; omitted while it runs. An extension of the original protocol.</summary>
    [JsonPropertyName("endTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(RfcTimeConverter))]
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Gets how many old entries were dropped to bound the history; omitted when none. An extension.</summary>
    [JsonPropertyName("droppedEntries")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long DroppedEntries { get; init; }

    /// <summary>Gets whether a running task was asked to stop; omitted when false. An extension of the original protocol.</summary>
    [JsonPropertyName("cancelling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Cancelling { get; init; }

    /// <summary>Gets whether the task refuses kills; omitted when false. An extension of the original protocol.</summary>
    [JsonPropertyName("forbidCancel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ForbidCancel { get; init; }

    /// <summary>Gets the seconds a killed task took to stop after the kill request; omitted otherwise. An extension.</summary>
    [JsonPropertyName("timeToHonour")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TimeToHonour { get; init; }

    /// <summary>Gets the W3C trace id of the activity the task started in; omitted when none. An extension.</summary>
    [JsonPropertyName("traceId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }
}
