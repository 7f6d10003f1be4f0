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
