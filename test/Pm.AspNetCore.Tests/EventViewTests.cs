using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pm.AspNetCore.Internal;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

/// <summary>The live stream's view, fed changes in the orders threads can publish them.</summary>
public sealed class EventViewTests
{
    private static ProcFrame Parse(byte[] frame)
    {
        var text = Encoding.UTF8.GetString(frame);
        Assert.StartsWith("event: frame\ndata: ", text, StringComparison.Ordinal);
        return JsonSerializer.Deserialize(text["event: frame\ndata: ".Length..].TrimEnd('\n'), PmJsonContext.Default.ProcFrame)!;
    }

    private static TaskEvent Ended(TaskHistory history) =>
        new(TaskEventKind.Finished, history.Id, history.EndTime!.Value, "ended", history.Outcome, history.EndTime.Value - history.StartTime);

    [Fact]
    public void Take_LateEndOfAnEarlierTaskWithTheSameId_KeepsTheListedTasksChange()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        using var list = new ProcessList(new ProcessListOptions { TimeProvider = time });
        list.Start("x").Dispose();
        Assert.True(list.TryGetHistory("x", out var earlier));
        time.Advance(TimeSpan.FromSeconds(1));
        using var later = list.Start("x");
        var view = new EventView();
        view.Reset(list.GetAll(), time.GetUtcNow());

        // The later task changes, and only then does the earlier task's end arrive.
        later.Status("working");
        view.Take(new TaskEvent(TaskEventKind.Status, "x", time.GetUtcNow(), "working"));
        view.Take(Ended(earlier));
        var frame = Parse(view.Frame(list, time.GetUtcNow())!);

        Assert.Empty(frame.Finished);
        Assert.Equal("working", Assert.Single(frame.Procs).Status);
        Assert.Equal(1, view.Count);
    }

    [Fact]
    public void Take_EndOfAListedTask_IsReportedOnceAndLeavesTheView()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        using var list = new ProcessList(new ProcessListOptions { TimeProvider = time });
        var task = list.Start("x");
        var view = new EventView();
        view.Reset(list.GetAll(), time.GetUtcNow());
        task.Status("working");
        view.Take(new TaskEvent(TaskEventKind.Status, "x", time.GetUtcNow(), "working"));
        time.Advance(TimeSpan.FromSeconds(2));
        task.Dispose();
        Assert.True(list.TryGetHistory("x", out var history));
        view.Take(Ended(history));

        var frame = Parse(view.Frame(list, time.GetUtcNow())!);
        Assert.Empty(frame.Procs);
        var ended = Assert.Single(frame.Finished);
        Assert.Equal(("x", "ended", 2.0), (ended.Id, ended.Outcome, ended.Duration));
        Assert.Equal(0, view.Count);
        Assert.Null(view.Frame(list, time.GetUtcNow()));
    }
}
