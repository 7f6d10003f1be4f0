using Microsoft.Extensions.Time.Testing;

namespace Pm.Tests;

/// <summary>The finished tasks a list retains: how many, for how long, and what is reported.</summary>
public sealed class ProcessListFinishedTests
{
    [Fact]
    public void FinishedTasks_BeyondLimit_KeepsNewestFirst()
    {
        var time = new FakeTimeProvider();
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = 3, TimeProvider = time });
        for (var i = 0; i < 5; i++)
        {
            list.Start($"t{i}").Dispose();
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(["t4", "t3", "t2"], list.GetFinished().Select(h => h.Id));
        Assert.False(list.TryGetHistory("t1", out _));
        Assert.True(list.TryGetHistory("t2", out _));
    }

    [Fact]
    public void FinishedTasks_OlderThanMaxAge_AreNotReported()
    {
        var time = new FakeTimeProvider();
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskMaxAge = TimeSpan.FromMinutes(1), TimeProvider = time });
        list.Start("old").Dispose();
        time.Advance(TimeSpan.FromSeconds(61));
        list.Start("new").Dispose();

        Assert.Equal(["new"], list.GetFinished().Select(h => h.Id));
        Assert.False(list.TryGetHistory("old", out _));
    }

    [Fact]
    public void FinishedTasks_LimitZero_RetainsNothing()
    {
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = 0 });
        list.Start("a").Dispose();
        Assert.Empty(list.GetFinished());
        Assert.False(list.TryGetHistory("a", out _));
    }
}
