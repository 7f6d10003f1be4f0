using Pm.Internal;

namespace Pm.Tests.Internal;

public sealed class StripeTests
{
    private static readonly ProcessList Owner = new();

    // Tasks built directly, so a test chooses their hashes: equal hashes put them in one chain.
    private static TrackedTask Task(string id, int hash) => new(Owner, id, hash, null, TaskOptions.Default, 0, null);

    [Fact]
    public void TryAdd_SameIdAndHash_IsRefusedAndKeepsTheFirst()
    {
        var stripe = new Stripe();
        var first = Task("a", 7);

        Assert.True(stripe.TryAdd(first));
        Assert.False(stripe.TryAdd(Task("a", 7)));

        Assert.Same(first, stripe.Find("a", 7));
        Assert.Equal(1, stripe.Count);
    }

    [Fact]
    public void CollidingHashes_EachIdIsFoundAndRemovedOnItsOwn()
    {
        var stripe = new Stripe();
        var tasks = Enumerable.Range(0, 5).Select(i => Task($"t{i}", 42)).ToArray();
        foreach (var task in tasks)
        {
            Assert.True(stripe.TryAdd(task));
        }

        // Middle, last added (the chain's head), first added (its tail).
        foreach (var index in new[] { 2, 4, 0 })
        {
            stripe.Remove(tasks[index]);
            Assert.Null(stripe.Find(tasks[index].Id, 42));
            Assert.Null(tasks[index].NextInStripe);
        }

        Assert.Same(tasks[1], stripe.Find("t1", 42));
        Assert.Same(tasks[3], stripe.Find("t3", 42));
        Assert.Equal(2, stripe.Count);
    }

    [Fact]
    public void Remove_AnotherTaskWithTheSameId_LeavesTheStoredOneAlone()
    {
        var stripe = new Stripe();
        var running = Task("a", 1);
        stripe.TryAdd(running);

        stripe.Remove(Task("a", 1));

        Assert.Same(running, stripe.Find("a", 1));
        Assert.Equal(1, stripe.Count);
    }

    [Fact]
    public void ManyTasks_SurviveGrowingAndAreAllCopied()
    {
        var stripe = new Stripe();
        var tasks = Enumerable.Range(0, 10_000).Select(i => Task($"t{i}", i * 31)).ToArray();
        foreach (var task in tasks)
        {
            Assert.True(stripe.TryAdd(task));
        }

        foreach (var task in tasks.Where((_, i) => i % 3 == 0))
        {
            stripe.Remove(task);
        }

        var copied = new List<TrackedTask>();
        stripe.CopyTo(copied);
        var expected = tasks.Where((_, i) => i % 3 != 0).ToArray();
        Assert.Equal(expected.Length, stripe.Count);
        Assert.Equal(expected.Select(t => t.Id).Order(), copied.Select(t => t.Id).Order());
        Assert.All(expected, t => Assert.Same(t, stripe.Find(t.Id, t.IdHash)));
    }

    [Fact]
    public void Buckets_FollowTheCountUpAndBackDown()
    {
        var stripe = new Stripe();
        var initial = stripe.BucketCount;
        var tasks = Enumerable.Range(0, 4096).Select(i => Task($"t{i}", i * 7919)).ToArray();
        foreach (var task in tasks)
        {
            stripe.TryAdd(task);
        }

        Assert.Equal(4096, stripe.BucketCount);

        foreach (var task in tasks[1..])
        {
            stripe.Remove(task);
        }

        Assert.Equal(initial, stripe.BucketCount);
        Assert.Same(tasks[0], stripe.Find(tasks[0].Id, tasks[0].IdHash));
    }

    [Fact]
    public void ContendedStripe_KeepsEveryTaskItsOwn()
    {
        // Four threads on one stripe and one chain (equal hashes): every add, find and remove meets the others.
        var stripe = new Stripe();
        const int Rounds = 50_000;
        var failures = 0;
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var mine = Enumerable.Range(0, 4).Select(i => Task($"t{t}-{i}", 99)).ToArray();
            for (var round = 0; round < Rounds; round++)
            {
                var task = mine[round % mine.Length];
                if (!stripe.TryAdd(task) || !ReferenceEquals(stripe.Find(task.Id, 99), task))
                {
                    Interlocked.Increment(ref failures);
                }

                stripe.Remove(task);
                if (stripe.Find(task.Id, 99) is not null)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })
        {
            // A broken gate can tie a chain into a loop; the test then fails on the timeout below, not hangs.
            IsBackground = true,
        }).ToArray();

        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromMinutes(1)), "a thread never finished: a chain was corrupted");
        }

        Assert.Equal(0, failures);
        Assert.Equal(0, stripe.Count);
    }
}
