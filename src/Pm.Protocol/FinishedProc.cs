using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Describes a task that ended, in a <see cref="ProcFrame"/>. An extension of the original protocol.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Outcome"><c>ended</c>, <c>killed</c> or <c>aborted</c>.</param>
/// <param name="Duration">How long the task ran, in seconds.</param>
/// <param name="EndTime">When the task ended.</param>
public sealed record FinishedProc(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("duration")] double Duration,
    [property: JsonPropertyName("endTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset EndTime);
