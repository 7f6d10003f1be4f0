using System.Diagnostics.CodeAnalysis;

namespace Pm;

public sealed partial class ProcessList
{
    /// <summary>Gets a snapshot of every running task, in no particular order.</summary>
    /// <returns>The snapshots; each is consistent for its task.</returns>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public IReadOnlyList<TaskSnapshot> GetAll()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var tasks = new List<TrackedTask>(Count + 16);
        foreach (var stripe in _stripes)
        {
            stripe.CopyTo(tasks);
        }

        var result = new List<TaskSnapshot>(tasks.Count);
        foreach (var task in tasks)
        {
            if (task.Snapshot() is { } snapshot)
            {
                result.Add(snapshot);
            }
        }

        return result;
    }

    /// <summary>Gets a snapshot of one running task.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="snapshot">The snapshot, when the task is running.</param>
    /// <returns><see langword="true"/> if a task with that id is running.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public bool TryGet(string id, [NotNullWhen(true)] out TaskSnapshot? snapshot)
    {
        snapshot = Find(id)?.Snapshot();
        return snapshot is not null;
    }

    /// <summary>Gets the history of a running task or, failing that, of the newest retained finished task with that id.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="history">The history, when found.</param>
    /// <returns><see langword="true"/> if a running or retained task has that id.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public bool TryGetHistory(string id, [NotNullWhen(true)] out TaskHistory? history)
    {
        var task = Find(id) ?? _finished?.FindNewest(id, MinimumRetainedEndTicks());
        history = task?.GetHistory();
        return history is not null;
    }

    /// <summary>Gets the retained finished tasks, most recently finished first.</summary>
    /// <returns>The finished tasks' histories, each with its outcome.</returns>
    /// <remarks>Retention is bounded by <see cref="ProcessListOptions.FinishedTaskLimit"/> and <see cref="ProcessListOptions.FinishedTaskMaxAge"/>.</remarks>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public IReadOnlyList<TaskHistory> GetFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished is null)
        {
            return [];
        }

        var tasks = _finished.CopyNewestFirst(MinimumRetainedEndTicks());
        var result = new TaskHistory[tasks.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = tasks[i].GetHistory();
        }

        return result;
    }

    private long MinimumRetainedEndTicks() =>
        _finishedMaxAge is { } age ? NowTicks() - age.Ticks : long.MinValue;
}
