using System.Runtime.InteropServices;

namespace Pm.Internal;

/// <summary>Retains the most recently finished tasks in one fixed ring that writers fill without a lock.</summary>
/// <remarks>
/// The ring has exactly <c>limit</c> slots, so it never references more finished tasks than the limit. Each task takes
/// the next number of one shared sequence and goes to the slot that number selects, unless a task with a later number
/// already stands there: a writer that was paused between taking its number and writing never overwrites a newer task.
/// So, once its writers have returned, the ring holds exactly the newest <c>limit</c> tasks in the sequence's order,
/// whatever the interleaving. Readers order the tasks by end time. A reader racing a writer may miss the newest task
/// or see it early; it never sees a task twice.
/// </remarks>
internal sealed class FinishedRing
{
    private readonly TrackedTask?[] _slots;
    private readonly ulong _multiplier;
    private readonly Counter _counter = new();

    public FinishedRing(int limit)
    {
        _slots = new TrackedTask?[limit];
        _multiplier = RemainderMultiplier((uint)limit);
    }

    public void Add(TrackedTask task)
    {
        // 32-bit arithmetic: the sequence wraps after 2^32 tasks, which only moves the next slot once; numbers are
        // compared by their difference, so the wrap never makes an old task look newer.
        var sequence = (uint)Interlocked.Increment(ref _counter.Value);
        task.FinishedSequence = sequence;
        ref var slot = ref _slots[(int)Remainder(sequence, (uint)_slots.Length, _multiplier)];
        var current = Volatile.Read(ref slot);
        while (current is null || (int)(sequence - current.FinishedSequence) > 0)
        {
            var seen = Interlocked.CompareExchange(ref slot, task, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Computes the constant that lets <see cref="Remainder"/> divide by <paramref name="divisor"/>.</summary>
    internal static ulong RemainderMultiplier(uint divisor) => (ulong.MaxValue / divisor) + 1;

    /// <summary>Computes <c>value % divisor</c> with two multiplications (Lemire's fast remainder); a division costs tens of cycles.</summary>
    internal static uint Remainder(uint value, uint divisor, ulong multiplier) =>
        (uint)(((((multiplier * value) >> 32) + 1) * divisor) >> 32);

    public List<TrackedTask> CopyNewestFirst(long minimumEndTicks)
    {
        var result = new List<TrackedTask>();
        foreach (ref var slot in _slots.AsSpan())
        {
            if (Volatile.Read(ref slot) is { } task && task.EndTicks >= minimumEndTicks)
            {
                result.Add(task);
            }
        }

        result.Sort(static (a, b) => b.EndTicks.CompareTo(a.EndTicks));
        return result;
    }

    public TrackedTask? FindNewest(string id, long minimumEndTicks)
    {
        TrackedTask? newest = null;
        foreach (ref var slot in _slots.AsSpan())
        {
            if (Volatile.Read(ref slot) is { } task && task.EndTicks >= minimumEndTicks
                && string.Equals(task.Id, id, StringComparison.Ordinal) && (newest is null || task.EndTicks > newest.EndTicks))
            {
                newest = task;
            }
        }

        return newest;
    }

    // The counter sits in the middle of a 192-byte object, so no other field written elsewhere shares its cache line.
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private sealed class Counter
    {
        [FieldOffset(64)]
        public int Value;
    }
}
