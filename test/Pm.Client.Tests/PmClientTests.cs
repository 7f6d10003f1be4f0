using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Pm.Protocol;

namespace Pm.Client.Tests;

public sealed class PmClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PmClient ClientFor(TestApp app, PmClientOptions? options = null, TimeSpan? timeout = null) =>
        new(new HttpClient(new TestApp.OutsideTasks()) { BaseAddress = app.Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) }, options);

    [Fact]
    public async Task OriginalCalls_AgainstDotNetServer_ListHistoryKill()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("req 1/a", [new("method", "GET"), new("n", 3)]);
        task.Status("step 1");
        var client = ClientFor(app);

        var procs = await client.GetTasksAsync(cancellationToken: Ct);
        var detail = Assert.Single(procs.Procs);
        Assert.Equal(("req 1/a", "step 1"), (detail.Id, detail.Status));
        Assert.True(detail.Attrs!.TryGetValue("method", out var method));
        Assert.Equal("GET", method?.ToString());

        var history = await client.GetHistoryAsync("req 1/a", Ct);
        Assert.Equal(["init", "step 1"], history!.History.Select(h => h.Status));

        Assert.Equal(KillResult.Requested, await client.KillAsync("req 1/a", "bye", cancellationToken: Ct));
        Assert.Equal("[cancel request: bye]", (await client.GetHistoryAsync("req 1/a", Ct))!.History[^1].Status);
        Assert.Equal(KillResult.Requested, await client.KillAsync("req 1/a", "now", abort: true, Ct));
        Assert.Equal("[abort request: now]", (await client.GetHistoryAsync("req 1/a", Ct))!.History[^1].Status);
    }

    [Fact]
    public async Task ExpectedAnswers_AreResultsNotExceptions()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var locked = app.List.Start("locked", options: new TaskOptions { ForbidKill = true });
        var client = ClientFor(app);

        Assert.Null(await client.GetHistoryAsync("nope", Ct));
        Assert.Null(await client.GetTaskAsync("nope", Ct));
        Assert.Equal(KillResult.NotFound, await client.KillAsync("nope", cancellationToken: Ct));
        Assert.Equal(KillResult.Forbidden, await client.KillAsync("locked", cancellationToken: Ct));
    }

    [Fact]
    public async Task Extensions_AgainstDotNetServer_Work()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var a = app.List.Start("a", [new("method", "GET")]);
        using var b = app.List.Start("b", [new("method", "POST")]);
        app.List.Start("done").Dispose();
        var client = ClientFor(app);

        Assert.Equal("a", (await client.GetTaskAsync("a", Ct))!.Id);
        var gets = await client.GetTasksAsync(new TaskQuery { Attributes = new Dictionary<string, string> { ["method"] = "GET" } }, Ct);
        Assert.Equal(["a"], gets.Procs.Select(p => p.Id));
        Assert.Equal(["b", "a"], (await client.GetTasksAsync(new TaskQuery { Sort = "-id", Limit = 5 }, Ct)).Procs.Select(p => p.Id));
        var finished = await client.GetFinishedAsync(10, Ct);
        Assert.Equal("ended", Assert.Single(finished.Finished).Outcome);
    }

    [Fact]
    public async Task WatchAsync_StreamsSnapshotThenFrames()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var existing = app.List.Start("existing");
        var client = ClientFor(app);
        var tasks = new Dictionary<string, ProcDetail>();
        TrackedTask? added = null;
        var frames = 0;

        await foreach (var frame in client.WatchAsync(Ct))
        {
            if (frame.IsSnapshot)
            {
                tasks.Clear();
            }

            foreach (var f in frame.Finished)
            {
                tasks.Remove(f.Id);
            }

            foreach (var p in frame.Procs)
            {
                tasks[p.Id] = p;
            }

            frames++;
            if (frames == 1)
            {
                Assert.True(frame.IsSnapshot);
                Assert.Equal(["existing"], tasks.Keys);
                added = app.List.Start("new");
                existing.Dispose();
            }
            else if (tasks.Keys.SequenceEqual(["new"]))
            {
                break;
            }
        }

        added?.Dispose();
        Assert.Equal(["new"], tasks.Keys);
    }

    [Fact]
    public async Task WatchAsync_ProgressAloneOfAListedTask_ComesAsAnUpdateThatAppliesToTheTaskHeld()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("import", [new("payload", "x")]);
        var client = ClientFor(app);
        var tasks = new Dictionary<string, ProcDetail>();

        await foreach (var frame in client.WatchAsync(Ct).WithCancellation(Ct))
        {
            foreach (var p in frame.Procs)
            {
                tasks[p.Id] = p;
            }

            if (frame.IsSnapshot)
            {
                task.ReportProgress(3, 4);
                continue;
            }

            var update = Assert.Single(frame.Updates!);
            tasks[update.Id] = update.ApplyTo(tasks[update.Id]);
            break;
        }

        var held = tasks["import"];
        Assert.Equal(new ProcProgress(3, 4), held.Progress! with { Remaining = null });
        Assert.True(held.Attrs!.TryGetValue("payload", out var payload));
        Assert.Equal("x", payload?.ToString());
    }

    [Fact]
    public async Task WatchAsync_Evicted_EndsWithoutError()
    {
        await using var app = await TestApp.StartWithProcsAsync(o =>
        {
            o.MaxEventSubscribers = 1;
            o.MaxEventSubscribersPerClient = 2;
            o.EventIdleAfter = TimeSpan.Zero;
        });
        var client = ClientFor(app);
        var frames = 0;

        // Once the snapshot is in, another subscriber takes the only slot, which is idle at once: this stream ends.
        await foreach (var frame in client.WatchAsync(Ct).WithCancellation(Ct))
        {
            frames++;
            Assert.True(frame.IsSnapshot);
            using var other = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        Assert.Equal(1, frames);
    }

    [Fact]
    public async Task OriginalCalls_AgainstGoServer_WorkUnchanged()
    {
        await using var go = await GoServer.StartAsync();
        var client = ClientFor(go.App);

        var procs = await client.GetTasksAsync(cancellationToken: Ct);
        Assert.Equal(["req1"], procs.Procs.Select(p => p.Id));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero).AddTicks(3574866), procs.Procs[0].ProcTime);
        Assert.Equal(["init", "S11"], (await client.GetHistoryAsync("req1", Ct))!.History.Select(h => h.Status));
        Assert.Null(await client.GetHistoryAsync("nope", Ct));
        Assert.Equal(KillResult.Requested, await client.KillAsync("req1", "m", cancellationToken: Ct));
        Assert.Equal("{\"message\":\"m\"}", go.LastKillBody);
        Assert.Equal(KillResult.NotFound, await client.KillAsync("nope", cancellationToken: Ct));
        Assert.Equal("{\"message\":\"\"}", go.LastKillBody);
    }

    [Fact]
    public async Task Extensions_AgainstGoServer_FailAsNotSupported()
    {
        await using var go = await GoServer.StartAsync();
        var client = ClientFor(go.App);

        async Task NotSupported(Func<Task> call) =>
            Assert.Equal(PmErrorKind.NotSupported, (await Assert.ThrowsAsync<PmClientException>(call)).Kind);

        await NotSupported(() => client.GetTaskAsync("req1", Ct));
        await NotSupported(() => client.GetFinishedAsync(cancellationToken: Ct));
        await NotSupported(() => client.GetTasksAsync(new TaskQuery { Limit = 1 }, Ct));
        await NotSupported(async () =>
        {
            await foreach (var frame in client.WatchAsync(Ct))
            {
                Assert.Fail($"got a frame of {frame.Procs.Count} tasks");
            }
        });
    }

    [Fact]
    public async Task WatchAsync_StreamFull_ThrowsBusyWithRetryAfter_WhileTheListStillAnswers()
    {
        await using var app = await TestApp.StartWithProcsAsync(o => o.MaxEventSubscribers = 1);
        using var task = app.List.Start("running");
        var client = ClientFor(app);
        await using var holder = client.WatchAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await holder.MoveNextAsync());

        var refused = await Assert.ThrowsAsync<PmClientException>(async () =>
        {
            await foreach (var frame in client.WatchAsync(TimeSpan.FromSeconds(1), Ct))
            {
                Assert.Fail("a second subscriber got a frame: " + frame);
            }
        });

        Assert.Equal(PmErrorKind.Busy, refused.Kind);
        Assert.Equal(503, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.RetryAfter);
        Assert.Contains("retry in 5 s", refused.Message, StringComparison.Ordinal);
        Assert.Equal("running", Assert.Single((await client.GetTasksAsync(cancellationToken: Ct)).Procs).Id);
    }

    [Fact]
    public async Task WatchAsync_WithAFrameInterval_GetsChangesCoalescedAtThatRate()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var client = ClientFor(app);
        TrackedTask? task = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Started after the snapshot, the task shows in the next frame of the five-second rate, seconds later, where
        // the server's own rate (100 ms) would have sent it at once.
        await foreach (var frame in client.WatchAsync(TimeSpan.FromSeconds(5), Ct))
        {
            if (frame.IsSnapshot)
            {
                clock.Restart();
                task = app.List.Start("coalesced");
                continue;
            }

            if (frame.Procs.Any(p => p.Id == "coalesced"))
            {
                break;
            }
        }

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"the change came after {clock.Elapsed}, at the server's own rate");
        task!.Dispose();
        Assert.Throws<ArgumentOutOfRangeException>(() => client.WatchAsync(TimeSpan.Zero, Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.WatchAsync(TimeSpan.FromHours(2), Ct));
    }

    [Fact]
    public async Task Unauthorized_IsReportedAndTokenIsSent()
    {
        await using var app = await TestApp.StartListenerAsync(o => o.AccessToken = "s3cret");

        var ex = await Assert.ThrowsAsync<PmClientException>(() => ClientFor(app).GetTasksAsync(cancellationToken: Ct));
        Assert.Equal((PmErrorKind.Unauthorized, 401), (ex.Kind, ex.StatusCode));
        Assert.Equal(PmErrorKind.Unauthorized, (await Assert.ThrowsAsync<PmClientException>(() => ClientFor(app).KillAsync("a", cancellationToken: Ct))).Kind);
        Assert.Empty((await ClientFor(app, new PmClientOptions { AccessToken = "s3cret" }).GetTasksAsync(cancellationToken: Ct)).Procs);
    }

    [Fact]
    public async Task ServerDown_IsTransportFailure()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new PmClient(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });

        var ex = await Assert.ThrowsAsync<PmClientException>(() => client.GetTasksAsync(cancellationToken: Ct));

        Assert.Equal(PmErrorKind.Transport, ex.Kind);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerHangs_TimeoutIsTransportFailure()
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/procs/{**rest}", (CancellationToken token) => Task.Delay(Timeout.Infinite, token)));
        var client = ClientFor(app, timeout: TimeSpan.FromMilliseconds(200));

        var ex = await Assert.ThrowsAsync<PmClientException>(() => client.GetHistoryAsync("a", Ct));

        Assert.Equal(PmErrorKind.Transport, ex.Kind);
        Assert.Contains("did not answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancels_InFlightCall_ThrowsOperationCanceled()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(a => a.MapGet("/procs/{**rest}", async (CancellationToken token) =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        }));
        var client = ClientFor(app);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = client.GetTasksAsync(cancellationToken: cts.Token);
        await arrived.Task.WaitAsync(Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Theory]
    [InlineData("<html>busy</html>", "text/html")]
    [InlineData("{\"procs\":", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("{\"procs\":[{\"status\":\"no id\"}]}", "application/json")]
    public async Task ServerAnswersGarbage_IsProtocolFailure(string body, string contentType)
    {
        await using var app = await TestApp.StartAsync(a => a.MapGet("/procs/{**rest}", () => Results.Text(body, contentType)));

        var ex = await Assert.ThrowsAsync<PmClientException>(() => ClientFor(app).GetTasksAsync(cancellationToken: Ct));

        Assert.Equal(PmErrorKind.Protocol, ex.Kind);
    }

    [Fact]
    public async Task HttpClientFactory_CreatesTypedClient()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var services = new ServiceCollection();
        services.AddHttpClient<PmClient>(c => c.BaseAddress = app.Address);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<PmClient>();

        Assert.Empty((await client.GetTasksAsync(cancellationToken: Ct)).Procs);
    }

    [Fact]
    public void Constructor_WithoutBaseAddress_Throws()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>("httpClient", () => new PmClient(http));
        Assert.Throws<ArgumentNullException>("httpClient", () => new PmClient(null!));
    }

    /// <summary>A server that speaks exactly what a Go pm server speaks: three calls, nanosecond times, no extensions.</summary>
    private sealed class GoServer : IAsyncDisposable
    {
        public TestApp App { get; private set; } = null!;

        public string? LastKillBody { get; private set; }

        public static async Task<GoServer> StartAsync()
        {
            var server = new GoServer();
            server.App = await TestApp.StartAsync(app =>
            {
                app.MapGet("/procs/", () => Results.Text(
                    """{"procs":[{"id":"req1","attrs":{"method":"GET"},"procTime":"2026-11-23T00:25:00.357486656Z","statusTime":"2026-11-23T00:25:01.1Z","status":"S11"}],"serverTime":"2026-11-23T00:25:02.000000001Z"}""",
                    "application/json"));
                app.MapGet("/procs/{id}/history", (string id) => id == "req1"
                    ? Results.Text("""{"history":[{"ts":"2026-11-23T00:25:00.357486656Z","status":"init"},{"ts":"2026-11-23T00:25:01.1Z","status":"S11"}],"serverTime":"2026-11-23T00:25:02Z"}""", "application/json")
                    : Results.Text("404 page not found\n{\"error\":\"no such process\"}", "text/plain", statusCode: 404));
                app.MapMethods("/procs/{id}", ["GET", "PUT", "POST"], () => Results.StatusCode(405));
                app.MapDelete("/procs/{id}", async (string id, HttpRequest request) =>
                {
                    server.LastKillBody = (await new StreamReader(request.Body).ReadToEndAsync()).Trim();
                    return id == "req1" ? Results.Ok() : Results.NotFound();
                });
            });
            return server;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
