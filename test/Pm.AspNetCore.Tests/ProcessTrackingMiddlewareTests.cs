using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Tests;

public sealed class ProcessTrackingMiddlewareTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TaskHistory Finished(ProcessList list, Func<TaskHistory, bool> match) =>
        list.GetFinished().Single(match);

    private static object? Attribute(TaskHistory history, string name) =>
        history.Attributes.Single(a => a.Key == name).Value;

    [Fact]
    public async Task Request_Normal_IsTrackedWithAttributesAndEnded()
    {
        TaskSnapshot? during = null;
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/hello", (HttpContext context, ProcessList list) =>
            {
                var task = context.GetTrackedTask()!;
                task.Status("greeting");
                list.TryGet(task.Id, out during);
                return "hi";
            });
        });

        var body = await app.Client.GetStringAsync("hello?name=x", Ct);

        Assert.Equal("hi", body);
        Assert.NotNull(during);
        Assert.Equal("greeting", during.Status);
        var finished = Finished(app.List, h => h.Id == during.Id);
        Assert.Equal(TaskOutcome.Ended, finished.Outcome);
        Assert.Equal("GET", Attribute(finished, "method"));
        Assert.Equal("/hello?name=x", Attribute(finished, "uri"));
        Assert.StartsWith("127.0.0.1:", (string)Attribute(finished, "host")!, StringComparison.Ordinal);
        Assert.Equal("200", Attribute(finished, "statusCode"));
    }

    [Fact]
    public async Task Request_KilledWhileAwaitingDelay_CancelsHandlerAndRecordsKilled()
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/slow", async (HttpContext context, CancellationToken token) =>
            {
                context.GetTrackedTask()!.Status("waiting on a slow dependency");
                started.SetResult(context.GetTrackedTask()!.Id);
                await Task.Delay(Timeout.Infinite, token);
                return "never";
            });
        });

        var request = app.Client.GetAsync("slow", Ct);
        var id = await started.Task.WaitAsync(Ct);
        Assert.Equal(KillResult.Requested, app.List.Kill(id, "too slow"));
        using var response = await request;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("killed: too slow", (await response.Content.ReadAsStringAsync(Ct)).Trim());
        var finished = Finished(app.List, h => h.Id == id);
        Assert.Equal(TaskOutcome.Killed, finished.Outcome);
        Assert.Equal(["init", "waiting on a slow dependency", "[cancel request: too slow]", "killed: too slow"], finished.Entries.Select(e => e.Status));
        Assert.Equal("503", Attribute(finished, "statusCode"));
    }

    [Fact]
    public async Task Request_KilledButHandlerIgnoresToken_IsAbortedAfterGracePeriod()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (app, request, id) = await StartStubbornAsync(TimeSpan.FromMilliseconds(50), release.Task);
        await using var _ = app;
        app.List.Kill(id);

        await Assert.ThrowsAsync<HttpRequestException>(() => request);
        release.SetResult();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_AbortRequested_IsCutOffAtOnceAndTheHistorySaysAbort(bool afterAKill)
    {
        // A grace period longer than the test's timeout: only the abort can cut the request off in time.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (app, request, id) = await StartStubbornAsync(TimeSpan.FromHours(1), release.Task);
        await using var _ = app;
        if (afterAKill)
        {
            Assert.Equal(KillResult.Requested, app.List.Kill(id, "please"));
        }

        Assert.Equal(KillResult.Requested, app.List.Kill(id, new KillRequest("now") { Abort = true }));

        await Assert.ThrowsAsync<HttpRequestException>(() => request.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.True(app.List.TryGetHistory(id, out var history));
        var requests = history.Entries.Where(e => e.Status.StartsWith('[')).Select(e => e.Status);
        Assert.Equal(afterAKill ? ["[cancel request: please]", "[abort request: now]"] : ["[abort request: now]"], requests);
        Assert.Equal(KillResult.Requested, app.List.Kill(id, new KillRequest("again") { Abort = true }));
        Assert.True(app.List.TryGetHistory(id, out history));
        Assert.Equal(afterAKill ? 2 : 1, history.Entries.Count(e => e.Status.StartsWith('[')));
        release.SetResult();
    }

    [Fact]
    public async Task Request_HandlerThrows_RecordsAbortedWith500()
    {
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/boom", string () => throw new InvalidOperationException("boom"));
        });

        using var response = await app.Client.GetAsync("boom", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var finished = Assert.Single(app.List.GetFinished());
        Assert.Equal(TaskOutcome.Aborted, finished.Outcome);
        Assert.Equal("500", Attribute(finished, "statusCode"));
    }

    [Fact]
    public async Task Request_ClientDisconnects_RecordsAborted()
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/wait", async (HttpContext context, CancellationToken token) =>
            {
                started.SetResult(context.GetTrackedTask()!.Id);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    ended.SetResult();
                }
            });
        });
        using var client = new HttpClient { BaseAddress = app.Address };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var request = client.GetAsync("wait", cts.Token);
        var id = await started.Task.WaitAsync(Ct);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await ended.Task.WaitAsync(Ct);

        TaskHistory? history = null;
        while (history is null || history.IsRunning)
        {
            // The handler has left; the middleware records the outcome right after.
            await Task.Yield();
            app.List.TryGetHistory(id, out history);
        }

        Assert.Equal(TaskOutcome.Aborted, history.Outcome);
    }

    [Fact]
    public async Task Requests_ToPmEndpointsAndExcludedPaths_AreNotTracked()
    {
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking(o => o.ExcludedPaths.Add("/health"));
            app.MapProcessList("/procs");
            app.MapGet("/health", () => "ok");
            app.MapGet("/work", () => "done");
        });

        await app.Client.GetStringAsync("procs/", Ct);
        await app.Client.GetStringAsync("health", Ct);
        await app.Client.GetStringAsync("work", Ct);

        var finished = Assert.Single(app.List.GetFinished());
        Assert.Equal("/work", Attribute(finished, "uri"));
    }

    [Fact]
    public async Task Request_IdFactoryAndTaskOptions_AreApplied()
    {
        var seen = new TaskCompletionSource<TaskSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking(o =>
            {
                o.IdFactory = c => "req-" + c.Request.Headers["X-Request-Id"];
                o.TaskOptions = new TaskOptions { ForbidKill = true };
            });
            app.MapGet("/x", (ProcessList list) =>
            {
                list.TryGet("req-42", out var snapshot);
                seen.SetResult(snapshot!);
                return list.Kill("req-42").ToString();
            });
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "x");
        request.Headers.Add("X-Request-Id", "42");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal("Forbidden", await response.Content.ReadAsStringAsync(Ct));
        Assert.True((await seen.Task).ForbidKill);
    }

    [Fact]
    public async Task Request_EndpointWithTaskOptions_UsesThem()
    {
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/locked", (HttpContext context, ProcessList list) => list.Kill(context.GetTrackedTask()!.Id).ToString())
                .WithTaskOptions(new TaskOptions { ForbidKill = true });
            app.MapGet("/open", (HttpContext context, ProcessList list) => list.Kill(context.GetTrackedTask()!.Id).ToString());
        });

        Assert.Equal("Forbidden", await app.Client.GetStringAsync("locked", Ct));
        Assert.Equal("Requested", await app.Client.GetStringAsync("open", Ct));
    }

    [Fact]
    public async Task UseProcessTracking_WithoutAddProcessList_ThrowsClearError()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.UseProcessTracking());
        Assert.Contains("AddProcessList", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_InvalidValues_AreRejectedWhenSet()
    {
        var options = new ProcessTrackingOptions();
        Assert.Throws<ArgumentOutOfRangeException>("value", () => options.KillGracePeriod = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>("value", () => options.KilledStatusCode = 200);
        options.KillGracePeriod = Timeout.InfiniteTimeSpan;
        Assert.Equal(Timeout.InfiniteTimeSpan, options.KillGracePeriod);
    }

    /// <summary>Starts an app whose one request ignores its token until released, and sends that request.</summary>
    private static async Task<(TestApp App, Task<HttpResponseMessage> Request, string Id)> StartStubbornAsync(TimeSpan grace, Task release)
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking(o => o.KillGracePeriod = grace);
            app.MapGet("/stubborn", async (HttpContext context) =>
            {
                started.SetResult(context.GetTrackedTask()!.Id);
                await release;
                return "late";
            });
        });
        var request = app.Client.GetAsync("stubborn", Ct);
        return (app, request, await started.Task.WaitAsync(Ct));
    }
}
