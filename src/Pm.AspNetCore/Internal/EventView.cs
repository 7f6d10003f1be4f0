using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>The running tasks as the live stream's subscribers know them, and the frames that bring them up to date.</summary>
/// <remarks>
/// <para>
/// Each task is serialized once when it changes; snapshots and frames reuse those bytes for every subscriber. A task
/// that ends is reported individually only if it is in the view (subscribers have seen it); one that started and ended
/// between two frames is only counted, so a frame's size depends on the running tasks, not on the request rate.
/// </para>
/// <para>
/// A listed task whose only changes since the last frame are its alert or its progress goes in the frame's
/// <c>updates</c> with just those, not in <c>procs</c> whole: a mass stall that flags thousands of tasks slow sends
/// their ids, not their attributes.
/// </para>
/// <para>Not thread-safe: the hub calls it under its lock.</para>
/// </remarks>
internal sealed class EventView
{
    private static readonly JsonEncodedText Procs = JsonEncodedText.Encode("procs");
    private static readonly JsonEncodedText Finished = JsonEncodedText.Encode("finished");
    private static readonly JsonEncodedText Counts = JsonEncodedText.Encode("counts");
    private static readonly JsonEncodedText Started = JsonEncodedText.Encode("started");
    private static readonly JsonEncodedText ServerTime = JsonEncodedText.Encode("serverTime");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Outcome = JsonEncodedText.Encode("outcome");
    private static readonly JsonEncodedText Duration = JsonEncodedText.Encode("duration");
    private static readonly JsonEncodedText EndTime = JsonEncodedText.Encode("endTime");
    private static readonly JsonEncodedText Updates = JsonEncodedText.Encode("updates");
    private static readonly JsonEncodedText Alert = JsonEncodedText.Encode("alert");
    private static readonly JsonEncodedText Progress = JsonEncodedText.Encode("progress");
    private static readonly byte[] FramePrefix = Encoding.UTF8.GetBytes("event: frame\ndata: ");
    private static readonly byte[] EventEnd = Encoding.UTF8.GetBytes("\n\n");

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Change> _changed = new(StringComparer.Ordinal);
    private readonly List<(string Id, TaskSnapshot Task, Changes Changes)> _updates = [];
    private readonly List<Ended> _ended = [];
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private Entry[]? _snapshot;
    private long _startedCount;
    private long _finishedCount;

    /// <summary>Gets the time of the last change the view took in.</summary>
    public DateTimeOffset Time { get; private set; }

    /// <summary>Gets how many tasks the view holds.</summary>
    public int Count => _entries.Count;

    /// <summary>Gets the tasks of the view; the array is shared and must not be changed.</summary>
    public Entry[] Snapshot => _snapshot ??= [.. _entries.Values];

    /// <summary>Replaces the view with the given running tasks.</summary>
    public void Reset(IEnumerable<TaskSnapshot> tasks, DateTimeOffset time)
    {
        _entries.Clear();
        _changed.Clear();
        _ended.Clear();
        _startedCount = 0;
        _finishedCount = 0;
        _snapshot = null;
        foreach (var task in tasks)
        {
            _entries[task.Id] = Serialize(task);
        }

        Time = time;
    }

    /// <summary>Takes in one change for the next frame.</summary>
    /// <remarks>
    /// Called as changes arrive, many times per frame, so what waits for the frame stays bounded by the running tasks:
    /// an end is matched against the view at once, and a task that started and ended since the last frame is forgotten.
    /// </remarks>
    public void Take(in TaskEvent change)
    {
        switch (change.Kind)
        {
            case TaskEventKind.Finished:
                _finishedCount++;
                var duration = change.Duration ?? TimeSpan.Zero;
                var start = change.Timestamp.UtcTicks - duration.Ticks;

                // The start tells this task apart from a later one with the same id.
                var listed = _entries.TryGetValue(change.TaskId, out var entry);
                if (listed && entry!.StartTicks == start)
                {
                    _entries.Remove(change.TaskId);
                    _snapshot = null;
                    _ended.Add(new Ended(change.TaskId, WireMapping.OutcomeText(change.Outcome) ?? "ended", duration, change.Timestamp));
                    listed = false;
                }

                // Unless the changes were a later task's with the same id (started since, or already listed), there is
                // nothing left to look up.
                if (_changed.TryGetValue(change.TaskId, out var changed) && (changed.StartTicks == start || (changed.StartTicks == 0 && !listed)))
                {
                    _changed.Remove(change.TaskId);
                }

                break;
            case TaskEventKind.Started:
                _startedCount++;
                _changed[change.TaskId] = new Change(change.Timestamp.UtcTicks, Changes.Whole);
                break;
            case TaskEventKind.Slow or TaskEventKind.Hung:
                Add(change.TaskId, Changes.Alert);
                break;
            case TaskEventKind.Progress:
                Add(change.TaskId, Changes.Progress);
                break;
            default:
                Add(change.TaskId, Changes.Whole);
                break;
        }
    }

    private void Add(string id, Changes changes)
    {
        ref var change = ref CollectionsMarshal.GetValueRefOrAddDefault(_changed, id, out _);
        change = change with { Changes = change.Changes | changes };
    }

    /// <summary>Makes the frame that tells what was taken in since the last one, or <see langword="null"/> if there is nothing to tell.</summary>
    /// <param name="list">The list, for the latest state of the tasks that changed.</param>
    /// <param name="time">The frame's time.</param>
    /// <returns>The frame as one complete Server-Sent Event.</returns>
    public byte[]? Frame(ProcessList list, DateTimeOffset time)
    {
        Time = time;
        if (_startedCount == 0 && _finishedCount == 0 && _changed.Count == 0)
        {
            return null;
        }

        _buffer.ResetWrittenCount();
        _buffer.Write(FramePrefix);
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            writer.WriteStartObject();
            WriteProcs(writer, list);
            WriteEnded(writer);
            writer.WriteStartObject(Counts);
            writer.WriteNumber(Started, _startedCount);
            writer.WriteNumber(Finished, _finishedCount);
            writer.WriteEndObject();
            writer.WriteString(ServerTime, RfcTimeConverter.Format(time, stackalloc byte[32]));
            WriteUpdates(writer);
            writer.WriteEndObject();
        }

        _buffer.Write(EventEnd);
        _changed.Clear();
        _ended.Clear();
        _startedCount = 0;
        _finishedCount = 0;
        return _buffer.WrittenSpan.ToArray();
    }

    private void WriteEnded(Utf8JsonWriter writer)
    {
        Span<byte> time = stackalloc byte[32];
        writer.WriteStartArray(Finished);
        foreach (var ended in _ended)
        {
            writer.WriteStartObject();
            writer.WriteString(Id, ended.Id);
            writer.WriteString(Outcome, ended.Outcome);
            writer.WriteNumber(Duration, ended.Duration.TotalSeconds);
            writer.WriteString(EndTime, RfcTimeConverter.Format(ended.EndTime, time));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void WriteProcs(Utf8JsonWriter writer, ProcessList list)
    {
        writer.WriteStartArray(Procs);
        foreach (var (id, change) in _changed)
        {
            // A task not found has ended since; its end is in this batch or the next.
            if (list.TryGet(id, out var task))
            {
                // Subscribers hold this very task (same start) when it is in the view: then an alert or progress alone
                // needs only those. The view keeps the whole task either way, for the snapshots of later subscribers.
                var listed = (change.Changes & Changes.Whole) == 0
                    && _entries.TryGetValue(id, out var held) && held.StartTicks == task.StartTime.UtcTicks;
                var entry = Serialize(task);
                _entries[id] = entry;
                _snapshot = null;
                if (listed)
                {
                    _updates.Add((id, task, change.Changes));
                }
                else
                {
                    writer.WriteRawValue(entry.Json, skipInputValidation: true);
                }
            }
        }

        writer.WriteEndArray();
    }

    private void WriteUpdates(Utf8JsonWriter writer)
    {
        if (_updates.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(Updates);
        foreach (var (id, task, changes) in _updates)
        {
            writer.WriteStartObject();
            writer.WriteString(Id, id);
            if ((changes & Changes.Alert) != 0 && WireMapping.AlertText(task) is { } alert)
            {
                writer.WriteString(Alert, alert);
            }

            if ((changes & Changes.Progress) != 0 && WireMapping.ToWire(task.Progress) is { } progress)
            {
                writer.WritePropertyName(Progress);
                JsonSerializer.Serialize(writer, progress, PmJsonContext.Default.ProcProgress);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        _updates.Clear();
    }

    private static Entry Serialize(TaskSnapshot task)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WireMapping.WriteProc(writer, task);
        }

        return new Entry(task.StartTime.UtcTicks, buffer.WrittenSpan.ToArray());
    }

    /// <summary>What changed in a task since the last frame.</summary>
    [Flags]
    private enum Changes
    {
        None = 0,
        Alert = 1,
        Progress = 2,
        Whole = 4,
    }

    /// <summary>A task that changed since the last frame: its start if known (0 if not), and what changed.</summary>
    private readonly record struct Change(long StartTicks, Changes Changes);

    /// <summary>A task of the view that ended, to be reported in the next frame.</summary>
    private readonly record struct Ended(string Id, string Outcome, TimeSpan Duration, DateTimeOffset EndTime);

    /// <summary>A task of the view: its start, which tells it apart from a later task with the same id, and its JSON.</summary>
    internal sealed record Entry(long StartTicks, byte[] Json);
}
