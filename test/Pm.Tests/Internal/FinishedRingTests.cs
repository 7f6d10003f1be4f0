using Pm.Internal;

namespace Pm.Tests.Internal;

public sealed class FinishedRingTests
{
    [Theory]
    [InlineData(1u)]
    [InlineData(3u)]
    [InlineData(7u)]
    [InlineData(1000u)]
    [InlineData(1024u)]
    [InlineData(999_983u)]
    [InlineData((uint)int.MaxValue)]
    public void Remainder_MatchesTheRemainderOperator(uint divisor)
    {
        var multiplier = FinishedRing.RemainderMultiplier(divisor);
        var random = new Random(1234);
        uint[] edges = [0, 1, divisor - 1, divisor, divisor + 1, int.MaxValue, (uint)int.MaxValue + 1, uint.MaxValue - 1, uint.MaxValue];
        foreach (var value in edges.Concat(Enumerable.Range(0, 10_000).Select(_ => (uint)random.NextInt64(0, 1L << 32))))
        {
            Assert.Equal(value % divisor, FinishedRing.Remainder(value, divisor, multiplier));
        }
    }

    [Fact]
    public void CopyNewestFirst_OneThread_HoldsExactlyTheNewestLimit()
    {
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = 1_000 });
        for (var i = 0; i < 5_000; i++)
        {
            list.Start("t" + i).Dispose();
        }

        var finished = list.GetFinished();
        Assert.Equal(1_000, finished.Count);
        Assert.Equal(Enumerable.Range(4_000, 1_000).Select(i => "t" + i).Order(), finished.Select(h => h.Id).Order());
    }

    [Fact]
    public void Add_ThreadsPausedAfterOneTaskEachThenResumed_KeepsExactlyTheNewestLimit()
    {
        // 32 threads end one task each and pause; one thread then ends 3,000 (three laps of the ring); the 32 end 15
        // more each. A thread must never write where a newer task already stands.
        const int Threads = 32, Lap = 3_000, More = 15, Limit = 1_000;
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = Limit });
        using var paused = new Barrier(Threads + 1);
        using var resumed = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(w => new Thread(() =>
        {
            list.Start($"w{w}-0").Dispose();
            paused.SignalAndWait();
            resumed.SignalAndWait();
            for (var i = 1; i <= More; i++)
            {
                list.Start($"w{w}-{i}").Dispose();
            }
        })).ToList();
        workers.ForEach(t => t.Start());

        paused.SignalAndWait();
        for (var i = 0; i < Lap; i++)
        {
            list.Start($"main-{i}").Dispose();
        }

        resumed.SignalAndWait();
        workers.ForEach(t => t.Join());

        var newest = Enumerable.Range(0, Threads).SelectMany(w => Enumerable.Range(1, More).Select(i => $"w{w}-{i}"))
            .Concat(Enumerable.Range(Lap - (Limit - (Threads * More)), Limit - (Threads * More)).Select(i => $"main-{i}"));
        Assert.Equal(newest.Order(), list.GetFinished().Select(h => h.Id).Order());
    }

    [Fact]
    public async Task Add_ManyThreadsInRounds_KeepsTheNewestRoundsAndEachThreadsNewestTasks()
    {
        // Rounds of threads that end random numbers of tasks with random pauses, a barrier between rounds: after each
        // round the ring holds exactly the limit, every task of the last round (fewer than the limit), the rest from
        // the newest earlier rounds, and of each thread's tasks a suffix (a thread's later task is always newer).
        const int Threads = 8, Limit = 200, Rounds = 200;
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = Limit });
        var ended = new List<string>[Threads];
        for (var w = 0; w < Threads; w++)
        {
            ended[w] = [];
        }

        var random = new Random(2026);
        for (var round = 0; round < Rounds; round++)
        {
            var counts = Enumerable.Range(0, Threads).Select(_ => random.Next(0, 2 * Limit / Threads)).ToArray();
            var seeds = Enumerable.Range(0, Threads).Select(_ => random.Next()).ToArray();
            var r = round;
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(w => Task.Run(() =>
            {
                var pauses = new Random(seeds[w]);
                for (var i = 0; i < counts[w]; i++)
                {
                    var id = $"r{r}-w{w}-{i}";
                    var task = list.Start(id);
                    Thread.SpinWait(pauses.Next(0, 200));
                    task.Dispose();
                    ended[w].Add(id);
                }
            })));

            var kept = list.GetFinished().Select(h => h.Id).ToHashSet();
            var total = ended.Sum(e => e.Count);
            Assert.Equal(Math.Min(total, Limit), kept.Count);
            var lastRound = Enumerable.Range(0, Threads).SelectMany(w => ended[w].TakeLast(counts[w])).ToList();
            if (lastRound.Count <= Limit)
            {
                Assert.All(lastRound, id => Assert.Contains(id, kept));
            }

            foreach (var own in ended)
            {
                var keptOfThread = own.Count(kept.Contains);
                Assert.Equal(own.TakeLast(keptOfThread), own.Where(kept.Contains));
            }
        }
    }

    [Fact]
    public async Task Add_ManyThreads_ReferencesNoMoreTasksThanTheLimit()
    {
        const int Limit = 50;
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = Limit });
        var references = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() => EndTasks(list, w))));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var alive = references.SelectMany(r => r).Count(r => r.IsAlive);
        Assert.InRange(alive, 1, Limit);
        Assert.InRange(list.GetFinished().Count, 1, Limit);
    }

    // Kept apart so that no reference to the tasks survives in the caller's frame.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference> EndTasks(ProcessList list, int worker)
    {
        var references = new List<WeakReference>();
        for (var i = 0; i < 2_000; i++)
        {
            var task = list.Start($"w{worker}-{i}");
            task.Status("working");
            task.Dispose();
            references.Add(new WeakReference(task));
        }

        return references;
    }
}
