using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>The body of <c>GET /procs/?view=finished</c>: the retained finished tasks, newest first. An extension of the original protocol.</summary>
/// <param name="Finished">The finished tasks' histories, newest first.</param>
/// <param name="ServerTime">The server's time.</param>
public sealed record FinishedResponse(
    [property: JsonPropertyName("finished")] IReadOnlyList<HistoryResponse> Finished,
    [property: JsonPropertyName("serverTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset ServerTime);
