using System.Numerics;
using System.Runtime.InteropServices;

namespace Pm.Internal;

/// <summary>Holds the running tasks whose ids hash to one stripe: a chained hash table under a gate of its own.</summary>
/// <remarks>
/// <para>
/// The chains run through the tasks themselves (<see cref="TrackedTask.NextInStripe"/>) and each task keeps its id's
/// hash, so a start hashes the id once and allocates nothing here, and an end finds its task by reference without
/// hashing or comparing strings.
/// </para>
/// <para>
/// The fields sit in the middle of a 192-byte object and the bucket array keeps empty slots at both ends, so two
/// threads working on different stripes never write to the same cache line.
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal sealed class Stripe
{
    private const int Padding = 8;
    private const int InitialBuckets = 8;

    [FieldOffset(64)]
    private TrackedTask?[] _buckets = new TrackedTask?[InitialBuckets + (2 * Padding)];

    [FieldOffset(72)]
    private int _mask = InitialBuckets - 1;

    [FieldOffset(76)]
    private int _count;

    [FieldOffset(80)]
    private int _gate;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds a task unless a task with the same id is already there.</summary>
    public bool TryAdd(TrackedTask task)
    {
        SpinGate.Enter(ref _gate);
        try
        {
            var buckets = _buckets;
            ref var head = ref buckets[Padding + (BucketBits(task.IdHash) & _mask)];
            for (var other = head; other is not null; other = other.NextInStripe)
            {
                if (other.IdHash == task.IdHash && string.Equals(other.Id, task.Id, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            // Storing a null reference needs no write barrier: most chains are empty, so skip the store then.
            if (head is not null)
            {
                task.NextInStripe = head;
            }

            head = task;
            if (++_count > _mask + 1)
            {
                Resize((_mask + 1) * 2);
            }

            return true;
        }
        finally
        {
            // Resizing allocates and may throw; the gate must not stay shut.
            SpinGate.Exit(ref _gate);
        }
    }

    /// <summary>Removes this very task, if it is there; another task with the same id is never touched.</summary>
    public void Remove(TrackedTask task)
    {
        SpinGate.Enter(ref _gate);
        try
        {
            ref var link = ref _buckets[Padding + (BucketBits(task.IdHash) & _mask)];
            while (link is not null)
            {
                if (ReferenceEquals(link, task))
                {
                    if (task.NextInStripe is { } next)
                    {
                        link = next;
                        task.NextInStripe = null;
                    }
                    else
                    {
                        link = null;
                    }

                    // Shrinks once a burst is over, with room to spare so that a count hovering near a bound does
                    // not resize on every start and end.
                    if (--_count < (_mask + 1) / 8 && _mask + 1 > InitialBuckets)
                    {
                        Resize(Math.Max(InitialBuckets, (int)BitOperations.RoundUpToPowerOf2((uint)_count * 2)));
                    }

                    break;
                }

                link = ref link.NextInStripe;
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }
    }

    public TrackedTask? Find(string id, int hash)
    {
        SpinGate.Enter(ref _gate);
        var task = _buckets[Padding + (BucketBits(hash) & _mask)];
        while (task is not null && (task.IdHash != hash || !string.Equals(task.Id, id, StringComparison.Ordinal)))
        {
            task = task.NextInStripe;
        }

        SpinGate.Exit(ref _gate);
        return task;
    }

    public void CopyTo(List<TrackedTask> destination)
    {
        SpinGate.Enter(ref _gate);
        try
        {
            var buckets = _buckets;
            for (var i = Padding; i < buckets.Length - Padding; i++)
            {
                for (var task = buckets[i]; task is not null; task = task.NextInStripe)
                {
                    destination.Add(task);
                }
            }
        }
        finally
        {
            // Growing the destination may throw; the gate must not stay shut.
            SpinGate.Exit(ref _gate);
        }
    }

    /// <summary>Adds the tasks the watchdog has something to report about to <paramref name="destination"/>.</summary>
    public void CollectOverdue(long nowTicks, List<TrackedTask> destination)
    {
        SpinGate.Enter(ref _gate);
        try
        {
            var buckets = _buckets;
            for (var i = Padding; i < buckets.Length - Padding; i++)
            {
                for (var task = buckets[i]; task is not null; task = task.NextInStripe)
                {
                    if (task.IsOverdue(nowTicks))
                    {
                        destination.Add(task);
                    }
                }
            }
        }
        finally
        {
            SpinGate.Exit(ref _gate);
        }
    }

    // The low bits chose the stripe; the bucket takes the others, so a stripe's tasks spread over all its buckets.
    private static int BucketBits(int hash) => (int)BitOperations.RotateRight((uint)hash, 8);

    /// <summary>Gets the number of buckets, which follows the number of tasks up and down.</summary>
    internal int BucketCount => _mask + 1;

    // Rehashes into a new bucket array: doubled when the chains average more than one task, made smaller when
    // they average less than an eighth. Called under the gate.
    private void Resize(int bucketCount)
    {
        var old = _buckets;
        var mask = bucketCount - 1;
        var buckets = new TrackedTask?[mask + 1 + (2 * Padding)];
        for (var i = Padding; i < old.Length - Padding; i++)
        {
            var task = old[i];
            while (task is not null)
            {
                var next = task.NextInStripe;
                ref var head = ref buckets[Padding + (BucketBits(task.IdHash) & mask)];
                task.NextInStripe = head;
                head = task;
                task = next;
            }
        }

        _buckets = buckets;
        _mask = mask;
    }
}
