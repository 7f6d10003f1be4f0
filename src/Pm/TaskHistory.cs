using System.Collections.Immutable;

namespace Pm;

/// <summary>Represents the full record of a task, running or finished: its history, attributes and, once finished, its outcome.</summary>
/// <remarks>A history is consistent for its task and never changes.</remarks>
public sealed record TaskHistory
{
    /// <summary>Gets the task's id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the task's attributes, in the order they were first set.</summary>
    public required ImmutableArray<KeyValuePair<string, object?>> Attributes { get; init; }

    /// <summary>Gets the history entries, oldest first; the first is always <c>init</c>.</summary>
    public required ImmutableArray<HistoryEntry> Entries { get; init; }

    /// <summary>Gets how many entries were dropped to keep the history within <see cref="TaskOptions.HistoryLimit"/>.</summary>
    /// <remarks>Dropped entries are the oldest ones after <c>init</c>.</remarks>
    public required long DroppedEntries { get; init; }

    /// <summary>Gets when the task started.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>Gets when the task ended, or <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Gets how the task ended, or <see langword="null"/> while it runs.</summary>
    public TaskOutcome? Outcome { get; init; }

    /// <summary>Gets a value indicating whether a kill was requested and the task has not ended yet.</summary>
    public required bool IsKillRequested { get; init; }

    /// <summary>Gets a value indicating whether the task refuses kill requests.</summary>
    public required bool ForbidKill { get; init; }

    /// <summary>Gets the first kill request the task accepted, if any.</summary>
    public KillRequest? KillRequest { get; init; }

    /// <summary>Gets when the first accepted kill request arrived, if any.</summary>
    public DateTimeOffset? KillRequestTime { get; init; }

    /// <summary>Gets the W3C trace id of the activity that was current when the task started, if any.</summary>
    public string? TraceId { get; init; }

    /// <summary>Gets a value indicating whether the task is still running.</summary>
    public bool IsRunning => Outcome is null;

    /// <summary>Gets how long the task ran, or <see langword="null"/> while it runs.</summary>
    public TimeSpan? Duration => EndTime - StartTime;

    /// <summary>Gets how long a killed task took to stop after the kill request, or <see langword="null"/> for any other task.</summary>
    /// <remarks>The figure that tells whether kills are honoured promptly.</remarks>
    public TimeSpan? TimeToHonour => Outcome == TaskOutcome.Killed ? EndTime - KillRequestTime : null;
}
