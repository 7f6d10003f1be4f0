using System.Runtime.InteropServices;
using Pm.Internal;

namespace Pm;

public sealed partial class TrackedTask
{
    internal TaskSnapshot? Snapshot()
    {
        SpinGate.Enter(ref _gate);
        var flags = (TaskFlags)_flags;
        if ((flags & TaskFlags.Finished) != 0)
        {
            SpinGate.Exit(ref _gate);
            return null;
        }

        var status = _status;
        var statusTicks = _statusTicks;
        var inFlight = InFlightUnderGate();
        var attributes = _attributes;
        var progress = ProgressUnderGate();
        var deadline = _cancel?.DeadlineTicks ?? 0;
        SpinGate.Exit(ref _gate);

        if (inFlight.Count > 0)
        {
            status = CallStatus(inFlight);
            statusTicks = inFlight.Newest!.StartTicks;
        }

        return new TaskSnapshot
        {
            Id = Id,
            Attributes = AttributeArray.AsImmutable(attributes),
            StartTime = ToTime(_startTicks),
            Status = status ?? "init",
            StatusTime = ToTime(statusTicks),
            IsKillRequested = (flags & TaskFlags.KillRequested) != 0,
            ForbidKill = (flags & TaskFlags.ForbidKill) != 0,
            TraceId = TraceIdText,
            IsSlow = (flags & TaskFlags.Slow) != 0,
            IsHung = (flags & TaskFlags.Hung) != 0,
            Progress = progress,
            Deadline = deadline == 0 ? null : ToTime(deadline),
        };
    }

    internal TaskHistory GetHistory()
    {
        TaskFlags flags;
        HistoryEntry[] entries;
        int dropped;
        KeyValuePair<string, object?>[]? attributes;
        KillRequest? request;
        long requestTicks, requestIndex, endTicks;
        SpinGate.Enter(ref _gate);
        try
        {
            flags = (TaskFlags)_flags;
            entries = new HistoryEntry[1 + _history.Count];
            entries[0] = new HistoryEntry(ToTime(_startTicks), "init");
            _history.CopyTo(entries.AsSpan(1), _options.HistoryLimit);
            dropped = _history.Dropped;
            attributes = _attributes;
            request = _cancel?.Request;
            requestTicks = _cancel?.RequestTicks ?? 0;
            requestIndex = (_cancel?.EntryIndex ?? 0) - dropped;
            endTicks = _history.LastTicks;
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }

        if (request is not null && requestIndex >= 1 && requestIndex < entries.Length)
        {
            entries[requestIndex] = entries[requestIndex] with { KillRequest = request };
        }

        var finished = (flags & TaskFlags.Finished) != 0;
        return new TaskHistory
        {
            Id = Id,
            Attributes = AttributeArray.AsImmutable(attributes),
            Entries = ImmutableCollectionsMarshal.AsImmutableArray(entries),
            DroppedEntries = dropped,
            StartTime = ToTime(_startTicks),
            EndTime = finished ? ToTime(endTicks) : null,
            Outcome = !finished ? null
                : (flags & TaskFlags.Killed) != 0 ? TaskOutcome.Killed
                : (flags & TaskFlags.Aborted) != 0 ? TaskOutcome.Aborted
                : TaskOutcome.Ended,
            IsKillRequested = !finished && (flags & TaskFlags.KillRequested) != 0,
            ForbidKill = (flags & TaskFlags.ForbidKill) != 0,
            KillRequest = request,
            KillRequestTime = request is null ? null : ToTime(requestTicks),
            TraceId = TraceIdText,
        };
    }

    private string? TraceIdText => _traceId == default ? null : _traceId.ToHexString();

    private static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);
}
