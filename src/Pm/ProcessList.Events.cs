
namespace Pm;

public sealed partial class ProcessList
{
    private readonly Lock _observersLock = new();
    private Action<TaskEvent>[] _observers = [];

    /// <summary>Subscribes an observer to every change of every task of this list.</summary>
    /// <param name="observer">
    /// Called synchronously on the thread that made the change, after the change and outside the tracker's locks.
    /// It must be fast and must not block: hand the event to a queue. An exception it throws is ignored.
    /// </param>
    /// <returns>A subscription; disposing it stops the calls.</returns>
    /// <remarks>With no subscriber, changes cost one field read.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="observer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The list was disposed.</exception>
    public IDisposable Subscribe(Action<TaskEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_observersLock)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    internal bool HasObservers => Volatile.Read(ref _observers).Length != 0;

    internal void Publish(in TaskEvent change)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                observer(change);
            }
#pragma warning disable CA1031 // An observer's failure is its own; the task that changed must not see it.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    internal void Publish(TaskEventKind kind, string id, long ticks, string? text) =>
        Publish(new TaskEvent(kind, id, new DateTimeOffset(ticks, TimeSpan.Zero), text));

    private void Unsubscribe(Action<TaskEvent> observer)
    {
        lock (_observersLock)
        {
            var index = Array.IndexOf(_observers, observer);
            if (index >= 0)
            {
                _observers = [.. _observers.AsSpan(0, index), .. _observers.AsSpan(index + 1)];
            }
        }
    }

    private sealed class Subscription(ProcessList list, Action<TaskEvent> observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                list.Unsubscribe(observer);
            }
        }
    }
}
