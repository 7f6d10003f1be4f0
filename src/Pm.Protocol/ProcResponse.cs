using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>The body of <c>GET /procs/</c>: the running tasks and the server's clock.</summary>
/// <param name="Procs">The running tasks; never null, empty when none.</param>
/// <param name="ServerTime">The server's time when the list was taken, so clients compute ages without trusting their own clock.</param>
public sealed record ProcResponse(
    [property: JsonPropertyName("procs")] IReadOnlyList<ProcDetail> Procs,
    [property: JsonPropertyName("serverTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset ServerTime);
