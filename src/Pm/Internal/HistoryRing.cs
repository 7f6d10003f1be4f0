using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Pm.Internal;

/// <summary>A task's status history after <c>init</c>: a ring that keeps the newest entries and counts the dropped ones.</summary>
/// <remarks>
/// A mutable struct kept inside the task, so that its first entries cost no allocation of their own; the task calls
/// it under its gate. It grows by doubling up to <c>limit - 1</c> entries (the task's history limit less <c>init</c>),
/// then overwrites the oldest.
/// </remarks>
internal struct HistoryRing
{
    /// <summary>The newest entry's time, or the task's start before any; once the task has ended, its end time.</summary>
    /// <remarks>Written under the task's gate; read without it (with <see cref="Volatile"/>) for the end time.</remarks>
    public long LastTicks;

    private StatusEntry[]? _entries;
    private InlineEntries _inline;
    private int _head;
    private int _count;
    private int _dropped;

    /// <summary>Gets how many entries the ring holds.</summary>
    public readonly int Count => _count;

    /// <summary>Gets how many entries were dropped to stay within the limit.</summary>
    public readonly int Dropped => _dropped;

    /// <summary>Appends an entry, never earlier than the newest, and returns its time.</summary>
    public long Append(long ticks, string status, int limit, CallRecord? call = null)
    {
        // Clocks are read before the gate is taken, so a writer that was preempted may arrive with an older
        // reading than the last entry; history stays in time order by never going back.
        ticks = Math.Max(ticks, LastTicks);
        LastTicks = ticks;

        var entries = Buffer(limit);
        if (_count == entries.Length)
        {
            if (entries.Length < limit - 1)
            {
                entries = Grow(entries, limit);
            }
            else
            {
                entries[_head] = new StatusEntry(ticks, status, call);
                _head = _head + 1 == entries.Length ? 0 : _head + 1;
                _dropped++;
                return ticks;
            }
        }

        var index = _head + _count;
        entries[index >= entries.Length ? index - entries.Length : index] = new StatusEntry(ticks, status, call);
        _count++;
        return ticks;
    }

    /// <summary>Gets the newest entry, if any.</summary>
    [UnscopedRef]
    public bool TryGetNewest(int limit, out StatusEntry newest)
    {
        if (_count == 0)
        {
            newest = default;
            return false;
        }

        var entries = Buffer(limit);
        newest = entries[(_head + _count - 1) % entries.Length];
        return true;
    }

    /// <summary>Copies the entries, oldest first, into <paramref name="destination"/>.</summary>
    [UnscopedRef]
    public void CopyTo(Span<HistoryEntry> destination, int limit)
    {
        var entries = Buffer(limit);
        for (var i = 0; i < _count; i++)
        {
            var e = entries[(_head + i) % entries.Length];
            var time = new DateTimeOffset(e.Ticks, TimeSpan.Zero);
            destination[i] = e.Call is { } call
                ? ReferenceEquals(call, CallRecord.Progress) ? new HistoryEntry(time, e.Status) { Kind = call.Kind }
                : new HistoryEntry(time, call.Text) { Kind = call.Kind, Target = call.Target, Duration = TimeSpan.FromTicks(call.DurationTicks) }
                : new HistoryEntry(time, e.Status);
        }
    }

    /// <summary>Copies the entries as kept, oldest first, into <paramref name="destination"/>.</summary>
    [UnscopedRef]
    public void CopyTo(Span<StatusEntry> destination, int limit)
    {
        var entries = Buffer(limit);
        for (var i = 0; i < _count; i++)
        {
            destination[i] = entries[(_head + i) % entries.Length];
        }
    }

    // Moves a full ring into an array twice its size, up to the limit.
    private StatusEntry[] Grow(Span<StatusEntry> entries, int limit)
    {
        var grown = new StatusEntry[Math.Min(entries.Length * 2, limit - 1)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = entries[(_head + i) % entries.Length];
        }

        _entries = grown;
        _head = 0;
        return grown;
    }

    // The first entries live in the ring itself, inside the task, so a short task allocates no array for them.
    [UnscopedRef]
    private Span<StatusEntry> Buffer(int limit) =>
        _entries is { } array ? array : ((Span<StatusEntry>)_inline)[..Math.Min(InlineEntries.Length, limit - 1)];

    /// <summary>Room for the first entries, inside the task object.</summary>
    [InlineArray(Length)]
    private struct InlineEntries
    {
        public const int Length = 4;

        private StatusEntry _first;
    }
}
