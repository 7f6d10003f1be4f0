using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pm.AspNetCore.Tests;

/// <summary>However a handler waits, a kill ends its request as killed, answered with the killed status code.</summary>
public sealed class ProcessTrackingKillOutcomeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("request-token")]
    [InlineData("linked-token")]
    [InlineData("timeout-token")]
    [InlineData("http-client")]
    public async Task Request_KilledWhileWaiting_EndsKilledWith503AndNoErrorLogged(string wait)
    {
        await using var dependency = await TestApp.StartAsync(app =>
            app.MapGet("/hang", async (CancellationToken token) => await Task.Delay(Timeout.Infinite, token)));
        using var http = new HttpClient { BaseAddress = dependency.Address };
        var logs = new RecordingLoggerProvider();
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapGet("/work", async (HttpContext context, CancellationToken token) =>
                {
                    started.SetResult(context.GetTrackedTask()!.Id);
                    switch (wait)
                    {
                        case "request-token":
                            await Task.Delay(Timeout.Infinite, token);
                            break;
                        case "linked-token":
                            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(token))
                            {
                                await Task.Delay(Timeout.Infinite, linked.Token);
                            }

                            break;
                        case "timeout-token":
                            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(token))
                            {
                                timeout.CancelAfter(TimeSpan.FromMinutes(5));
                                await Task.Delay(Timeout.Infinite, timeout.Token);
                            }

                            break;
                        default:
                            await http.GetAsync("hang", token);
                            break;
                    }

                    return "never";
                });
            },
            services => services.AddLogging(b => b.AddProvider(logs)));

        var request = app.Client.GetAsync("work", Ct);
        var id = await started.Task.WaitAsync(Ct);
        Assert.Equal(KillResult.Requested, app.List.Kill(id, "stop"));
        using var response = await request;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("killed: stop", (await response.Content.ReadAsStringAsync(Ct)).Trim());
        var finished = app.List.GetFinished().Single(h => h.Id == id);
        Assert.Equal(TaskOutcome.Killed, finished.Outcome);
        Assert.Equal("503", finished.Attributes.Single(a => a.Key == "statusCode").Value);
        Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Request_FailingAfterKill_StaysAbortedWith500()
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/fail", async (HttpContext context) =>
            {
                started.SetResult(context.GetTrackedTask()!.Id);
                await killed.Task;
                throw new InvalidOperationException("broken");
            });
        });

        var request = app.Client.GetAsync("fail", Ct);
        var id = await started.Task.WaitAsync(Ct);
        app.List.Kill(id, "stop");
        killed.SetResult();
        using var response = await request;

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var finished = app.List.GetFinished().Single(h => h.Id == id);
        Assert.Equal(TaskOutcome.Aborted, finished.Outcome);
        Assert.Equal("500", finished.Attributes.Single(a => a.Key == "statusCode").Value);
    }

    [Fact]
    public async Task Request_KilledButHandlerReturnsNormally_EndsEndedWithItsOwnAnswer()
    {
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/partial", async (HttpContext context, CancellationToken token) =>
            {
                started.SetResult(context.GetTrackedTask()!.Id);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                    // The handler chooses to answer with what it has.
                }

                return "partial";
            });
        });

        var request = app.Client.GetAsync("partial", Ct);
        var id = await started.Task.WaitAsync(Ct);
        app.List.Kill(id, "stop");
        using var response = await request;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("partial", await response.Content.ReadAsStringAsync(Ct));
        var finished = app.List.GetFinished().Single(h => h.Id == id);
        Assert.Equal(TaskOutcome.Ended, finished.Outcome);
        Assert.Contains(finished.Entries, e => e.Status == "[cancel request: stop]");
    }

    [Fact]
    public async Task Request_ClientLeavesWhileHandlerWaitsOnTheTasksToken_EndsAborted()
    {
        // The handler never reads RequestAborted; the client's departure still reaches the task's own token.
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(app =>
        {
            app.UseProcessTracking();
            app.MapGet("/wait", async (HttpContext context) =>
            {
                var task = context.GetTrackedTask()!;
                started.SetResult(task.Id);
                await Task.Delay(Timeout.Infinite, task.CancellationToken);
            });
        });

        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var request = app.Client.GetAsync("wait", leave.Token);
        var id = await started.Task.WaitAsync(Ct);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);

        await EventStreamTests.EventuallyAsync(() => Task.FromResult(app.List.GetFinished().Any(h => h.Id == id)));
        Assert.Equal(TaskOutcome.Aborted, app.List.GetFinished().Single(h => h.Id == id).Outcome);
    }
}
