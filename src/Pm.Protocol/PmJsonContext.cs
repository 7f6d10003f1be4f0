using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>The source-generated serializer of every wire type, shared by server and client.</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(ProcResponse))]
[JsonSerializable(typeof(ProcDetail))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(FinishedResponse))]
[JsonSerializable(typeof(CancelRequest))]
[JsonSerializable(typeof(ProcFrame))]
public sealed partial class PmJsonContext : JsonSerializerContext;
