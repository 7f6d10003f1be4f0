namespace Pm;

/// <summary>Describes one change to a task, as reported to <see cref="ProcessList.Subscribe"/> observers.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="TaskId">The task's id.</param>
/// <param name="Timestamp">When it changed.</param>
/// <param name="Text">The new status, the attribute's name, the kill message, or the final history entry.</param>
/// <param name="Outcome">For <see cref="TaskEventKind.Finished"/>, how the task ended.</param>
/// <param name="Duration">For <see cref="TaskEventKind.Finished"/>, how long the task ran.</param>
public readonly record struct TaskEvent(
    TaskEventKind Kind,
    string TaskId,
    DateTimeOffset Timestamp,
    string? Text = null,
    TaskOutcome? Outcome = null,
    TimeSpan? Duration = null);
