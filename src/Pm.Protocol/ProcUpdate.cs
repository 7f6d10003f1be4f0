using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>
/// A compact change in a frame of the live stream: a task already listed whose only changes since the previous frame
/// are its alert or its progress. An extension of the original protocol.
/// </summary>
/// <param name="Id">The task's id.</param>
/// <remarks>
/// A mass stall flags thousands of tasks slow within seconds, and a task reporting progress changes once a second;
/// sending only what changed keeps such frames small, whatever the tasks' attributes. A property left out did not
/// change; alerts and progress are never taken away from a running task, so a value is never left out to clear it.
/// </remarks>
public sealed record ProcUpdate([property: JsonPropertyName("id")] string Id)
{
    /// <summary>Gets the task's new alert, <c>slow</c> or <c>hung</c>; <see langword="null"/> when it did not change.</summary>
    [JsonPropertyName("alert")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Alert { get; init; }

    /// <summary>Gets the task's new progress; <see langword="null"/> when it did not change.</summary>
    [JsonPropertyName("progress")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ProcProgress? Progress { get; init; }

    /// <summary>Returns the task as it is after this change.</summary>
    /// <param name="task">The task as the client held it, with the same <see cref="Id"/>.</param>
    /// <returns>A copy of <paramref name="task"/> with the changed alert and progress.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is <see langword="null"/>.</exception>
    public ProcDetail ApplyTo(ProcDetail task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task with { Alert = Alert ?? task.Alert, Progress = Progress ?? task.Progress };
    }
}
