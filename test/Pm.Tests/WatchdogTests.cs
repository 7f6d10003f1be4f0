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

    private TaskSnapshot Snapshot(string id) => Assert.Single(_list.GetAll(), s => s.Id == id);

    private IReadOnlyList<FakeLogRecord> Records() => _logs.Collector.GetSnapshot();
}
