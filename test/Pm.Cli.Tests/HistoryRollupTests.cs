using Pm.Protocol;

namespace Pm.Cli.Tests;

/// <summary>The maths of <c>pm history</c>: own statuses, calls that overlap them and each other, running tasks.</summary>
public sealed class HistoryRollupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    private static HistoryDetail Own(double at, string status) => new(At(at), status);

    private static HistoryDetail Call(double end, double duration, string kind, string status, string? target = null) =>
        new(At(end), status) { Kind = kind, Target = target, Duration = duration };

    private static HistoryResponse Finished(double end, params HistoryDetail[] entries) =>
        new(entries, At(end + 60)) { Outcome = "ended", EndTime = At(end) };

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Of_NoCalls_StatusesLastUntilTheNextOne_FinalEntryNotCounted()
    {
        var rollup = HistoryRollup.Of(Finished(6, Own(0, "init"), Own(1, "reading"), Own(3, "writing"), Own(4, "reading"), Own(6, "ended")));

        Assert.Equal(S(6), rollup.Total);
        Assert.False(rollup.HasCalls);
        Assert.Empty(rollup.PerKind);
        Assert.Empty(rollup.PerDependency);
        Assert.Equal(TimeSpan.Zero, rollup.InCalls);
        Assert.Equal([new("reading", S(4)), new("init", S(1)), new("writing", S(1))], rollup.PerStatus);
        Assert.Equal([S(1), S(2), S(1), S(2), null], rollup.Timeline.Select(r => r.Spent));
        Assert.All(rollup.Timeline, r => Assert.False(r.SoFar));
    }

    [Fact]
    public void Of_OverlappingCalls_DoNotCutOwnStatuses_AndAddUpBeyondTheWallTime()
    {
        // init 0–1, working 1–5; two http calls overlap (0.5–2.5 and 1–3), a sql call 3.5–4, all while the statuses run.
        var rollup = HistoryRollup.Of(Finished(
            5,
            Own(0, "init"),
            Own(1, "working"),
            Call(2.5, 2, CallKinds.Http, "HTTP GET inventory:5081/items/7 → 200", "inventory:5081"),
            Call(3, 2, CallKinds.Http, "HTTP GET prices:80/p/7 → 200", "prices:80"),
            Call(4, 0.5, CallKinds.Sql, "SQL SELECT … → 2 rows", "shop"),
            Own(5, "ended")));

        Assert.Equal(S(5), rollup.Total);
        Assert.Equal([new("working", S(4)), new("init", S(1))], rollup.PerStatus);
        Assert.Equal([new(CallKinds.Http, null, 2, S(4), S(2)), new(CallKinds.Sql, null, 1, S(0.5), S(0.5))], rollup.PerKind);
        Assert.Equal(
            [new(CallKinds.Http, "inventory:5081", 1, S(2), S(2)), new(CallKinds.Http, "prices:80", 1, S(2), S(2)), new(CallKinds.Sql, "shop", 1, S(0.5), S(0.5))],
            rollup.PerDependency);
        Assert.Equal(S(4.5), rollup.CallTotal);
        Assert.Equal(S(3), rollup.InCalls);

        // Rows in the order they began: the first call started before "working" was set.
        Assert.Equal(["init", "HTTP GET inventory:5081/items/7 → 200", "working", "HTTP GET prices:80/p/7 → 200", "SQL SELECT … → 2 rows", "ended"], rollup.Timeline.Select(r => r.Status));
        Assert.Equal([At(0), At(0.5), At(1), At(1), At(3.5), At(5)], rollup.Timeline.Select(r => r.Start));
        Assert.Equal([S(1), S(2), S(4), S(2), S(0.5), null], rollup.Timeline.Select(r => r.Spent));
        Assert.Equal([null, "http", null, "http", "sql", null], rollup.Timeline.Select(r => r.Kind));
    }

    [Fact]
    public void Of_CallsToTheSameDependency_AreCountedTogether_LongestKept()
    {
        var rollup = HistoryRollup.Of(Finished(
            10,
            Own(0, "init"),
            Call(2, 1.5, CallKinds.Sql, "SQL SELECT 1 → 1 row", "shop"),
            Call(6, 3, CallKinds.Sql, "SQL UPDATE → killed", "shop"),
            Call(7, 0.25, CallKinds.Grpc, "gRPC Get → OK"),
            Own(10, "ended")));

        Assert.Equal([new(CallKinds.Sql, "shop", 2, S(4.5), S(3)), new(CallKinds.Grpc, null, 1, S(0.25), S(0.25))], rollup.PerDependency);
        Assert.Equal([new("init", S(10))], rollup.PerStatus);
        Assert.Equal(S(4.75), rollup.InCalls);
    }

    [Fact]
    public void Of_RunningTask_LastOwnStatusRunsToTheServerTime_SoFar()
    {
        var history = new HistoryResponse(
            [Own(0, "init"), Own(2, "waiting"), Call(3, 2, CallKinds.Http, "HTTP GET a:1/ → 200", "a:1")],
            At(7));

        var rollup = HistoryRollup.Of(history);

        Assert.Equal(S(7), rollup.Total);
        Assert.Equal([new("waiting", S(5)), new("init", S(2))], rollup.PerStatus);
        var waiting = Assert.Single(rollup.Timeline, r => r.Status == "waiting");
        Assert.True(waiting.SoFar);
        Assert.Equal(S(5), waiting.Spent);
        Assert.False(Assert.Single(rollup.Timeline, r => r.IsCall).SoFar);
        Assert.Equal(S(2), rollup.InCalls);
    }

    [Fact]
    public void Of_CallWithoutADuration_CountsAsInstant()
    {
        var rollup = HistoryRollup.Of(Finished(
            2,
            Own(0, "init"),
            new HistoryDetail(At(1), "odd call") { Kind = "queue" },
            new HistoryDetail(At(1.5), "odder call") { Kind = "queue", Duration = double.NaN },
            Own(2, "ended")));

        Assert.Equal([new("queue", null, 2, TimeSpan.Zero, TimeSpan.Zero)], rollup.PerKind);
        Assert.Equal(TimeSpan.Zero, rollup.InCalls);
    }

    [Fact]
    public void Of_CallOutlivingTheKeptSpan_IsClippedInTheUnion()
    {
        // Older entries were dropped: the first kept entry is at 2, but a call started at 1.
        var rollup = HistoryRollup.Of(Finished(4, Own(2, "working"), Call(3, 2, CallKinds.Http, "HTTP GET b:2/ → 200", "b:2"), Own(4, "ended")));

        Assert.Equal(S(2), rollup.Total);
        Assert.Equal(S(1), rollup.InCalls);
        Assert.Equal(At(1), rollup.Timeline[0].Start);
    }

    [Fact]
    public void Of_EmptyHistory_IsEmpty()
    {
        var rollup = HistoryRollup.Of(new HistoryResponse([], T0));

        Assert.Equal(TimeSpan.Zero, rollup.Total);
        Assert.Empty(rollup.Timeline);
        Assert.Empty(rollup.PerStatus);
    }
}
