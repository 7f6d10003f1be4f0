namespace Pm.Internal;

/// <summary>Holds the running tasks whose ids hash to one stripe, under a lock of its own.</summary>
/// <remarks>A dictionary reuses its freed entries, so a start and an end allocate nothing here.</remarks>
internal sealed class Stripe
{
    private readonly Lock _lock = new();
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
            if (_tasks.TryGetValue(task.Id, out var current) && ReferenceEquals(current, task))
            {
                _tasks.Remove(task.Id);
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
