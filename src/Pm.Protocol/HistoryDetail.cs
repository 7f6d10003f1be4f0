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
}
