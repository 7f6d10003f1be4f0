namespace Pm.Internal;

/// <summary>Retains the most recently finished tasks in fixed rings that writers fill without a lock.</summary>
/// <remarks>
/// Each processor writes to a ring of its own, claiming a slot with one interlocked increment on a counter that
/// other cores rarely touch; readers merge the rings, order them by end time and keep the newest. So at most
/// <c>rings × limit</c> tasks are referenced, and exactly the newest <c>limit</c> are reported. A reader racing a
/// writer may miss the newest task or see it early; it never sees a task twice.
/// </remarks>
internal sealed class FinishedRing
{
    private readonly Ring[] _rings;
    private readonly int _limit;

    public FinishedRing(int limit)
    {
        _limit = limit;
        _rings = new Ring[Math.Min(Environment.ProcessorCount, 8)];
        for (var i = 0; i < _rings.Length; i++)
        {
            _rings[i] = new Ring(limit);
        }
    }

    public void Add(TrackedTask task)
    {
        var rings = _rings;
        rings[(uint)Thread.GetCurrentProcessorId() % (uint)rings.Length].Add(task);
    }

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

    private sealed class Ring(int capacity)
    {
        private readonly TrackedTask?[] _slots = new TrackedTask?[capacity];
        private int _next;

        public void Add(TrackedTask task)
        {
            // 32-bit arithmetic: the sequence wraps after 2^32 tasks, which only moves the next slot once.
            var sequence = (uint)(Interlocked.Increment(ref _next) - 1);
            Volatile.Write(ref _slots[(int)(sequence % (uint)_slots.Length)], task);
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
