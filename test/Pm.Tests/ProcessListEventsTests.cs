namespace Pm.Tests;

public sealed class ProcessListEventsTests
{
    [Fact]
    public void Subscribe_ReportsEveryChangeInOrder()
    {
        using var list = new ProcessList();
        var events = new List<TaskEvent>();
        using (list.Subscribe(events.Add))
        {
            var task = list.Start("a");
            task.Status("one");
            task.SetAttribute("k", 1);
            task.RemoveAttribute("k");
            task.RemoveAttribute("missing");
            list.Kill("a", "stop");
            list.Kill("a", "again");
            task.Done(Assert.Throws<TaskKilledException>(task.ThrowIfKilled));
        }

        list.Start("after").Dispose();

        Assert.Equal(
            [TaskEventKind.Started, TaskEventKind.Status, TaskEventKind.Attribute, TaskEventKind.Attribute, TaskEventKind.KillRequested, TaskEventKind.Finished],
            events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal("a", e.TaskId));
        Assert.Equal(["init", "one", "k", "k", "stop", "killed: stop"], events.Select(e => e.Text));
        Assert.Equal(TaskOutcome.Killed, events[^1].Outcome);
        Assert.NotNull(events[^1].Duration);
    }

    [Fact]
    public void Subscribe_ObserverThrows_TaskIsUnaffected()
    {
        using var list = new ProcessList();
        var later = 0;
        using var failing = list.Subscribe(_ => throw new InvalidOperationException());
        using var counting = list.Subscribe(_ => later++);

        using (var task = list.Start("a"))
        {
            task.Status("x");
        }

        Assert.Equal(3, later);
        Assert.Equal(TaskOutcome.Ended, list.GetFinished().Single().Outcome);
    }

    [Fact]
    public void Subscribe_InvalidArguments_Throw()
    {
        var list = new ProcessList();
        Assert.Throws<ArgumentNullException>("observer", () => list.Subscribe(null!));
        list.Dispose();
        Assert.Throws<ObjectDisposedException>(() => list.Subscribe(_ => { }));
    }
}
