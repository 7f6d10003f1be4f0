using System.Numerics;
using System.Runtime.InteropServices;

namespace Pm.Internal;

/// <summary>Retains the most recently finished tasks in fixed rings that writers fill without a lock.</summary>
/// <remarks>
/// Threads are dealt out over the rings (about one per processor) in the order they first finish a task, and claim
/// a slot with one interlocked increment on a counter that other cores rarely touch; readers merge the rings,
/// order them by end time and keep the newest. So at most <c>rings × limit</c> tasks are referenced, and exactly
/// the newest <c>limit</c> are reported. A reader racing a
/// writer may miss the newest task or see it early; it never sees a task twice.
/// </remarks>
internal sealed class FinishedRing
{
    private static int s_lastOrdinal;

    [ThreadStatic]
    private static int t_ordinal;

    private readonly Ring[] _rings;
    private readonly int _limit;

    public FinishedRing(int limit)
    {
        _limit = limit;
        _rings = new Ring[Math.Min(BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount), 8)];
        for (var i = 0; i < _rings.Length; i++)
        {
            _rings[i] = new Ring(limit);
        }
    }

    public void Add(TrackedTask task)
    {
        var rings = _rings;
        var ordinal = t_ordinal;
        if (ordinal == 0)
        {
            // A thread-static number rather than the current processor's: asking the OS for that costs a
            // native call per task.
            ordinal = t_ordinal = Interlocked.Increment(ref s_lastOrdinal) | int.MinValue;
        }

        rings[ordinal & (rings.Length - 1)].Add(task);
    }

    /// <summary>Computes the constant that lets <see cref="Remainder"/> divide by <paramref name="divisor"/>.</summary>
    internal static ulong RemainderMultiplier(uint divisor) => (ulong.MaxValue / divisor) + 1;

    /// <summary>Computes <c>value % divisor</c> with two multiplications (Lemire's fast remainder); a division costs tens of cycles.</summary>
    internal static uint Remainder(uint value, uint divisor, ulong multiplier) =>
        (uint)(((((multiplier * value) >> 32) + 1) * divisor) >> 32);

    public List<TrackedTask> CopyNewestFirst(long minimumEndTicks)
    {
        var result = new List<TrackedTask>();
        foreach (var ring in _rings)
        {
            ring.CopyTo(result, minimumEndTicks);
        }

        result.Sort(static (a, b) => b.EndTicks.CompareTo(a.EndTicks));
        if (result.Count > _limit)
        {
            result.RemoveRange(_limit, result.Count - _limit);
        }

        return result;
    }

    public TrackedTask? FindNewest(string id, long minimumEndTicks)
    {
        var tasks = CopyNewestFirst(minimumEndTicks);
        return tasks.Find(t => string.Equals(t.Id, id, StringComparison.Ordinal));
    }

    // The counter sits in the middle of a 192-byte object: rings written by different threads, allocated side by
    // side, would otherwise share a cache line and every finished task would move it between cores.
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private sealed class Ring
    {
        [FieldOffset(64)]
        private readonly TrackedTask?[] _slots;

        [FieldOffset(72)]
        private readonly ulong _multiplier;

        [FieldOffset(80)]
        private int _next;

        public Ring(int capacity)
        {
            _slots = new TrackedTask?[capacity];
            _multiplier = RemainderMultiplier((uint)capacity);
        }

        public void Add(TrackedTask task)
        {
            // 32-bit arithmetic: the sequence wraps after 2^32 tasks, which only moves the next slot once.
            var sequence = (uint)(Interlocked.Increment(ref _next) - 1);
            Volatile.Write(ref _slots[(int)Remainder(sequence, (uint)_slots.Length, _multiplier)], task);
        }

        public void CopyTo(List<TrackedTask> destination, long minimumEndTicks)
        {
            foreach (ref var slot in _slots.AsSpan())
            {
                if (Volatile.Read(ref slot) is { } task && task.EndTicks >= minimumEndTicks)
                {
                    destination.Add(task);
                }
            }
        }
    }
}
