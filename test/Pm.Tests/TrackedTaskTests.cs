namespace Pm.Tests;

public sealed class TrackedTaskTests
{
    internal static TaskHistory Finished(ProcessList list, string id) =>
        list.TryGetHistory(id, out var history) && !history.IsRunning ? history : throw new InvalidOperationException($"{id} has not finished");

    internal static string Final(ProcessList list, string id) => Finished(list, id).Entries[^1].Status;

    [Fact]
    public void Dispose_Twice_EndsOnce()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        task.Dispose();
        task.Dispose();
        Assert.False(task.Done());
        Assert.Equal(["init", "ended"], Finished(list, "a").Entries.Select(e => e.Status));
        Assert.Equal(TaskOutcome.Ended, Finished(list, "a").Outcome);
        Assert.Empty(list.GetAll());
    }

    [Fact]
    public void Members_AfterDone_AreIgnored()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        task.Dispose();
        list.Kill("a");
        task.Status("late");
        task.SetAttribute("x", 1);
        task.ThrowIfKilled();
        Assert.Equal(["init", "ended"], Finished(list, "a").Entries.Select(e => e.Status));
        Assert.Empty(Finished(list, "a").Attributes);
    }

    [Fact]
    public void Status_Null_ThrowsArgumentNull()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        Assert.Throws<ArgumentNullException>("status", () => task.Status(null!));
        Assert.Throws<ArgumentException>("name", () => task.SetAttribute("", 1));
    }

    [Fact]
    public void Status_AfterKill_RecordsEntryThenThrowsKilledWithTaskToken()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        list.Kill("a", "my message");

        var ex = Assert.Throws<TaskKilledException>(() => task.Status("step"));

        Assert.Equal("killed: my message", ex.Message);
        Assert.Equal("my message", ex.KillMessage);
        Assert.Equal("a", ex.TaskId);
        Assert.Equal(task.CancellationToken, ex.CancellationToken);
        Assert.True(ex.CancellationToken.IsCancellationRequested);
        Assert.IsAssignableFrom<OperationCanceledException>(ex);
        Assert.Equal("step", list.GetAll().Single().Status);
    }

    [Fact]
    public void ThrowIfKilled_AfterKillWithoutMessage_ThrowsKilledAndRecordsNothing()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        task.ThrowIfKilled();
        list.Kill("a");

        var ex = Assert.Throws<TaskKilledException>(task.ThrowIfKilled);

        Assert.Equal("killed", ex.Message);
        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal(["init", "[cancel request]"], history.Entries.Select(e => e.Status));
        Assert.True(task.IsKillRequested);
    }

    [Fact]
    public void Kill_UnknownId_ReturnsNotFound()
    {
        using var list = new ProcessList();
        Assert.Equal(KillResult.NotFound, list.Kill("nope", "x"));
    }

    [Fact]
    public void Kill_ForbidKill_ReturnsForbiddenAndChangesNothing()
    {
        using var list = new ProcessList();
        using var task = list.Start("a", options: new TaskOptions { ForbidKill = true });
        var token = task.CancellationToken;

        Assert.Equal(KillResult.Forbidden, list.Kill("a", "please"));

        Assert.False(token.IsCancellationRequested);
        Assert.False(task.IsKillRequested);
        task.ThrowIfKilled();
        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal(["init"], history.Entries.Select(e => e.Status));
        Assert.True(history.ForbidKill);
        Assert.True(list.GetAll().Single().ForbidKill);
    }

    [Fact]
    public void Kill_Twice_KeepsFirstRequestOnly()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");

        Assert.Equal(KillResult.Requested, list.Kill("a", new KillRequest("first", "127.0.0.1:1234", "ann")));
        Assert.Equal(KillResult.Requested, list.Kill("a", "second"));

        Assert.True(list.TryGetHistory("a", out var history));
        Assert.Equal(["init", "[cancel request: first]"], history.Entries.Select(e => e.Status));
        Assert.Equal(new KillRequest("first", "127.0.0.1:1234", "ann"), history.Entries[1].KillRequest);
        Assert.Null(history.Entries[0].KillRequest);
        Assert.True(history.IsKillRequested);
        Assert.True(list.GetAll().Single().IsKillRequested);
        Assert.Equal("killed: first", Assert.Throws<TaskKilledException>(task.ThrowIfKilled).Message);
    }

    [Fact]
    public void Kill_TokenObtainedBefore_IsCancelledBeforeKillReturns()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        var token = task.CancellationToken;
        var callbackThread = -1;
        token.Register(() => callbackThread = Environment.CurrentManagedThreadId);

        list.Kill("a");

        Assert.True(token.IsCancellationRequested);
        Assert.Equal(Environment.CurrentManagedThreadId, callbackThread);
    }

    [Fact]
    public void Kill_TokenObtainedAfter_IsAlreadyCancelled()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        list.Kill("a");
        Assert.True(task.CancellationToken.IsCancellationRequested);
        Assert.Equal(task.CancellationToken, task.CancellationToken);
    }

    [Fact]
    public async Task Kill_CallbackUsingTheTrackerFromAnotherThread_DoesNotDeadlock()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        string? seen = null;
        task.CancellationToken.Register(() =>
        {
            // Blocks this callback on another thread that needs the list, the stripe and the task: this would
            // hang if the callback ran under any of the tracker's locks.
            var other = Task.Run(() =>
            {
                list.SetAttribute("a", "seen", true);
                Assert.True(list.TryGetHistory("a", out _));
                return list.GetAll().Single().Attributes.Single().Key;
            });
            seen = other.Wait(TimeSpan.FromSeconds(30)) ? other.Result : "timed out";
        });

        var result = await Task.Run(() => list.Kill("a", "stop")).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(KillResult.Requested, result);
        Assert.Equal("seen", seen);
    }

    [Fact]
    public void Kill_CallbackThrows_KillSucceedsAndTrackerKeepsWorking()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        var later = false;
        task.CancellationToken.Register(() => throw new InvalidOperationException("bad callback"));
        task.CancellationToken.Register(() => later = true);

        Assert.Equal(KillResult.Requested, list.Kill("a", "x"));

        Assert.True(later);
        Assert.True(task.IsKillRequested);
        task.Dispose();
        using var next = list.Start("a");
        Assert.Single(list.GetAll());
    }

    [Fact]
    public void ThrowIfKilled_LinkedTokenCancelled_ThrowsOperationCanceled()
    {
        using var list = new ProcessList();
        using var disconnect = new CancellationTokenSource();
        using var task = list.Start("a", cancellationToken: disconnect.Token);
        disconnect.Cancel();

        var ex = Assert.Throws<OperationCanceledException>(task.ThrowIfKilled);
        Assert.Equal(task.CancellationToken, ex.CancellationToken);
        Assert.False(task.IsKillRequested);
    }

    [Fact]
    public void Start_DuplicateIdWithLinkedToken_DoesNotTouchRunningTask()
    {
        using var list = new ProcessList();
        using var first = list.Start("a");
        using var cts = new CancellationTokenSource();
        Assert.Throws<DuplicateTaskIdException>(() => list.Start("a", cancellationToken: cts.Token));
        cts.Cancel();
        Assert.False(first.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public void Done_WithUsingAndOwnKill_RecordsKilled()
    {
        using var list = new ProcessList();
        using (var task = list.Start("a"))
        {
            list.Kill("a", "m");
            try
            {
                task.Status("x");
            }
            catch (Exception ex)
            {
                Assert.True(task.Done(ex));
            }
        }

        Assert.Equal("killed: m", Final(list, "a"));
    }

    [Fact]
    public void Done_WithTaskTokenCancellationAfterKill_RecordsKilled()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        list.Kill("a");
        var ex = Assert.ThrowsAny<OperationCanceledException>(() => task.CancellationToken.ThrowIfCancellationRequested());
        task.Done(ex);
        Assert.Equal("killed", Final(list, "a"));
    }

    [Fact]
    public void Done_WithFailure_RecordsAborted()
    {
        using var list = new ProcessList();
        using (var task = list.Start("a"))
        {
            task.Done(new TimeoutException());
        }

        Assert.Equal("aborted", Final(list, "a"));
    }

    [Fact]
    public void Done_ByIdWithOwnKill_RecordsKilled()
    {
        using var list = new ProcessList();
        list.Start("a");
        list.Kill("a", "bye");
        var ex = Assert.Throws<TaskKilledException>(() => list.Status("a", "x"));
        Assert.True(list.Done("a", ex));
        Assert.Equal("killed: bye", Final(list, "a"));
    }

    [Fact]
    public void Done_KilledButEndedNormally_RecordsEnded()
    {
        using var list = new ProcessList();
        var task = list.Start("a");
        list.Kill("a");
        task.Dispose();
        Assert.Equal(["init", "[cancel request]", "ended"], Finished(list, "a").Entries.Select(e => e.Status));
    }

    [Fact]
    public void LinkCancellation_AfterStart_CancelsTaskTokenAndEndsAborted()
    {
        using var list = new ProcessList();
        using var client = new CancellationTokenSource();
        var task = list.Start("a");
        task.LinkCancellation(CancellationToken.None);
        task.LinkCancellation(client.Token);
        Assert.Throws<InvalidOperationException>(() => task.LinkCancellation(client.Token));

        client.Cancel();

        Assert.True(task.CancellationToken.IsCancellationRequested);
        var ex = Assert.Throws<OperationCanceledException>(task.ThrowIfKilled);
        task.Done(ex);
        Assert.Equal(TaskOutcome.Aborted, task.Outcome);
    }

    [Fact]
    public void LinkCancellation_AfterKill_TokenStaysCancelled()
    {
        using var list = new ProcessList();
        using var client = new CancellationTokenSource();
        using var task = list.Start("a");
        list.Kill("a", "m");
        task.LinkCancellation(client.Token);
        Assert.True(task.CancellationToken.IsCancellationRequested);
        Assert.Equal("m", task.KillRequest?.Message);
        Assert.Null(task.Outcome);
    }

    [Theory]
    [InlineData(false, null, false, TaskOutcome.Ended)]
    [InlineData(false, null, true, TaskOutcome.Aborted)]
    [InlineData(false, "cancel", false, TaskOutcome.Aborted)]
    [InlineData(false, "fail", false, TaskOutcome.Aborted)]
    [InlineData(true, "cancel", false, TaskOutcome.Killed)]
    [InlineData(true, "cancel", true, TaskOutcome.Killed)]
    [InlineData(true, "fail", false, TaskOutcome.Aborted)]
    [InlineData(true, null, false, TaskOutcome.Ended)]
    public void Decide_IsTheOneRuleForEveryEnd(bool killRequested, string? exception, bool abandoned, TaskOutcome expected)
    {
        Exception? ex = exception switch
        {
            "cancel" => new OperationCanceledException(),
            "fail" => new InvalidOperationException(),
            _ => null,
        };

        Assert.Equal(expected, TrackedTask.Decide(killRequested, ex, abandoned));
    }

    [Fact]
    public void Done_CancellationOfAnotherTokenAfterKill_IsKilled()
    {
        using var list = new ProcessList();
        var task = list.Start("t");
        list.Kill("t", "stop");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(task.CancellationToken);

        Assert.True(task.Done(new TaskCanceledException(null, null, timeout.Token)));
        Assert.Equal(TaskOutcome.Killed, task.Outcome);
    }
}
