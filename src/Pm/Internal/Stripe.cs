using System.Diagnostics.CodeAnalysis;

namespace Pm.Internal;

/// <summary>Holds the running tasks whose ids hash to one stripe, under a lock of its own.</summary>
/// <remarks>A dictionary reuses its freed entries, so a start and an end allocate nothing here.</remarks>
internal sealed class Stripe
{
    private readonly Lock _lock = new();

    // Keeps the next stripe's lock off this one's cache line: threads that start and end tasks on different
    // stripes would otherwise still contend through false sharing.
    [SuppressMessage("Style", "IDE0052:Remove unread private members", Justification = "Padding, read by nobody.")]
    private readonly byte[] _padding = new byte[64];
    private readonly Dictionary<string, TrackedTask> _tasks = new(StringComparer.Ordinal);

    public int Count => _tasks.Count;

    public bool TryAdd(string id, TrackedTask task)
    {
        lock (_lock)
        {
            return _tasks.TryAdd(id, task);
        }
    }

    public void Remove(TrackedTask task)
    {
        lock (_lock)
        {
            // Never remove another task's entry, whatever happens to the id.
            if (_tasks.Remove(task.Id, out var current) && !ReferenceEquals(current, task))
            {
                _tasks.Add(current.Id, current);
            }
        }
    }

    public TrackedTask? Find(string id)
    {
        lock (_lock)
        {
            return _tasks.GetValueOrDefault(id);
        }
    }

    public void CopyTo(List<TrackedTask> destination)
    {
        lock (_lock)
        {
            destination.AddRange(_tasks.Values);
        }
    }
}
