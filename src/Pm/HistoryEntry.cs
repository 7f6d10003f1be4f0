namespace Pm;

/// <summary>Represents one entry of a task's history: a status and when it was set.</summary>
/// <param name="Timestamp">When the entry was recorded, in UTC.</param>
/// <param name="Status">The status text, never interpreted.</param>
/// <param name="KillRequest">For the entry a kill request added, the request; otherwise <see langword="null"/>.</param>
public readonly record struct HistoryEntry(DateTimeOffset Timestamp, string Status, KillRequest? KillRequest = null)
{
    /// <summary>
    /// Gets, for the end of a call to a dependency, its kind (see <see cref="CallKinds"/>); <c>progress</c> for a progress
    /// report (see <see cref="TrackedTask.ReportProgress"/>); <see langword="null"/> for the task's own statuses.
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>Gets, for the end of a call, the dependency it went to, such as <c>inventory:5081</c>, when known.</summary>
    public string? Target { get; init; }

    /// <summary>Gets, for the end of a call, how long it took; the entry's <see cref="Timestamp"/> is its end.</summary>
    public TimeSpan? Duration { get; init; }
}
