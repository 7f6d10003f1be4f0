namespace Pm.Internal;

/// <summary>Retains the most recently finished tasks in a fixed ring that writers fill without a lock.</summary>
/// <remarks>
/// Each finished task claims a slot with one interlocked increment; readers copy the slots and order them by end
/// time. A reader racing a writer may miss the newest task or see it early; it never sees a task twice.
/// </remarks>
internal sealed class FinishedRing(int capacity)
{
    private readonly TrackedTask?[] _slots = new TrackedTask?[capacity];
    private long _next;

    public void Add(TrackedTask task)
    {
        var sequence = Interlocked.Increment(ref _next) - 1;
        Volatile.Write(ref _slots[(int)((ulong)sequence % (ulong)_slots.Length)], task);
    }

    public List<TrackedTask> CopyNewestFirst(long minimumEndTicks)
    {
        var result = new List<TrackedTask>(Math.Min(_slots.Length, (int)Math.Min(Volatile.Read(ref _next), int.MaxValue)));
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
        TrackedTask? found = null;
        foreach (ref var slot in _slots.AsSpan())
        {
            if (Volatile.Read(ref slot) is { } task && task.EndTicks >= minimumEndTicks
                && string.Equals(task.Id, id, StringComparison.Ordinal) && (found is null || task.EndTicks > found.EndTicks))
            {
                found = task;
            }
        }

        return found;
    }
}
