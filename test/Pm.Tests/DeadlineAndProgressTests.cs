using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Pm.Tests;

public sealed class DeadlineAndProgressTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly TestMeterFactory _meters = new();
    private readonly ProcessList _list;
    private readonly MeterListener _meterListener = new();

    public DeadlineAndProgressTests()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _list = new ProcessList(new ProcessListOptions { TimeProvider = _time, LoggerFactory = _loggers, MeterFactory = _meters });
    }

    public void Dispose()
    {
        _list.Dispose();
        _meterListener.Dispose();
        _meters.Dispose();
        _loggers.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public void Deadline_KillsTheTask_WhenItPasses_RecordedLoggedAndCounted()
    {
        var deadlines = CountOf("pm.tasks.deadline_exceeded");
        var task = _list.Start("req", [new("method", "POST"), new("uri", "/export")], new TaskOptions { Deadline = TimeSpan.FromSeconds(2) });
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(2), task.Deadline);
        Assert.Equal(task.Deadline, Assert.Single(_list.GetAll()).Deadline);
        task.Status("exporting");

        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(task.IsKillRequested);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(task.IsKillRequested);
        Assert.True(task.CancellationToken.IsCancellationRequested);
        Assert.Equal("deadline exceeded", task.KillRequest?.Message);
        var exception = Assert.Throws<TaskKilledException>(() => task.Status("next"));
        _time.Advance(TimeSpan.FromMilliseconds(250));
        task.Done(exception);

        Assert.Equal(TaskOutcome.Killed, task.Outcome);
        var history = _list.GetFinished().Single(h => h.Id == "req");
        Assert.Contains(history.Entries, e => e.Status == "[cancel request: deadline exceeded]");
        Assert.Equal("killed: deadline exceeded", history.Entries[^1].Status);
        Assert.Equal(["DeadlineExceeded", "KillOutcome"], Records().Select(r => r.Id.Name));
        Assert.Equal("Task req (POST /export) exceeded its deadline after 2.0 s and is killed; 2.0 s in exporting", Records()[0].Message);
        Assert.Equal("Task req (POST /export) ended killed 250 ms after the kill request", Records()[1].Message);
        Assert.Equal(1, deadlines());
    }

    [Fact]
    public void Deadline_WhoseTimerFiresEarlyByTheListsClock_StillKillsAtTheDeadline()
    {
        // Timers count on one clock, the deadline on another that runs 0.1 % slower: the timer fires 2 ms early.
        var slow = new SlowClock(_time);
        using var list = new ProcessList(new ProcessListOptions { TimeProvider = slow });
        using var task = list.Start("t", options: new TaskOptions { Deadline = TimeSpan.FromSeconds(2) });

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(task.IsKillRequested);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.True(task.IsKillRequested);
        Assert.Equal("deadline exceeded", task.KillRequest?.Message);
    }

    [Fact]
    public void SetDeadline_MovesAndRemovesTheDeadline()
    {
        using var task = _list.Start("job");
        task.SetDeadline(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(0.5));
        task.SetDeadline(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(task.IsKillRequested);
        task.SetDeadline(null);
        Assert.Null(task.Deadline);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(task.IsKillRequested);

        task.SetDeadline(TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.True(task.IsKillRequested);
        Assert.Throws<ArgumentOutOfRangeException>(() => task.SetDeadline(TimeSpan.Zero));
    }

    [Fact]
    public void Deadline_OfATaskThatForbidsKills_IsLoggedButRefused()
    {
        using var task = _list.Start("billing", options: new TaskOptions { ForbidKill = true, Deadline = TimeSpan.FromSeconds(1) });
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(task.IsKillRequested);
        Assert.Equal(["DeadlineRefused"], Records().Select(r => r.Id.Name));
    }

    [Fact]
    public void EndedTask_StopsItsDeadline()
    {
        _list.Start("quick", options: new TaskOptions { Deadline = TimeSpan.FromSeconds(1) }).Dispose();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(Records());
        Assert.Equal(TaskOutcome.Ended, _list.GetFinished().Single().Outcome);
    }

    [Fact]
    public void OperatorKill_IsLoggedWithRequester_AndItsOutcomeWithTheTimeToHonour()
    {
        var task = _list.Start("req7", [new("method", "GET"), new("uri", "/orders/7")]);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(KillResult.Requested, _list.Kill("req7", new KillRequest("too slow", "10.0.0.5:4433", "ann")));
        Assert.Equal(KillResult.Requested, _list.Kill("req7", new KillRequest("again")));
        Assert.Equal(KillResult.Requested, _list.Kill("req7", new KillRequest("now") { Abort = true }));
        _time.Advance(TimeSpan.FromSeconds(1.5));
        task.Done(new OperationCanceledException());

        var records = Records();
        Assert.Equal(["KillRequested", "AbortRequested", "KillOutcome"], records.Select(r => r.Id.Name));
        Assert.All(records, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.Equal("Kill requested for task req7 (GET /orders/7) running for 3.0 s, by 10.0.0.5:4433 as ann: too slow", records[0].Message);
        Assert.Equal("Abort requested for task req7 (GET /orders/7) running for 3.0 s, by the program itself: now", records[1].Message);
        Assert.Equal("Task req7 (GET /orders/7) ended killed 1.5 s after the kill request", records[2].Message);
    }

    [Fact]
    public void RefusedKill_IsLoggedAsInformation()
    {
        using var task = _list.Start("locked", [new("kind", "billing")], new TaskOptions { ForbidKill = true });
        Assert.Equal(KillResult.Forbidden, _list.Kill("locked", new KillRequest(null, User: "bob")));
        var record = Assert.Single(Records());
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("Kill of task locked (kind=billing) refused: the task forbids kills; requested by bob: (no message); later refusals of this task are not logged", record.Message);
    }

    [Fact]
    public void Progress_IsListedWithTheTimeLeft_AndRecordedAtMostOncePerSecond()
    {
        using var task = _list.Start("import");
        task.ReportProgress(0, 1000, "rows");
        _time.Advance(TimeSpan.FromSeconds(10));
        task.ReportProgress(250, 1000, "rows");

        var progress = Assert.Single(_list.GetAll()).Progress!.Value;
        Assert.Equal(new TaskProgress(250, 1000, "rows", TimeSpan.FromSeconds(30)), progress);
        Assert.Equal(0.25, progress.Fraction);

        _time.Advance(TimeSpan.FromSeconds(0.5));
        task.ReportProgress(300, 1000, "rows");
        _time.Advance(TimeSpan.FromSeconds(0.5));
        task.ReportProgress(400, 1000, "rows");
        task.ReportProgress(1000, 1000, "rows");

        Assert.True(_list.TryGetHistory("import", out var history));
        var entries = history.Entries.Where(e => e.Kind == "progress").Select(e => e.Status);
        Assert.Equal(["progress 0 of 1,000 rows (0%)", "progress 250 of 1,000 rows (25%)", "progress 400 of 1,000 rows (40%)", "progress 1,000 of 1,000 rows (100%)"], entries);
        Assert.Equal("init", Assert.Single(_list.GetAll()).Status);
        Assert.Equal(TimeSpan.Zero, Assert.Single(_list.GetAll()).Progress!.Value.Remaining);
    }

    [Fact]
    public void Progress_WithoutTotal_HasNoEstimate_AndASingleReportRatesFromTheStart()
    {
        using var counting = _list.Start("count");
        counting.ReportProgress(5);
        Assert.Equal(new TaskProgress(5, null, null, null), Assert.Single(_list.GetAll()).Progress);

        using var single = _list.Start("single");
        _time.Advance(TimeSpan.FromSeconds(4));
        single.ReportProgress(40, 100);
        Assert.Equal(TimeSpan.FromSeconds(6), _list.GetAll().Single(s => s.Id == "single").Progress!.Value.Remaining);
    }

    [Fact]
    public void ReportProgress_ValidatesArguments_AndIsACancellationPoint()
    {
        var task = _list.Start("p");
        Assert.Throws<ArgumentOutOfRangeException>(() => task.ReportProgress(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => task.ReportProgress(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => task.ReportProgress(11, 10));
        Assert.Throws<ArgumentException>(() => task.ReportProgress(1, 10, string.Empty));
        Assert.Throws<ArgumentException>(() => task.ReportProgress(1, 10, new string('x', 33)));
        Assert.Null(Assert.Single(_list.GetAll()).Progress);

        _list.Kill("p");
        Assert.Throws<TaskKilledException>(() => task.ReportProgress(1, 10));
        task.Dispose();
        task.ReportProgress(2, 10);
    }

    private Func<long> CountOf(string name)
    {
        long total = 0;
        _meterListener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == _meters && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref total, value));
        _meterListener.Start();
        return () => Interlocked.Read(ref total);
    }

    private IReadOnlyList<FakeLogRecord> Records() => _logs.Collector.GetSnapshot();

    /// <summary>Reads the time of another clock slowed by 0.1 %, and lets that clock's timers run.</summary>
    private sealed class SlowClock(FakeTimeProvider inner) : TimeProvider
    {
        private readonly DateTimeOffset _origin = inner.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => _origin + ((inner.GetUtcNow() - _origin) * 0.999);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }
}
