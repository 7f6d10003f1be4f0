using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Pm.Tests;

public sealed class WatchdogTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly ProcessList _list;

    public WatchdogTests()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _list = new ProcessList(new ProcessListOptions { TimeProvider = _time, LoggerFactory = _loggers });
    }

    public void Dispose()
    {
        _list.Dispose();
        _loggers.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public void SlowTask_IsLoggedOnceAsWarning_WithItsTimeByDependencyLargestFirst_AndFlagged()
    {
        using var task = _list.Start("req1", [new("method", "GET"), new("uri", "/report")]);
        var query = task.BeginCall(CallKinds.Sql, "SQL SELECT * FROM orders");
        _time.Advance(TimeSpan.FromSeconds(8.8));
        query.End();
        var call = task.BeginCall(CallKinds.Http, "HTTP GET inventory:5081/items");
        _time.Advance(TimeSpan.FromSeconds(0.3));
        call.End("200");
        Assert.Empty(Records());
        Assert.False(Snapshot("req1").IsSlow);

        _time.Advance(TimeSpan.FromSeconds(1));

        var record = Assert.Single(Records());
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal("TaskSlow", record.Id.Name);
        Assert.Equal(
            "Task req1 (GET /report) is slow: running for 10.1 s; 8.8 s in SQL SELECT * FROM orders, 1.0 s in init, 300 ms in HTTP GET inventory:5081/items",
            record.Message);
        Assert.True(Snapshot("req1").IsSlow);
        Assert.False(Snapshot("req1").IsHung);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(Records());
    }

    [Fact]
    public void HungTask_IsLoggedAsError_OnceMore_AfterSlow()
    {
        using var task = _list.Start("job", [new("kind", "export")]);
        task.Status("writing");
        _time.Advance(TimeSpan.FromSeconds(11));
        _time.Advance(TimeSpan.FromMinutes(5));

        var records = Records();
        Assert.Equal(["TaskSlow", "TaskHung"], records.Select(r => r.Id.Name));
        Assert.Equal(LogLevel.Error, records[1].Level);
        Assert.StartsWith("Task job (kind=export) is hung: running for 5 min 11 s; 5 min 11 s in writing", records[1].Message, StringComparison.Ordinal);
        Assert.True(Snapshot("job").IsHung);
        Assert.True(Snapshot("job").IsSlow);
    }

    [Fact]
    public void TaskCrossingBothThresholdsAtOnce_IsReportedHungOnly()
    {
        using var task = _list.Start("t", options: new TaskOptions { SlowAfter = TimeSpan.FromSeconds(5), HungAfter = TimeSpan.FromSeconds(5) });
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(["TaskHung"], Records().Select(r => r.Id.Name));
    }

    [Fact]
    public void ThresholdsOfNull_NeverReport()
    {
        using var task = _list.Start("quiet", options: new TaskOptions { SlowAfter = null, HungAfter = null });
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(Records());
        Assert.False(Snapshot("quiet").IsSlow);
    }

    [Fact]
    public void OnlyTasksPastTheirThreshold_AreFlagged_AmongThousands()
    {
        var tasks = new List<TrackedTask>();
        for (var i = 0; i < 2000; i++)
        {
            tasks.Add(_list.Start("t" + i));
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // The oldest started 20 s ago; those started at least 10 s ago, the first 1,001, are slow.
        _time.Advance(TimeSpan.FromMilliseconds(0));
        var slow = _list.GetAll().Where(s => s.IsSlow).Select(s => s.Id).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 1001).Select(i => "t" + i).ToHashSet(), slow);
        Assert.Equal(1001, Records().Count);
        foreach (var task in tasks)
        {
            task.Dispose();
        }
    }

    [Fact]
    public void TasksCrossingAtOnce_AreReportedAThousandAPass()
    {
        var tasks = Enumerable.Range(0, 2500).Select(i => _list.Start("t" + i)).ToList();
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(Records());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1000, Records().Count);
        Assert.Equal(1000, _list.GetAll().Count(s => s.IsSlow));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2000, Records().Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2500, Records().Count);
        Assert.All(_list.GetAll(), s => Assert.True(s.IsSlow));
        tasks.ForEach(t => t.Dispose());
    }

    [Fact]
    public void Thresholds_AreCounted_AndPublished()
    {
        var events = new List<TaskEvent>();
        using var subscription = _list.Subscribe(e => { if (e.Kind is TaskEventKind.Slow or TaskEventKind.Hung) { events.Add(e); } });
        using var task = _list.Start("t");
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal([TaskEventKind.Hung], events.Select(e => e.Kind));
    }

    [Fact]
    public void EndedTask_IsNeverReported()
    {
        _list.Start("short").Dispose();
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(Records());
    }

    [Fact]
    public void Options_RejectNonPositiveThresholdsAndIntervals()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskOptions { SlowAfter = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskOptions { HungAfter = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskOptions { Deadline = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessListOptions { WatchdogInterval = TimeSpan.FromMilliseconds(1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessListOptions { WatchdogInterval = TimeSpan.FromHours(2) });
        Assert.Equal(TimeSpan.FromSeconds(10), TaskOptions.Default.SlowAfter);
        Assert.Equal(TimeSpan.FromMinutes(5), TaskOptions.Default.HungAfter);
        Assert.Null(TaskOptions.Default.Deadline);
    }

    [Fact]
    public async Task Watchdog_RacingStartsEndsProgressAndDeadlines_ReportsEachTaskOnceAndKillsOnlyOverdueDeadlines()
    {
        var ids = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(); // id → has a deadline
        using var list = new ProcessList(new ProcessListOptions { TimeProvider = _time, LoggerFactory = _loggers, WatchdogInterval = TimeSpan.FromMilliseconds(10) });
        var options = new TaskOptions { SlowAfter = TimeSpan.FromMilliseconds(4), HungAfter = TimeSpan.FromMilliseconds(12) };
        var withDeadline = options with { Deadline = TimeSpan.FromMilliseconds(8) };
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                // Tasks live from nothing to 20 ms of the test's clock, reporting progress all along.
                var id = $"w{w}-{i}";
                var deadline = i % 3 == 0;
                ids[id] = deadline;
                using var task = list.Start(id, options: deadline ? withDeadline : options);
                var until = _time.GetUtcNow().AddMilliseconds(i % 21);
                try
                {
                    for (var n = 0; _time.GetUtcNow() < until; n++)
                    {
                        task.ReportProgress(n);
                        Thread.Yield();
                    }
                }
                catch (TaskKilledException ex)
                {
                    task.Done(ex);
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        var clock = Task.Run(async () =>
        {
            while (!workers.All(w => w.IsCompleted))
            {
                _time.Advance(TimeSpan.FromMilliseconds(1));
                await Task.Yield();
            }
        }, TestContext.Current.CancellationToken);
        await Task.WhenAll(workers);
        await clock;

        var records = Records();
        var slow = records.Where(r => r.Id.Name == "TaskSlow").Select(r => r.Message.Split(' ')[1]).ToList();
        var hung = records.Where(r => r.Id.Name == "TaskHung").Select(r => r.Message.Split(' ')[1]).ToList();
        Assert.Equal(slow.Count, slow.Distinct().Count());
        Assert.Equal(hung.Count, hung.Distinct().Count());
        // A task reported both ways was reported slow first.
        var order = records.Select((r, index) => (r.Id.Name, Id: r.Message.Split(' ')[1], index)).ToList();
        foreach (var id in slow.Intersect(hung))
        {
            Assert.True(order.First(e => e.Name == "TaskSlow" && e.Id == id).index < order.First(e => e.Name == "TaskHung" && e.Id == id).index);
        }

        var killed = records.Where(r => r.Id.Name == "DeadlineExceeded").Select(r => r.Message.Split(' ')[1]).ToList();
        Assert.All(killed, id => Assert.True(ids[id], $"{id} had no deadline"));
        Assert.Equal(killed.Count, killed.Distinct().Count());
        Assert.Empty(list.GetAll());
        Assert.NotEmpty(slow);
        Assert.NotEmpty(hung);
        Assert.NotEmpty(killed);
    }

    private TaskSnapshot Snapshot(string id) => Assert.Single(_list.GetAll(), s => s.Id == id);

    private IReadOnlyList<FakeLogRecord> Records() => _logs.Collector.GetSnapshot();
}
