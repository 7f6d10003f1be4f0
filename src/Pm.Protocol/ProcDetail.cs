using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Describes one running task in a <see cref="ProcResponse"/>.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Attrs">The task's attributes; omitted when there are none.</param>
/// <param name="ProcTime">When the task started.</param>
/// <param name="StatusTime">When the last status was set.</param>
/// <param name="Status">The last status.</param>
/// <param name="Cancelling">Whether a kill was requested; omitted when false.</param>
[JsonConverter(typeof(ProcDetailConverter))]
public sealed record ProcDetail(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("attrs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AttributeMap? Attrs,
    [property: JsonPropertyName("procTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset ProcTime,
    [property: JsonPropertyName("statusTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset StatusTime,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("cancelling"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Cancelling = false)
{
    /// <summary>Gets a value indicating whether the task refuses kills; omitted when false. An extension of the original protocol.</summary>
    [JsonPropertyName("forbidCancel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ForbidCancel { get; init; }

    /// <summary>Gets the W3C trace id of the activity the task started in; omitted when none. An extension of the original protocol.</summary>
    [JsonPropertyName("traceId")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }

    /// <summary>
    /// Gets <c>slow</c> or <c>hung</c> when the task ran past that threshold of the server's watchdog; omitted otherwise.
    /// An extension of the original protocol.
    /// </summary>
    [JsonPropertyName("alert")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Alert { get; init; }

    /// <summary>Gets the task's latest progress report; omitted when it made none. An extension of the original protocol.</summary>
    [JsonPropertyName("progress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProcProgress? Progress { get; init; }

    /// <summary>Gets when the task will be killed for exceeding its deadline; omitted when it has none. An extension of the original protocol.</summary>
    [JsonPropertyName("deadline")]
    [JsonConverter(typeof(RfcTimeConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? Deadline { get; init; }
}
