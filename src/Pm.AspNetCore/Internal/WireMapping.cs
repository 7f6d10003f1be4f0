using System.Text.Json;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>Maps the tracker's snapshots to the wire records of the protocol.</summary>
internal static class WireMapping
{
    public static ProcDetail ToWire(TaskSnapshot snapshot) =>
        new(snapshot.Id, AttributeMap.OrNull(snapshot.Attributes), snapshot.StartTime, snapshot.StatusTime, snapshot.Status, snapshot.IsKillRequested)
        {
            ForbidCancel = snapshot.ForbidKill,
            TraceId = snapshot.TraceId,
            Alert = AlertText(snapshot),
            Progress = ToWire(snapshot.Progress),
            Deadline = snapshot.Deadline,
        };

    public static string? AlertText(TaskSnapshot snapshot) => snapshot.IsHung ? "hung" : snapshot.IsSlow ? "slow" : null;

    public static ProcProgress? ToWire(TaskProgress? progress) =>
        progress is { } p ? new ProcProgress(p.Done, p.Total, p.Unit, p.Remaining?.TotalSeconds) : null;

    public static HistoryResponse ToWire(TaskHistory history, DateTimeOffset serverTime)
    {
        var entries = new HistoryDetail[history.Entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = ToWire(history.Entries[i]);
        }

        return ToWire(history, serverTime, entries);
    }

    /// <summary>Maps a history with the given entries, such as none when they are written one by one.</summary>
    public static HistoryResponse ToWire(TaskHistory history, DateTimeOffset serverTime, IReadOnlyList<HistoryDetail> entries) =>
        new(entries, serverTime)
        {
            Id = history.Id,
            Attrs = AttributeMap.OrNull(history.Attributes),
            Outcome = OutcomeText(history.Outcome),
            EndTime = history.EndTime,
            DroppedEntries = history.DroppedEntries,
            Cancelling = history.IsKillRequested,
            ForbidCancel = history.ForbidKill,
            TimeToHonour = history.TimeToHonour?.TotalSeconds,
            TraceId = history.TraceId,
        };

    public static HistoryDetail ToWire(HistoryEntry entry) =>
        new(entry.Timestamp, entry.Status)
        {
            RemoteAddr = entry.KillRequest?.RemoteAddress,
            User = entry.KillRequest?.User,
            Kind = entry.Kind,
            Target = entry.Target,
            Duration = entry.Duration?.TotalSeconds,
        };

    public static string? OutcomeText(TaskOutcome? outcome) => outcome switch
    {
        TaskOutcome.Ended => "ended",
        TaskOutcome.Killed => "killed",
        TaskOutcome.Aborted => "aborted",
        _ => null,
    };

    /// <summary>Writes a running task in the wire form of a <see cref="ProcDetail"/>, straight from its snapshot.</summary>
    public static void WriteProc(Utf8JsonWriter writer, TaskSnapshot task) =>
        ProcDetailConverter.WriteProc(writer, task.Id, task.Attributes, task.StartTime, task.StatusTime, task.Status, task.IsKillRequested, task.ForbidKill, task.TraceId, PmJsonContext.Default.Options,
            AlertText(task), ToWire(task.Progress), task.Deadline);
}
