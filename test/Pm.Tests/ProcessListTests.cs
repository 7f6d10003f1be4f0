using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Pm.Tests;

public sealed class ProcessListTests
{
    private static string[] Statuses(TaskHistory history) => [.. history.Entries.Select(e => e.Status)];

    private static TaskHistory History(ProcessList list, string id) =>
        list.TryGetHistory(id, out var history) ? history : throw new InvalidOperationException($"no history for {id}");

    [Fact]
    public void GoProclistScenario_RecordsTheSameHistoryAsTheOriginal()
    {
        // The Go package's own TestProclist, with the exact histories that result.
        using var list = new ProcessList();
        var attrs1 = new KeyValuePair<string, object?>[] { new("method", "GET"), new("uri", "/hosts/1"), new("host", "localhost:15233") };
        var attrs2 = new KeyValuePair<string, object?>[] { new("method", "PUT"), new("uri", "/hosts/2/config"), new("host", "localhost:12538") };
        using var req1 = list.Start("req1", attrs1, new TaskOptions { ForbidKill = true });
        string[] req1Status = ["init", "searching", "reading", "sending"];
        foreach (var s in req1Status[1..])
        {
            list.Status("req1", s);
        }

        var req2Ran = false;
        list.Run(
            "req2",
            _ =>
            {
                var procs = list.GetAll().ToDictionary(p => p.Id);
                Assert.Equal(["req1", "req2"], procs.Keys.Order());
                Assert.False(procs["req1"].IsKillRequested || procs["req2"].IsKillRequested);
                Assert.Equal("sending", procs["req1"].Status);
                Assert.Equal("init", procs["req2"].Status);
                Assert.Equal(attrs1, procs["req1"].Attributes);
                Assert.Equal(attrs2, procs["req2"].Attributes);
                req2Ran = true;

                Assert.Equal(KillResult.Requested, list.Kill("req2", ""));
                list.Status("req2", "searching");
                Assert.Fail("req2 was not cancelled when it had to be");
            },
            attrs2,
            new TaskOptions { SuppressKillException = true });
        Assert.True(req2Ran);

        Assert.Equal(KillResult.Forbidden, list.Kill("req1", ""));
        list.ThrowIfKilled("req1");

        var p1 = Assert.Single(list.GetAll());
        Assert.False(p1.IsKillRequested);
        Assert.Equal("sending", p1.Status);
        Assert.Equal(attrs1, p1.Attributes);
        Assert.Equal(req1Status, Statuses(History(list, "req1")));
        Assert.Equal(["init", "[cancel request]", "searching", "killed"], Statuses(History(list, "req2")));
        Assert.Equal(TaskOutcome.Killed, History(list, "req2").Outcome);
    }

    [Fact]
    public void Start_NullOrEmptyId_ThrowsArgumentException()
    {
        using var list = new ProcessList();
        Assert.Throws<ArgumentNullException>("id", () => list.Start(null!));
        Assert.Throws<ArgumentException>("id", () => list.Start(""));
        Assert.Empty(list.GetAll());
    }

    [Fact]
    public void Start_EmptyAttributeName_ThrowsArgumentExceptionAndStartsNothing()
    {
        using var list = new ProcessList();
        Assert.Throws<ArgumentException>("attributes", () => list.Start("a", [new("", 1)]));
        Assert.Empty(list.GetAll());
    }

    [Fact]
    public void Start_DuplicateAttributeNames_LaterValueWins()
    {
        using var list = new ProcessList();
        using var task = list.Start("a", [new("x", 1), new("y", 2), new("x", 3)]);
        Assert.True(list.TryGet("a", out var snapshot));
        Assert.Equal([new("x", (object?)3), new("y", (object?)2)], snapshot.Attributes);
    }

    [Fact]
    public void Start_EmptyAttributeNameAfterADuplicate_ThrowsArgumentException()
    {
        using var list = new ProcessList();
        Assert.Throws<ArgumentException>("attributes", () => list.Start("a", [new("x", 1), new("x", 2), new("", 3)]));
        Assert.Empty(list.GetAll());
    }

    [Fact]
    public void Start_Attributes_AreCopiedNotKept()
    {
        using var list = new ProcessList();
        KeyValuePair<string, object?>[] attributes = [new("x", 1), new("x", 2)];
        using var task = list.Start("a", attributes);

        attributes[0] = new("changed", 0);

        Assert.True(list.TryGet("a", out var snapshot));
        Assert.Equal([new("x", (object?)2)], snapshot.Attributes);
    }

    [Fact]
    public void ManyRunningTasks_AreEachFoundAndEndedOnTheirOwn()
    {
        using var list = new ProcessList(new ProcessListOptions { FinishedTaskLimit = 0 });
        var tasks = Enumerable.Range(0, 20_000).Select(i => list.Start($"task-{i}")).ToArray();
        Assert.Equal(tasks.Length, list.Count);

        foreach (var task in tasks.Where((_, i) => i % 2 == 0))
        {
            task.Dispose();
        }

        Assert.Equal(tasks.Length / 2, list.Count);
        Assert.Equal(tasks.Where((_, i) => i % 2 == 1).Select(t => t.Id).Order(), list.GetAll().Select(s => s.Id).Order());
        Assert.All(tasks, (t, i) => Assert.Equal(i % 2 == 1, list.TryGet(t.Id, out _)));
    }

    [Fact]
    public void Start_RunningId_ThrowsDuplicateTaskIdAndLeavesRunningTaskUntouched()
    {
        using var list = new ProcessList();
        using var first = list.Start("job", [new("owner", "first")]);
        first.Status("working");

        var ex = Assert.Throws<DuplicateTaskIdException>(() => list.Start("job", [new("owner", "second")]));

        Assert.Equal("job", ex.TaskId);
        Assert.True(list.TryGet("job", out var snapshot));
        Assert.Equal("working", snapshot.Status);
        Assert.Equal("first", snapshot.Attributes.Single().Value);
        Assert.Equal(["init", "working"], Statuses(History(list, "job")));
        first.Status("still mine");
        Assert.Equal("still mine", list.GetAll().Single().Status);
    }

    [Fact]
    public void Start_IdOfFinishedTask_StartsANewTask()
    {
        using var list = new ProcessList();
        list.Start("job").Dispose();
        using var second = list.Start("job");
        Assert.Equal(["init"], Statuses(History(list, "job")));
    }

    [Fact]
    public void Members_AfterDispose_ThrowObjectDisposed()
    {
        var list = new ProcessList();
        var task = list.Start("a");
        list.Dispose();
        list.Dispose();

        Assert.Throws<ObjectDisposedException>(() => list.Start("b"));
        Assert.Throws<ObjectDisposedException>(() => list.Status("a", "x"));
        Assert.Throws<ObjectDisposedException>(() => list.Kill("a"));
        Assert.Throws<ObjectDisposedException>(() => list.GetAll());
        Assert.Throws<ObjectDisposedException>(() => list.GetFinished());
        Assert.Throws<ObjectDisposedException>(() => list.TryGetHistory("a", out _));
        task.Dispose();
        Assert.True(task.IsFinished);
    }

    [Fact]
    public void IdMembers_UnknownId_AreIgnored()
    {
        using var list = new ProcessList();
        list.Status("nope", "x");
        list.ThrowIfKilled("nope");
        list.SetAttribute("nope", "a", 1);
        list.RemoveAttribute("nope", "a");
        Assert.False(list.Done("nope"));
        Assert.False(list.TryGet("nope", out _));
        Assert.False(list.TryGetHistory("nope", out _));
    }

    [Fact]
    public void IdMembers_InvalidArguments_Throw()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        Assert.Throws<ArgumentNullException>("status", () => list.Status("a", null!));
        Assert.Throws<ArgumentException>("id", () => list.Status("", "x"));
        Assert.Throws<ArgumentException>("name", () => list.SetAttribute("a", "", 1));
        Assert.Throws<ArgumentNullException>("name", () => list.RemoveAttribute("a", null!));
        Assert.Throws<ArgumentNullException>("request", () => list.Kill("a", (KillRequest)null!));
        Assert.Throws<ArgumentNullException>("body", () => list.Run("b", null!));
        Assert.Throws<ArgumentNullException>("value", () => list.TaskOptions = null!);
    }

    [Fact]
    public void Attributes_SetAndRemoveById_AreReflectedInSnapshots()
    {
        using var list = new ProcessList();
        using var task = list.Start("a", [new("method", "GET")]);
        var before = list.GetAll().Single();

        list.SetAttribute("a", "uri", "/x");
        list.SetAttribute("a", "method", "POST");
        list.RemoveAttribute("a", "missing");

        Assert.Equal([new("method", (object?)"POST"), new("uri", (object?)"/x")], list.GetAll().Single().Attributes);
        Assert.Equal([new("method", (object?)"GET")], before.Attributes);
        Assert.True(task.RemoveAttribute("method"));
        Assert.False(task.RemoveAttribute("method"));
        task.RemoveAttribute("uri");
        Assert.Empty(list.GetAll().Single().Attributes);
    }

    [Fact]
    public void Snapshot_ReportsStartAndLastStatusTimes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero));
        using var list = new ProcessList(new ProcessListOptions { TimeProvider = time });
        using var task = list.Start("a");
        var started = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(2));
        task.Status("step 1");

        var snapshot = list.GetAll().Single();
        Assert.Equal(started, snapshot.StartTime);
        Assert.Equal(started.AddSeconds(2), snapshot.StatusTime);
        Assert.Equal("step 1", snapshot.Status);
        Assert.Null(snapshot.TraceId);
        Assert.False(snapshot.ForbidKill);
    }

    [Fact]
    public void Kill_RefusedManyTimes_LogsOncePerTask()
    {
        using var logs = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var list = new ProcessList(new ProcessListOptions { LoggerFactory = loggers });
        using var first = list.Start("first", options: new TaskOptions { ForbidKill = true });
        using var second = list.Start("second", options: new TaskOptions { ForbidKill = true });

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(KillResult.Forbidden, list.Kill("first", "attempt " + i));
            Assert.Equal(KillResult.Forbidden, list.Kill("second", "attempt " + i));
        }

        var refused = logs.Collector.GetSnapshot().Where(r => r.Id.Name == "KillRefused").ToList();
        Assert.Equal(2, refused.Count);
        Assert.Contains("first", refused[0].Message);
        Assert.Contains("attempt 0", refused[0].Message);
        Assert.Contains("second", refused[1].Message);
    }

    [Fact]
    public void TaskOptions_ChangedAfterStart_AffectOnlyLaterTasks()
    {
        using var list = new ProcessList();
        using var before = list.Start("before");
        list.TaskOptions = new TaskOptions { ForbidKill = true };
        using var after = list.Start("after");
        using var own = list.Start("own", options: new TaskOptions());

        Assert.Equal(KillResult.Requested, list.Kill("before"));
        Assert.Equal(KillResult.Forbidden, list.Kill("after"));
        Assert.Equal(KillResult.Requested, list.Kill("own"));
    }

    [Fact]
    public void HistoryLimit_Exceeded_KeepsInitAndNewestAndCountsDropped()
    {
        using var list = new ProcessList();
        var task = list.Start("a", options: new TaskOptions { HistoryLimit = 5 });
        for (var i = 1; i <= 10; i++)
        {
            task.Status($"s{i}");
        }

        var running = History(list, "a");
        Assert.Equal(["init", "s7", "s8", "s9", "s10"], Statuses(running));
        Assert.Equal(6, running.DroppedEntries);

        task.Dispose();
        var finished = History(list, "a");
        Assert.Equal(["init", "s8", "s9", "s10", "ended"], Statuses(finished));
        Assert.Equal(7, finished.DroppedEntries);
    }

    [Fact]
    public void HistoryLimit_BelowTwo_IsRejectedWhenConfigured()
    {
        Assert.Throws<ArgumentOutOfRangeException>("value", () => new TaskOptions { HistoryLimit = 1 });
        Assert.Equal(1000, new TaskOptions().HistoryLimit);
    }

    [Fact]
    public void HistoryLimit_KillEntryDropped_StillReportsKillRequest()
    {
        using var list = new ProcessList();
        var task = list.Start("a", options: new TaskOptions { HistoryLimit = 3 });
        list.Kill("a", new KillRequest("stop", "10.0.0.1:5000"));
        Assert.Equal("10.0.0.1:5000", History(list, "a").Entries[1].KillRequest?.RemoteAddress);
        task.Done(new InvalidOperationException());
        task.Done();

        var history = History(list, "a");
        Assert.Equal(["init", "[cancel request: stop]", "aborted"], Statuses(history));
        Assert.Equal("stop", history.KillRequest?.Message);
        Assert.Equal(TaskOutcome.Aborted, history.Outcome);
    }

    [Fact]
    public void ProcessListOptions_InvalidValues_AreRejectedWhenSet()
    {
        var options = new ProcessListOptions();
        Assert.Throws<ArgumentOutOfRangeException>("value", () => options.FinishedTaskLimit = -1);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => options.FinishedTaskMaxAge = TimeSpan.Zero);
        Assert.Throws<ArgumentNullException>("value", () => options.TimeProvider = null!);
        Assert.Throws<ArgumentNullException>("value", () => options.TaskOptions = null!);
        Assert.Equal(1000, options.FinishedTaskLimit);
        Assert.Null(options.FinishedTaskMaxAge);
    }

    [Fact]
    public void FinishedTask_Killed_ReportsDurationAndTimeToHonour()
    {
        var time = new FakeTimeProvider();
        using var list = new ProcessList(new ProcessListOptions { TimeProvider = time });
        var task = list.Start("a");
        time.Advance(TimeSpan.FromSeconds(2));
        list.Kill("a", "enough");
        time.Advance(TimeSpan.FromSeconds(3));
        var ex = Assert.Throws<TaskKilledException>(() => task.Status("next"));
        task.Done(ex);

        var finished = Assert.Single(list.GetFinished());
        Assert.Equal(TaskOutcome.Killed, finished.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(5), finished.Duration);
        Assert.Equal(TimeSpan.FromSeconds(3), finished.TimeToHonour);
        Assert.Equal(["init", "[cancel request: enough]", "next", "killed: enough"], Statuses(finished));
        Assert.False(finished.IsRunning);
        Assert.False(finished.IsKillRequested);
    }

    [Fact]
    public void FinishedTask_Ended_HasNoTimeToHonour()
    {
        using var list = new ProcessList();
        list.Start("a").Dispose();
        var finished = Assert.Single(list.GetFinished());
        Assert.Equal(TaskOutcome.Ended, finished.Outcome);
        Assert.Null(finished.TimeToHonour);
        Assert.NotNull(finished.Duration);
    }

    [Fact]
    public void Start_InsideActivity_KeepsTraceId()
    {
        using var source = new System.Diagnostics.ActivitySource("Pm.Tests.Trace");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var list = new ProcessList();

        using (var activity = source.StartActivity("work"))
        {
            Assert.NotNull(activity);
            using var task = list.Start("traced");
            Assert.Equal(activity.TraceId.ToHexString(), list.GetAll().Single().TraceId);
            Assert.Equal(activity.TraceId.ToHexString(), History(list, "traced").TraceId);
        }
    }

    [Fact]
    public void Processes_Facade_DelegatesToDefaultList()
    {
        var id = "facade-" + Guid.NewGuid();
        using var task = Processes.Start(id, [new("k", "v")]);
        Processes.Status(id, "one");
        Processes.SetAttribute(id, "k2", 2);
        Processes.RemoveAttribute(id, "k");
        Processes.ThrowIfKilled(id);
        Assert.True(ProcessList.Default.TryGet(id, out var snapshot));
        Assert.Equal("one", snapshot.Status);
        Assert.Equal([new("k2", (object?)2)], snapshot.Attributes);
        Assert.Equal(KillResult.Requested, Processes.Kill(id, "bye"));
        Assert.Throws<TaskKilledException>(() => Processes.ThrowIfKilled(id));
        Assert.True(Processes.Done(id, new TaskKilledException()));
        Assert.Equal(TaskOutcome.Killed, History(ProcessList.Default, id).Outcome);
    }
}
