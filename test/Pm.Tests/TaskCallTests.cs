namespace Pm.Tests;

public sealed class TaskCallTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TaskSnapshot Listed(ProcessList list, string id) => Assert.Single(list.GetAll(), t => t.Id == id);

    [Fact]
    public void BeginCall_InFlight_StatusNamesTheCallAndReturnsToTheOwnStatusAtItsEnd()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        task.Status("loading");

        var call = task.BeginCall(CallKinds.Http, "HTTP GET inventory:5081/items/7", "inventory:5081");
        Assert.Equal("HTTP GET inventory:5081/items/7", Listed(list, "a").Status);

        call.End("200");
        var listed = Listed(list, "a");
        Assert.Equal("loading", listed.Status);
        Assert.True(list.TryGetHistory("a", out var history));
        var entry = history.Entries[^1];
        Assert.Equal(("HTTP GET inventory:5081/items/7 → 200", "http", "inventory:5081"), (entry.Status, entry.Kind, entry.Target));
        Assert.NotNull(entry.Duration);
        Assert.True(entry.Duration >= TimeSpan.Zero);
        Assert.Equal(listed.StatusTime, history.Entries[1].Timestamp);
    }

    [Fact]
    public void BeginCall_Concurrent_StatusNamesEachInOrderAndCountsTheRest()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        var calls = Enumerable.Range(1, 5).Select(i => task.BeginCall(CallKinds.Sql, "SQL q" + i)).ToArray();

        Assert.Equal("SQL q3 | SQL q4 | SQL q5 (+2 more)", Listed(list, "a").Status);
        calls[4].End();
        calls[3].Dispose();
        Assert.Equal("SQL q1 | SQL q2 | SQL q3", Listed(list, "a").Status);
        calls[1].End();
        Assert.Equal("SQL q1 | SQL q3", Listed(list, "a").Status);
        calls[0].End();
        calls[2].End();
        Assert.Equal("init", Listed(list, "a").Status);
        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal(["init", "SQL q5", "SQL q4", "SQL q2", "SQL q1", "SQL q3"], history.Entries.Select(e => e.Status));
        Assert.All(history.Entries.Skip(1), e => Assert.Equal("sql", e.Kind));
        Assert.Null(history.Entries[0].Kind);
    }

    [Fact]
    public void End_Twice_RecordsOneEntry()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        var call = task.BeginCall("cache", "GET key");
        call.End("hit");
        call.End("miss");
        call.Dispose();
        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal(["init", "GET key → hit"], history.Entries.Select(e => e.Status));
    }

    [Fact]
    public void BeginCall_AfterTheTaskFinished_TracksNothing()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        task.Dispose();
        var call = task.BeginCall(CallKinds.Http, "HTTP GET x");
        Assert.Null(call.Task);
        Assert.Equal(default, call);
        call.End("200");
        Assert.Equal(["init", "ended"], TrackedTaskTests.Finished(list, "a").Entries.Select(e => e.Status));
    }

    [Fact]
    public void End_AfterTheTaskFinished_RecordsNothing()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        var call = task.BeginCall(CallKinds.Http, "HTTP GET x");
        task.Dispose();
        call.End("200");
        Assert.Equal(["init", "ended"], TrackedTaskTests.Finished(list, "a").Entries.Select(e => e.Status));
    }

    [Theory]
    [InlineData(null, "d")]
    [InlineData("", "d")]
    [InlineData("http", null)]
    [InlineData("http", "")]
    public void BeginCall_MissingKindOrDescription_ThrowsArgumentException(string? kind, string? description)
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        Assert.ThrowsAny<ArgumentException>(() => task.BeginCall(kind!, description!));
    }

    [Fact]
    public void Kill_CallsInFlight_RunsTheirHooksOnceAndNotTheEndedOnes()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        var killed = new List<string>();
        var ended = task.BeginCall(CallKinds.Sql, "SQL done", onKill: s => killed.Add((string)s!), state: "done");
        var running = task.BeginCall(CallKinds.Sql, "SQL running", onKill: s => killed.Add((string)s!), state: "running");
        var failing = task.BeginCall(CallKinds.Sql, "SQL failing", onKill: _ => throw new InvalidOperationException("hook failed"));
        ended.End();

        Assert.Equal(KillResult.Requested, list.Kill("a", "stop"));
        Assert.Equal(KillResult.Requested, list.Kill("a", "again"));

        Assert.Equal(["running"], killed);
        Assert.True(task.CancellationToken.IsCancellationRequested);
        running.End("cancelled");
        failing.End();
    }

    [Fact]
    public void Kill_HookEndsItsOwnCall_DoesNotDeadlock()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        TaskCall call = default;
        call = task.BeginCall(CallKinds.Sql, "SQL", onKill: _ => call.End("interrupted"));

        list.Kill("a");

        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal("SQL → interrupted", history.Entries[^1].Status);
    }

    [Fact]
    public async Task Kill_HookRunsBeforeTheCallReallyStarted_RunsAgainUntilTheCallEnds()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        var runs = 0;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCall call = default;
        call = task.BeginCall(CallKinds.Sql, "SQL", onKill: _ =>
        {
            // The first two attempts find nothing to stop yet, as when the statement has not reached the database.
            if (++runs == 3)
            {
                call.End("interrupted");
                stopped.SetResult();
            }
        });

        list.Kill("a");

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(3, runs);
        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal("SQL → interrupted", history.Entries[^1].Status);
    }

    [Fact]
    public void BeginCall_AfterTheKill_RunsTheHookAtOnce()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        list.Kill("a");
        var ran = false;
        var call = task.BeginCall(CallKinds.Sql, "SQL late", onKill: _ => ran = true);
        Assert.True(ran);
        call.End();
    }

    [Fact]
    public async Task Kill_ConcurrentWithEnds_NeverRunsAHookAfterItsCallEnded()
    {
        using var list = new ProcessList();
        for (var round = 0; round < 500; round++)
        {
            using var task = list.Start("r" + round);
            var ended = new bool[8];
            var lateHooks = 0;
            var calls = new TaskCall[8];
            for (var i = 0; i < calls.Length; i++)
            {
                var index = i;
                calls[i] = task.BeginCall(CallKinds.Sql, "SQL " + i, onKill: _ =>
                {
                    if (Volatile.Read(ref ended[index]))
                    {
                        Interlocked.Increment(ref lateHooks);
                    }
                });
            }

            using var start = new Barrier(2);
            var ender = Task.Run(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < calls.Length; i++)
                {
                    calls[i].End();
                    Volatile.Write(ref ended[i], true);
                }
            }, TestContext.Current.CancellationToken);
            start.SignalAndWait();
            list.Kill(task.Id);
            await ender;
            Assert.Equal(0, lateHooks);
        }
    }
}
