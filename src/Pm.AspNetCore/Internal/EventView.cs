using System.Buffers;
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
    private static readonly byte[] FramePrefix = Encoding.UTF8.GetBytes("event: frame\ndata: ");
    private static readonly byte[] EventEnd = Encoding.UTF8.GetBytes("\n\n");

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _changed = new(StringComparer.Ordinal); // id → start of the task, 0 if unknown
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
                if (_changed.TryGetValue(change.TaskId, out var changedStart) && (changedStart == start || (changedStart == 0 && !listed)))
                {
                    _changed.Remove(change.TaskId);
                }

                break;
            case TaskEventKind.Started:
                _startedCount++;
                _changed[change.TaskId] = change.Timestamp.UtcTicks;
                break;
            default:
                _changed.TryAdd(change.TaskId, 0);
                break;
        }
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
        foreach (var id in _changed.Keys)
        {
            // A task not found has ended since; its end is in this batch or the next.
            if (list.TryGet(id, out var task))
            {
                var entry = Serialize(task);
                _entries[id] = entry;
                _snapshot = null;
                writer.WriteRawValue(entry.Json, skipInputValidation: true);
            }
        }

        writer.WriteEndArray();
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

    /// <summary>A task of the view that ended, to be reported in the next frame.</summary>
    private readonly record struct Ended(string Id, string Outcome, TimeSpan Duration, DateTimeOffset EndTime);

    /// <summary>A task of the view: its start, which tells it apart from a later task with the same id, and its JSON.</summary>
    internal sealed record Entry(long StartTicks, byte[] Json);
}
