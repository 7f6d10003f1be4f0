namespace Pm;

/// <summary>Represents one entry of a task's history: a status and when it was set.</summary>
/// <param name="Timestamp">When the entry was recorded, in UTC.</param>
/// <param name="Status">The status text, never interpreted.</param>
/// <param name="KillRequest">For the entry a kill request added, the request; otherwise <see langword="null"/>.</param>
public readonly record struct HistoryEntry(DateTimeOffset Timestamp, string Status, KillRequest? KillRequest = null);
