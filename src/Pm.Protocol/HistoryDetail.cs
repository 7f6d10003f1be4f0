using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Describes one history entry in a <see cref="HistoryResponse"/>.</summary>
/// <param name="Ts">When the entry was recorded.</param>
/// <param name="Status">The status text.</param>
public sealed record HistoryDetail(
    [property: JsonPropertyName("ts"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset Ts,
    [property: JsonPropertyName("status")] string Status)
{
    /// <summary>Gets, on a cancel request entry, the address the kill came from. An extension of the original protocol.</summary>
    [JsonPropertyName("remoteAddr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RemoteAddr { get; init; }

    /// <summary>Gets, on a cancel request entry, the authenticated user who asked. An extension of the original protocol.</summary>
    [JsonPropertyName("user")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; init; }

    /// <summary>Gets, on the end of a call to a dependency, its kind: <c>http</c>, <c>sql</c>, <c>grpc</c> or another word; absent on the task's own statuses. An extension of the original protocol.</summary>
    [JsonPropertyName("kind")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    /// <summary>Gets, on the end of a call, the dependency it went to, such as <c>inventory:5081</c>, when known. An extension of the original protocol.</summary>
    [JsonPropertyName("target")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Target { get; init; }

    /// <summary>Gets, on the end of a call, how long it took in seconds; the entry's <see cref="Ts"/> is its end. An extension of the original protocol.</summary>
    [JsonPropertyName("duration")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Duration { get; init; }
}
