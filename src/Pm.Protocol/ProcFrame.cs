using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>One frame of the live stream (<c>GET /procs/?view=events</c>): what changed since the previous frame. An extension of the original protocol.</summary>
/// <param name="Procs">The tasks that started or changed, in their latest state.</param>
/// <param name="Finished">The tasks that ended and had been listed before, by a snapshot or an earlier frame.</param>
/// <param name="Counts">How many tasks started and finished since the previous frame, including those never listed.</param>
/// <param name="ServerTime">The server's time when the frame was made.</param>
/// <remarks>
/// A client removes every <paramref name="Finished"/> task first, then adds or replaces every one of <paramref name="Procs"/>,
/// then applies every one of <see cref="Updates"/> to the task it holds with that id.
/// A task that started and finished between two frames is only counted.
/// </remarks>
public sealed record ProcFrame(
    [property: JsonPropertyName("procs")] IReadOnlyList<ProcDetail> Procs,
    [property: JsonPropertyName("finished")] IReadOnlyList<FinishedProc> Finished,
    [property: JsonPropertyName("counts")] FrameCounts Counts,
    [property: JsonPropertyName("serverTime"), JsonConverter(typeof(RfcTimeConverter))] DateTimeOffset ServerTime)
{
    /// <summary>Gets a value indicating whether the frame is a <c>snapshot</c>: every running task, replacing what the client had.</summary>
    [JsonIgnore]
    public bool IsSnapshot { get; init; }

    /// <summary>Gets the listed tasks whose only changes were their alert or progress, in compact form; <see langword="null"/> when none.</summary>
    /// <remarks>Apply each to the task held with its id, with <see cref="ProcUpdate.ApplyTo(ProcDetail)"/>, after <see cref="Procs"/>.</remarks>
    [JsonPropertyName("updates")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ProcUpdate>? Updates { get; init; }
}
