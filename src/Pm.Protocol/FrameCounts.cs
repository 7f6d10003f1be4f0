using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Counts the tasks that started and finished between two frames of the live stream. An extension of the original protocol.</summary>
/// <param name="Started">How many tasks started.</param>
/// <param name="Finished">How many tasks finished, whether or not they were ever listed.</param>
public sealed record FrameCounts(
    [property: JsonPropertyName("started")] long Started,
    [property: JsonPropertyName("finished")] long Finished)
{
    /// <summary>Gets counts of zero.</summary>
    public static FrameCounts None { get; } = new(0, 0);
}
