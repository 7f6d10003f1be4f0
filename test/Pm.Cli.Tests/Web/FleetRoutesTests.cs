using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Pm.AspNetCore;

namespace Pm.Cli.Tests.Web;

/// <summary>The <c>/fleet/</c> routes of <c>pm web</c> over HTTP, against real servers on loopback.</summary>
public sealed class FleetRoutesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool Lists(JsonElement procs, string endpoint, string id) =>
        FleetHarness.EndpointOf(procs, endpoint).GetProperty("procs").EnumerateArray().Any(p => p.GetProperty("id").GetString() == id);

    private static string State(JsonElement procs, string endpoint) => FleetHarness.EndpointOf(procs, endpoint).GetProperty("state").GetString()!;

    private static string ClosedEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Procs_ListsEveryEndpointsTasksUnderItsName_LiveFromTheStream()
    {
        await using var fleet = await FleetHarness.StartAsync(2);
        using var a = fleet.Lists[0].Start("job-1", [new("user", "ann")]);
        using var b = fleet.Lists[1].Start("job-1");

        var procs = await fleet.WaitForAsync(p => Lists(p, fleet.Name(0), "job-1") && Lists(p, fleet.Name(1), "job-1"), "job-1 on both");
        Assert.Equal("stream", FleetHarness.EndpointOf(procs, fleet.Name(0)).GetProperty("via").GetString());
        Assert.Equal("up", State(procs, fleet.Name(1)));

        a.Status("exporting");
        await fleet.WaitForAsync(
            p => FleetHarness.EndpointOf(p, fleet.Name(0)).GetProperty("procs").EnumerateArray().Any(t => t.GetProperty("status").GetString() == "exporting"),
            "the new status");
    }

    [Fact]
    public async Task Procs_AreCompressed_ForAClientThatAcceptsGzip()
    {
        await using var fleet = await FleetHarness.StartAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, "fleet/procs");
        request.Headers.AcceptEncoding.ParseAdd("gzip");

        using var response = await fleet.Client.SendAsync(request, Ct);
        await using var body = new System.IO.Compression.GZipStream(await response.Content.ReadAsStreamAsync(Ct), System.IO.Compression.CompressionMode.Decompress);
        var procs = await JsonDocument.ParseAsync(body, cancellationToken: Ct);

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal(fleet.Name(0), procs.RootElement.GetProperty("endpoints")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Kill_ReachesOnlyTheEndpointNamed_WithTheMessageAndAbort()
    {
        await using var fleet = await FleetHarness.StartAsync(2);
        using var a = fleet.Lists[0].Start("same-id");
        using var b = fleet.Lists[1].Start("same-id");
        await fleet.WaitForAsync(p => Lists(p, fleet.Name(0), "same-id") && Lists(p, fleet.Name(1), "same-id"), "both tasks");

        using var response = await fleet.Client.DeleteAsync($"fleet/hosts/{Uri.EscapeDataString(fleet.Name(1))}/procs/same-id", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.True(b.IsKillRequested);
        Assert.False(a.IsKillRequested);

        using var request = new HttpRequestMessage(HttpMethod.Delete, $"fleet/hosts/{fleet.Name(0)}/procs/same-id") { Content = Json("""{"message":"from the fleet","abort":true}""") };
        using var killed = await fleet.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, killed.StatusCode);
        Assert.True(fleet.Lists[0].TryGetHistory("same-id", out var history));
        Assert.Contains(history.Entries, e => e.Status == "[abort request: from the fleet]");
    }

    [Fact]
    public async Task KillAndHistory_EveryCallSlotTaken_WaitForOne()
    {
        // The page's kills and histories go through the fleet's limit on calls in flight, as its polls do.
        await using var fleet = await FleetHarness.StartAsync(1, options: FleetHarness.FastOptions with { MaxConcurrentRequests = 1 });
        using var task = fleet.Lists[0].Start("victim");
        task.Status("working");
        await fleet.WaitForAsync(p => Lists(p, fleet.Name(0), "victim"), "the task");
        var limiter = fleet.Web.Monitor.Limiter;

        await limiter.WaitAsync(Ct);
        var kill = fleet.Client.DeleteAsync($"fleet/hosts/{fleet.Name(0)}/procs/victim", Ct);
        var history = fleet.Client.GetStringAsync($"fleet/hosts/{fleet.Name(0)}/procs/victim/history", Ct);
        await Waiting.AssertNotDoneAsync([kill, history]);
        Assert.False(task.IsKillRequested);

        limiter.Release();
        using var killed = await kill;
        Assert.Equal(HttpStatusCode.OK, killed.StatusCode);
        Assert.True(task.IsKillRequested);
        Assert.Contains("working", await history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_ComesFromTheOwningEndpoint_AndUnknownTasksAre404()
    {
        await using var fleet = await FleetHarness.StartAsync(2);
        using var a = fleet.Lists[0].Start("a/b");
        a.Status("on a");
        using var b = fleet.Lists[1].Start("a/b");
        b.Status("on b");

        var body = await fleet.Client.GetStringAsync($"fleet/hosts/{fleet.Name(1)}/procs/a%2Fb/history", Ct);
        using var missing = await fleet.Client.GetAsync($"fleet/hosts/{fleet.Name(1)}/procs/nope/history", Ct);

        Assert.Contains("on b", body, StringComparison.Ordinal);
        Assert.DoesNotContain("on a", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("no such process\n", await missing.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [InlineData("GET", "fleet/nothing", null, null, 404)]
    [InlineData("GET", "fleet/hosts/unknown:1/procs/x/history", null, null, 404)]
    [InlineData("GET", "fleet/hosts/{0}/procs/", null, null, 404)]
    [InlineData("GET", "fleet/hosts/{0}/other/x", null, null, 404)]
    [InlineData("GET", "fleet/hosts/{0}/procs/%FF%FE/history", null, null, 400)]
    [InlineData("GET", "fleet/hosts/%E0%A4%A/procs/x/history", null, null, 400)]
    [InlineData("POST", "fleet/procs", null, null, 405)]
    [InlineData("GET", "fleet/hosts/{0}/procs/x", null, null, 405)]
    [InlineData("DELETE", "fleet/hosts/{0}/procs/x/history", null, null, 405)]
    [InlineData("PUT", "", null, null, 405)]
    [InlineData("GET", "fleet/finished?limit=0", null, null, 400)]
    [InlineData("GET", "fleet/finished?limit=abc", null, null, 400)]
    [InlineData("GET", "fleet/finished?limit=1001", null, null, 400)]
    [InlineData("DELETE", "fleet/hosts/{0}/procs/x", "{\"message\":", "application/json", 400)]
    [InlineData("DELETE", "fleet/hosts/{0}/procs/x", "message=hi", "application/x-www-form-urlencoded", 415)]
    [InlineData("DELETE", "fleet/hosts/{0}/procs/not-running", null, null, 404)]
    public async Task BadInput_GetsA4xx(string method, string path, string? body, string? type, int expected)
    {
        await using var fleet = await FleetHarness.StartAsync(1);
        using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(System.Globalization.CultureInfo.InvariantCulture, path, fleet.Name(0)));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(type!);
        }

        using var response = await fleet.Client.SendAsync(request, Ct);

        Assert.Equal(expected, (int)response.StatusCode);
    }

    [Fact]
    public async Task BadInput_LongIdsAndLargeBodies_GetA4xx()
    {
        await using var fleet = await FleetHarness.StartAsync(1);
        using var longId = await fleet.Client.GetAsync($"fleet/hosts/{fleet.Name(0)}/procs/{new string('x', 1025)}/history", Ct);
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"fleet/hosts/{fleet.Name(0)}/procs/x") { Content = Json($$"""{"message":"{{new string('m', 20_000)}}"}""") };
        using var large = await fleet.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestUriTooLong, longId.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task DownEndpoint_IsShownDown_AndCallsToItAre502_WhileTheOthersAnswer()
    {
        var down = ClosedEndpoint();
        await using var fleet = await FleetHarness.StartAsync(1, [down]);
        using var task = fleet.Lists[0].Start("alive");

        var procs = await fleet.WaitForAsync(p => State(p, down) == "down" && Lists(p, fleet.Name(0), "alive"), "the closed endpoint down");
        using var kill = await fleet.Client.DeleteAsync($"fleet/hosts/{down}/procs/x", Ct);

        Assert.Contains("could not be reached", FleetHarness.EndpointOf(procs, down).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, kill.StatusCode);
        Assert.StartsWith(down + ": ", await kill.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowEndpointIsShownSlow_AndAHangingOneDown_WhileTheOthersKeepUpdating()
    {
        // A server (Go-shaped: no stream) whose list takes 400 ms, and one that never answers.
        await using var slow = await TestApp.StartAsync(app => app.MapGet("/procs/", async (CancellationToken ct) =>
        {
            await Task.Delay(400, ct);
            return Results.Text("""{"procs":[],"serverTime":"2026-11-23T00:25:02Z"}""", "application/json");
        }));
        await using var hanging = await TestApp.StartAsync(app => app.MapGet("/procs/", async (CancellationToken ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return Results.Ok();
        }));
        var slowName = $"127.0.0.1:{slow.Address.Port}";
        var hangingName = $"127.0.0.1:{hanging.Address.Port}";
        var options = FleetHarness.FastOptions with { SlowAfter = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(1) };
        await using var fleet = await FleetHarness.StartAsync(1, [slowName, hangingName], options);
        using var task = fleet.Lists[0].Start("busy");

        var procs = await fleet.WaitForAsync(p => State(p, slowName) == "slow" && State(p, hangingName) == "down", "slow and down");
        // The server waits 400 ms; a timer may end its wait up to a tick early by the stopwatch's finer clock.
        Assert.InRange(FleetHarness.EndpointOf(procs, slowName).GetProperty("latency").GetDouble(), 0.39, 10);
        Assert.Contains("did not answer within 1 s", FleetHarness.EndpointOf(procs, hangingName).GetProperty("error").GetString(), StringComparison.Ordinal);
        task.Status("still moving");
        await fleet.WaitForAsync(
            p => FleetHarness.EndpointOf(p, fleet.Name(0)).GetProperty("procs").EnumerateArray().Any(t => t.GetProperty("status").GetString() == "still moving"),
            "the live endpoint's change");
    }

    [Fact]
    public async Task StreamFull_ServerIsPolledAndShownUp_ThenFollowedThroughItsStreamAfterRetryAfter()
    {
        using var list = new ProcessList();
        using var task = list.Start("answering");
        var serverOptions = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        serverOptions.Endpoint.MaxEventSubscribers = 1;
        await using var server = await ProcessListServer.StartAsync(list, serverOptions, Ct);
        var name = server.Address.Authority;
        using var http = new HttpClient { BaseAddress = server.Address };
        var holder = new Pm.Client.PmClient(http).WatchAsync(Ct).GetAsyncEnumerator(Ct);
        Assert.True(await holder.MoveNextAsync());

        // The tool's clock moves only when the test says: polls come at each step, and the wait the server asked for
        // (Retry-After: 5) is counted on it.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var started = clock.GetUtcNow();
        await using var fleet = await FleetHarness.StartAsync(0, [name], FleetHarness.FastOptions with { Time = clock });
        async Task<JsonElement> StepUntilAsync(Func<JsonElement, bool> condition, string what)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(20));
            while (true)
            {
                var endpoint = FleetHarness.EndpointOf(await fleet.GetProcsAsync(), name);
                if (condition(endpoint))
                {
                    return endpoint;
                }

                Assert.False(deadline.IsCancellationRequested, $"pm web never showed {what}; last: {endpoint}");
                clock.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(20, Ct);
            }
        }

        var full = await StepUntilAsync(e => e.GetProperty("state").GetString() != "connecting", "an answer");
        Assert.Equal("up", full.GetProperty("state").GetString());
        Assert.Equal("polling (stream full)", full.GetProperty("via").GetString());
        Assert.False(full.TryGetProperty("error", out _));
        Assert.Equal("answering", full.GetProperty("procs")[0].GetProperty("id").GetString());
        using (list.Start("second"))
        {
            await StepUntilAsync(e => e.GetProperty("procs").GetArrayLength() == 2 && e.GetProperty("via").GetString() == "polling (stream full)", "a new task, polled");
        }

        // A server whose stream is full is still a .NET server: its finished tasks are asked for.
        var finished = await fleet.Client.GetStringAsync("fleet/finished", Ct);
        Assert.Contains("\"finished\"", finished, StringComparison.Ordinal);

        await holder.DisposeAsync();
        await StepUntilAsync(e => e.GetProperty("via").GetString() == "stream", "the stream again");
        Assert.True(clock.GetUtcNow() - started >= TimeSpan.FromSeconds(5), "the stream was tried again before the server's Retry-After");
    }

    [Fact]
    public async Task EndpointRefusingTheToolsToken_IsShownUnauthorized()
    {
        using var list = new ProcessList();
        await using var guarded = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0", AccessToken = "server-secret" }, Ct);
        var name = $"127.0.0.1:{guarded.Address.Port}";
        await using var fleet = await FleetHarness.StartAsync(0, [name], FleetHarness.FastOptions with { ServerToken = "wrong" });

        await fleet.WaitForAsync(p => State(p, name) == "unauthorized", "unauthorized");
    }

    [Fact]
    public async Task GoServer_IsPolled_ListedAndKilled_WithoutExtensions()
    {
        await using var go = await GoServer.StartAsync();
        go.Start("go-1", "S11");
        await using var fleet = await FleetHarness.StartAsync(1, [go.Name]);

        var procs = await fleet.WaitForAsync(p => Lists(p, go.Name, "go-1"), "the Go server's task");
        using var kill = await fleet.Client.DeleteAsync($"fleet/hosts/{go.Name}/procs/go-1", Ct);
        var history = await fleet.Client.GetStringAsync($"fleet/hosts/{go.Name}/procs/go-1/history", Ct);
        var finished = JsonDocument.Parse(await fleet.Client.GetStringAsync("fleet/finished", Ct)).RootElement;

        Assert.Equal("polling", FleetHarness.EndpointOf(procs, go.Name).GetProperty("via").GetString());
        Assert.Equal(HttpStatusCode.OK, kill.StatusCode);
        Assert.True(go.IsCancelling("go-1"));
        Assert.Contains("S11", history, StringComparison.Ordinal);
        // A Go server keeps no finished tasks: it is not asked, and the .NET server's list is there.
        Assert.Equal([fleet.Name(0)], finished.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        await fleet.WaitForAsync(p => FleetHarness.EndpointOf(p, go.Name).GetProperty("procs")[0].TryGetProperty("cancelling", out _), "the kill marked");
    }

    [Fact]
    public async Task Finished_MergesEachEndpointsFinishedTasks()
    {
        await using var fleet = await FleetHarness.StartAsync(2);
        await fleet.WaitForAsync(p => State(p, fleet.Name(0)) == "up" && State(p, fleet.Name(1)) == "up", "both up");
        fleet.Lists[0].Start("done-a").Dispose();
        fleet.Lists[1].Start("done-b").Dispose();

        var finished = JsonDocument.Parse(await fleet.Client.GetStringAsync("fleet/finished?limit=5", Ct)).RootElement;

        var ids = finished.GetProperty("endpoints").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("finished").EnumerateArray().Select(f => f.GetProperty("id").GetString()).Single());
        Assert.Equal("done-a", ids[fleet.Name(0)]);
        Assert.Equal("done-b", ids[fleet.Name(1)]);
    }

    [Fact]
    public async Task Discovery_AddsNewEndpointsAndLetsGoOfRemovedOnes_AndRunsEveryInterval()
    {
        await using var fleet = await FleetHarness.StartAsync(1, options: FleetHarness.FastOptions with { DiscoveryInterval = TimeSpan.FromMilliseconds(100) });
        var added = await fleet.AddServerAsync();
        using var task = fleet.Lists[1].Start("on-the-new-one");

        await fleet.WaitForAsync(p => p.GetProperty("endpoints").GetArrayLength() == 2 && Lists(p, added, "on-the-new-one"), "the new endpoint");
        fleet.Remove(fleet.Name(0));
        var procs = await fleet.WaitForAsync(p => p.GetProperty("endpoints").GetArrayLength() == 1, "one endpoint left");

        Assert.Equal(added, procs.GetProperty("endpoints")[0].GetProperty("name").GetString());
        using var gone = await fleet.Client.GetAsync($"fleet/hosts/{fleet.Name(0)}/procs/x/history", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.True(fleet.Discoveries >= 3);
    }
}
