namespace Pm.Tests;

/// <summary>The task runners: the outcome they record and the kills they swallow.</summary>
public sealed class ProcessListRunTests
{
    private static readonly TaskOptions Suppress = new() { SuppressKillException = true };

    private static TaskHistory Finished(ProcessList list, string id) => TrackedTaskTests.Finished(list, id);

    private static string Final(ProcessList list, string id) => TrackedTaskTests.Final(list, id);

    [Fact]
    public void Run_NormalReturn_RecordsEnded()
    {
        using var list = new ProcessList();
        list.Run("a", t => t.Status("working"));
        Assert.Equal("ended", Final(list, "a"));
    }

    [Fact]
    public void Run_KilledWithoutSuppress_RecordsKilledAndRethrows()
    {
        using var list = new ProcessList();
        var ex = Assert.Throws<TaskKilledException>(() => list.Run("a", t =>
        {
            list.Kill("a", "go away");
            t.Status("next");
        }));
        Assert.Equal("killed: go away", ex.Message);
        Assert.Equal("killed: go away", Final(list, "a"));
        Assert.Equal(TaskOutcome.Killed, Finished(list, "a").Outcome);
    }

    [Fact]
    public void Run_KilledWithSuppress_SwallowsAndRecordsKilled()
    {
        using var list = new ProcessList();
        var after = false;
        list.Run("a", t =>
        {
            list.Kill("a");
            t.ThrowIfKilled();
        }, options: Suppress);
        after = true;
        Assert.True(after);
        Assert.Equal("killed", Final(list, "a"));
    }

    [Fact]
    public void Run_SuppressWithOtherFailure_RecordsAbortedAndRethrows()
    {
        using var list = new ProcessList();
        Assert.Throws<InvalidOperationException>(() => list.Run("a", _ => throw new InvalidOperationException(), options: Suppress));
        Assert.Equal("aborted", Final(list, "a"));
    }

    [Fact]
    public void Run_SuppressAfterOwnKill_SwallowsAnyCancellationAsKilled()
    {
        // After its own kill, a task ended by any cancellation — here another task's — is killed, and suppressed.
        using var list = new ProcessList();
        using var other = list.Start("other");
        list.Kill("other");

        list.Run("self", _ =>
        {
            list.Kill("self", "stop");
            other.ThrowIfKilled();
        }, options: Suppress);

        Assert.Equal("killed: stop", Final(list, "self"));
    }

    [Fact]
    public void Run_SuppressWithCancellationBeforeAnyKill_RecordsAbortedAndRethrows()
    {
        using var list = new ProcessList();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => list.Run("a", _ => cts.Token.ThrowIfCancellationRequested(), options: Suppress));
        Assert.Equal("aborted", Final(list, "a"));
    }

    [Fact]
    public async Task RunAsync_KilledWhileAwaitingTaskToken_RecordsKilled()
    {
        using var list = new ProcessList();
        var started = new TaskCompletionSource();
        var run = list.RunAsync("a", async t =>
        {
            t.Status("waiting");
            started.SetResult();
            await Task.Delay(Timeout.Infinite, t.CancellationToken);
        });
        await started.Task;

        list.Kill("a", "now");

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.IsNotType<TaskKilledException>(ex);
        Assert.Equal("killed: now", Final(list, "a"));
    }

    [Fact]
    public async Task RunAsync_SuppressKilledWhileAwaiting_CompletesAndRecordsKilled()
    {
        using var list = new ProcessList();
        var started = new TaskCompletionSource();
        var run = list.RunAsync("a", async t =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, t.CancellationToken);
        }, options: Suppress);
        await started.Task;

        list.Kill("a");

        await run;
        Assert.Equal("killed", Final(list, "a"));
    }

    [Fact]
    public async Task RunAsync_NormalAndFailing_RecordEndedAndAborted()
    {
        using var list = new ProcessList();
        await list.RunAsync("ok", async t => await Task.Yield());
        await Assert.ThrowsAsync<InvalidOperationException>(() => list.RunAsync("bad", _ => throw new InvalidOperationException()));
        Assert.Equal("ended", Final(list, "ok"));
        Assert.Equal("aborted", Final(list, "bad"));
    }

    [Fact]
    public async Task RunAsync_LinkedTokenCancelled_CancelsTaskTokenAndRecordsAborted()
    {
        using var list = new ProcessList();
        using var disconnect = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var run = list.RunAsync("a", async t =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, t.CancellationToken);
        }, options: Suppress, cancellationToken: disconnect.Token);
        await started.Task;

        await disconnect.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal("aborted", Final(list, "a"));
        Assert.Equal(["init", "aborted"], Finished(list, "a").Entries.Select(e => e.Status));
    }

    [Fact]
    public async Task RunAsync_LinkedTokenCancelledByKill_IsKilledAndSuppressedWhenAsked()
    {
        using var list = new ProcessList();
        var run = list.RunAsync(
            "t",
            async task =>
            {
                using var perCall = CancellationTokenSource.CreateLinkedTokenSource(task.CancellationToken);
                perCall.CancelAfter(TimeSpan.FromMinutes(5));
                await Task.Delay(Timeout.Infinite, perCall.Token);
            },
            options: new TaskOptions { SuppressKillException = true });
        list.Kill("t", "stop");

        await run;
        Assert.True(list.TryGetHistory("t", out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        Assert.Equal("killed: stop", history.Entries[^1].Status);
    }
}
