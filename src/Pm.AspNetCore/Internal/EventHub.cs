using System.Collections.Concurrent;

namespace Pm.AspNetCore.Internal;

/// <summary>Turns a list's changes into frames at a bounded rate, serializes each frame once, and hands it to every subscriber.</summary>
/// <remarks>
/// <para>
/// While anyone subscribes, the hub observes the list: each change costs the task that made it one enqueue, whatever
/// the number of subscribers. Every <paramref name="interval"/> it coalesces the changes into one frame; a subscriber
/// gets the view as of the last frame, then every frame after it. The subscribers of all the hubs of one list share
/// one set of <paramref name="slots"/>.
/// </para>
/// <para>When the last subscriber leaves, the hub stops observing and lets go of its view, so memory returns to its baseline.</para>
/// </remarks>
internal sealed class EventHub(ProcessList list, ProcessListEndpointOptions options, TimeProvider time, TimeSpan interval, EventSlots slots)
{
    // Changes waiting to be taken in; past this the loop is not keeping up, and it resynchronizes instead.
    private const int MaxPendingChanges = 100_000;

    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(10);

    private readonly Lock _lock = new();
    private readonly List<EventSubscriber> _subscribers = [];
    private Run? _run;

    /// <summary>Gets the time between two frames.</summary>
    public TimeSpan Interval => interval;

    /// <summary>Gets how many subscribers are connected.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Gets a value indicating whether the hub is observing the list.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _run is not null;
            }
        }
    }

    /// <summary>Subscribes, unless the slots refuse it.</summary>
    /// <param name="client">Who subscribes: the authenticated user, else the remote address.</param>
    /// <param name="snapshot">The running tasks as of the last frame; shared, not to be changed.</param>
    /// <param name="snapshotTime">The time of the last frame.</param>
    /// <param name="refusal">Why the subscriber was refused, in words; <see langword="null"/> when it joined.</param>
    /// <returns>The subscriber, or <see langword="null"/> when refused.</returns>
    public EventSubscriber? TryJoin(string client, out EventView.Entry[] snapshot, out DateTimeOffset snapshotTime, out string? refusal)
    {
        lock (_lock)
        {
            var subscriber = new EventSubscriber(options.EventBufferSize, client, time.GetTimestamp());
            refusal = slots.TryTake(subscriber);
            if (refusal is not null)
            {
                snapshot = [];
                snapshotTime = default;
                return null;
            }

            var run = _run ??= Start();
            _subscribers.Add(subscriber);
            snapshot = run.View.Snapshot;
            snapshotTime = run.View.Time;
            return subscriber;
        }
    }

    /// <summary>Unsubscribes; the hub stops at its next frame if no one is left.</summary>
    public void Leave(EventSubscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
            slots.Release(subscriber);
        }
    }

    private Run Start()
    {
        var run = new Run();
        run.Subscription = list.Subscribe(run.OnChange);
        run.View.Reset(list.GetAll(), time.GetUtcNow());
        _ = LoopAsync(run);
        return run;
    }

    private async Task LoopAsync(Run run)
    {
        // Changes are taken in often, so what waits in the queue stays small under any request rate; frames go out
        // once per frame interval.
        using var timer = new PeriodicTimer(interval < DrainInterval ? interval : DrainInterval, time);
        var lastFrame = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                lock (_lock)
                {
                    if (_subscribers.Count == 0)
                    {
                        Stop(run);
                        return;
                    }

                    var frame = Drain(run);
                    if (frame is null && time.GetElapsedTime(lastFrame) >= interval)
                    {
                        lastFrame = time.GetTimestamp();
                        frame = run.View.Frame(list, time.GetUtcNow());
                    }

                    if (frame is not null)
                    {
                        foreach (var subscriber in _subscribers)
                        {
                            subscriber.Post(frame);
                        }
                    }
                }
            }
        }
#pragma warning disable CA1031 // A failure here must end the streams, never the process: subscribers reconnect to a new run.
        catch (Exception)
#pragma warning restore CA1031
        {
            lock (_lock)
            {
                Stop(run);
                foreach (var subscriber in _subscribers)
                {
                    subscriber.End();
                    slots.Release(subscriber);
                }

                _subscribers.Clear();
            }
        }
    }

    // Takes the waiting changes into the view; returns a fresh snapshot for everyone if changes were lost.
    private byte[]? Drain(Run run)
    {
        if (run.Overflowed)
        {
            while (run.Changes.TryDequeue(out _))
            {
                Interlocked.Decrement(ref run.Pending);
            }

            run.Overflowed = false;
            var now = time.GetUtcNow();
            run.View.Reset(list.GetAll(), now);
            return EventFormat.Snapshot(run.View.Snapshot, now);
        }

        var taken = 0;
        for (var count = Volatile.Read(ref run.Pending); count > 0 && run.Changes.TryDequeue(out var change); count--)
        {
            run.View.Take(change);
            taken++;
        }

        Interlocked.Add(ref run.Pending, -taken);
        return null;
    }

    private void Stop(Run run)
    {
        run.Subscription?.Dispose();
        if (ReferenceEquals(_run, run))
        {
            _run = null;
        }
    }

    /// <summary>One period of observing: from the first subscriber to the last one leaving.</summary>
    private sealed class Run
    {
        public readonly ConcurrentQueue<TaskEvent> Changes = new();
        public readonly EventView View = new();
        public IDisposable? Subscription;
        public int Pending;
        public volatile bool Overflowed;

        // Called by the task that changed, outside the tracker's locks: one enqueue, never a wait.
        public void OnChange(TaskEvent change)
        {
            if (Interlocked.Increment(ref Pending) > MaxPendingChanges)
            {
                Interlocked.Decrement(ref Pending);
                Overflowed = true;
                return;
            }

            Changes.Enqueue(change);
        }
    }
}
