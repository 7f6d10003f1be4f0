namespace Pm.Tests;

public sealed class CurrentTaskTests
{
    [Fact]
    public void Current_OutsideAnyTask_IsNull() => Assert.Null(TrackedTask.Current);

    [Fact]
    public void Start_MakesTheTaskCurrentUntilItEnds_ThenTheOuterOneAgain()
    {
        using var list = new ProcessList();
        var outer = list.Start("outer");
        Assert.Same(outer, TrackedTask.Current);

        var inner = list.Start("inner");
        Assert.Same(inner, TrackedTask.Current);
        inner.Dispose();
        Assert.Same(outer, TrackedTask.Current);

        outer.Dispose();
        Assert.Null(TrackedTask.Current);
    }

    [Fact]
    public async Task Current_FlowsIntoAwaitedCallsAndThreadPoolWork()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        await Task.Yield();
        Assert.Same(task, TrackedTask.Current);
        Assert.Same(task, await Task.Run(() => TrackedTask.Current, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RunAsync_TaskIsCurrentInTheBodyOnly()
    {
        using var list = new ProcessList();
        TrackedTask? seen = null;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = list.RunAsync("a", async task =>
        {
            seen = TrackedTask.Current;
            Assert.Same(task, seen);
            await gate.Task;
            Assert.Same(task, TrackedTask.Current);
        });

        Assert.NotNull(seen);
        Assert.Null(TrackedTask.Current);
        gate.SetResult();
        await run;
        Assert.Null(TrackedTask.Current);
    }

    [Fact]
    public void Run_TaskIsCurrentInTheBodyOnly_EvenWhenTheBodyThrows()
    {
        using var list = new ProcessList();
        list.Run("a", task => Assert.Same(task, TrackedTask.Current));
        Assert.Null(TrackedTask.Current);

        Assert.Throws<InvalidOperationException>(() => list.Run("b", _ => throw new InvalidOperationException()));
        Assert.Null(TrackedTask.Current);
    }

    [Fact]
    public async Task Current_ParallelTasks_EachFlowSeesItsOwn()
    {
        using var list = new ProcessList();
        var mismatches = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => list.RunAsync("t" + i, async task =>
        {
            for (var step = 0; step < 20; step++)
            {
                await Task.Yield();
                if (!ReferenceEquals(TrackedTask.Current, task))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        })));
        Assert.Equal(0, mismatches);
    }
}
