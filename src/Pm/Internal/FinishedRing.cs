using System.Runtime.InteropServices;

namespace Pm.Internal;

/// <summary>Retains the most recently finished tasks in one fixed ring that writers fill without a lock.</summary>
/// <remarks>
/// The ring has exactly <c>limit</c> slots, so it never references more finished tasks than the limit. A thread claims
/// a block of consecutive slots with one interlocked add and fills it on its own, so the shared counter moves between
/// cores once per block rather than once per task. Slots a thread claimed but has not filled yet still hold tasks from
/// the previous lap, so with several threads the ring holds the newest tasks less those few. Readers order the tasks
/// by end time. A reader racing a writer may miss the newest task or see it early; it never sees a task twice.
/// </remarks>
internal sealed class FinishedRing
{
    private const int MaxBlock = 16;

    // The block this thread claimed, and in which ring: a thread may end tasks of several lists.
    [ThreadStatic]
    private static FinishedRing? t_owner;

    [ThreadStatic]
    private static uint t_next;

    [ThreadStatic]
    private static uint t_end;

    private readonly TrackedTask?[] _slots;
    private readonly ulong _multiplier;
    private readonly uint _block;
    private readonly Counter _counter = new();

    public FinishedRing(int limit)
    {
        _slots = new TrackedTask?[limit];
        _multiplier = RemainderMultiplier((uint)limit);

        // Small rings claim one slot at a time, so that they hold exactly the newest tasks.
        _block = (uint)Math.Clamp(limit / 64, 1, MaxBlock);
    }

    public void Add(TrackedTask task)
    {
        var next = t_next;
        if (!ReferenceEquals(t_owner, this) || next == t_end)
        {
            // 32-bit arithmetic: the sequence wraps after 2^32 tasks, which only moves the next slot once.
            next = (uint)Interlocked.Add(ref _counter.Value, (int)_block) - _block;
            t_owner = this;
            t_end = next + _block;
        }

        t_next = next + 1;
        Volatile.Write(ref _slots[(int)Remainder(next, (uint)_slots.Length, _multiplier)], task);
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
