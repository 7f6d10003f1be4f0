using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Pm.AspNetCore;
using Pm.Cli.Tests.Web;
using Pm.Cli.Web;

namespace Pm.Cli.Tests;

/// <summary>What <c>pm top</c> follows, against real servers: a hung one never holds the others back, .NET servers are followed through their live stream and Go servers polled, and the set follows discovery.</summary>
public sealed class FleetMonitorTests
{
    private static async Task<EndpointView> WaitForAsync(FleetMonitor monitor, int index, Func<EndpointView, bool> condition)
    {
        var ct = TestContext.Current.CancellationToken;
        while (true)
        {
            var view = monitor.Snapshot().Views[index];
            if (condition(view))
            {
                return view;
            }

            await Task.Delay(10, ct);
        }
    }

    [Fact]
    public async Task Snapshot_HungEndpoint_OthersKeepUpdating()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var hanging = builder.Build();
        var asked = new TaskCompletionSource();
        hanging.MapGet("/procs/", async (CancellationToken token) =>
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        });
        await hanging.StartAsync(ct);
        using var list = new ProcessList();
        using var task = list.Start("answering");
        await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, ct);
        var hung = Endpoint.Parse(new Uri(hanging.Urls.First()).Authority);
        var up = Endpoint.Parse(server.Address.Authority);

        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(1), concurrency: 2);
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(20));
        monitor.SetEndpoints([hung, up]);
        await asked.Task.WaitAsync(ct);

        // While the hung endpoint has not answered, the other one's changes keep arriving, through its live stream.
        var view = await WaitForAsync(monitor, 1, v => v.Procs.Any(p => p.Id == "answering"));
        Assert.Equal("stream", view.Via);
        var version = monitor.Version;
        using (var second = list.Start("second"))
        {
            await WaitForAsync(monitor, 1, v => v.Procs.Any(p => p.Id == "second"));
        }

        await WaitForAsync(monitor, 1, v => v.Procs.All(p => p.Id != "second"));
        Assert.NotEqual(version, monitor.Version);
        Assert.Equal(EndpointHealth.Connecting, monitor.Snapshot().Views[0].Health);

        // Its timeout past, the hung endpoint is reported, not dropped.
        var hungView = await WaitForAsync(monitor, 0, v => v.Health == EndpointHealth.Down);
        Assert.Contains("did not answer within 1 s", hungView.Error, StringComparison.Ordinal);
        Assert.Equal([hung, up], monitor.Snapshot().Endpoints);
        Assert.Equal(["answering"], ProcRow.From(monitor.Snapshot()).Select(r => r.Proc.Id));
    }

    [Fact]
    public async Task Snapshot_AlertOrProgressAloneFromTheStream_IsAppliedToTheTaskHeld()
    {
        var ct = TestContext.Current.CancellationToken;
        using var list = new ProcessList(new ProcessListOptions { WatchdogInterval = TimeSpan.FromMilliseconds(100) });
        using var import = list.Start("import", [new("payload", "x")], new TaskOptions { SlowAfter = null });
        await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, ct);
        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(5), concurrency: 2);
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(20));
        monitor.SetEndpoints([Endpoint.Parse(server.Address.Authority)]);
        Assert.Equal("stream", (await WaitForAsync(monitor, 0, v => v.Procs.Any(p => p.Id == "import"))).Via);

        // Listed already, so the stream brings only the progress, then only the alert; the rest of the task stays.
        import.ReportProgress(250, 1000, "rows");
        var view = await WaitForAsync(monitor, 0, v => v.Procs.Single(p => p.Id == "import").Progress?.Done == 250).WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.True(view.Procs.Single(p => p.Id == "import").Attrs!.TryGetValue("payload", out var payload));
        Assert.Equal("x", payload?.ToString());

        using var stuck = list.Start("stuck", options: new TaskOptions { SlowAfter = TimeSpan.FromMilliseconds(500) });
        await WaitForAsync(monitor, 0, v => v.Procs.Any(p => p.Id == "stuck"));
        view = await WaitForAsync(monitor, 0, v => v.Procs.Single(p => p.Id == "stuck").Alert == "slow").WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.Equal(250, view.Procs.Single(p => p.Id == "import").Progress?.Done);
    }

    [Fact]
    public async Task Snapshot_PollTurnedAwayBusy_ShownSlowWithItsTasksNeverDown()
    {
        await using var go = await GoServer.StartAsync();
        go.Start("go-1", "working");
        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(5));
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(20));
        monitor.SetEndpoints([Endpoint.Parse(go.Name)]);
        await WaitForAsync(monitor, 0, v => v.Procs.Any(p => p.Id == "go-1"));

        // A 503 answer is a server that answered: slow, saying why, with the tasks it listed last; never down with none.
        go.Busy = true;
        var view = await WaitForAsync(monitor, 0, v => v.Health != EndpointHealth.Up).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal(EndpointHealth.Slow, view.Health);
        Assert.Contains("busy", view.Error, StringComparison.Ordinal);
        Assert.Equal("go-1", Assert.Single(view.Procs).Id);

        go.Busy = false;
        view = await WaitForAsync(monitor, 0, v => v.Health == EndpointHealth.Up).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Null(view.Error);
    }

    [Fact]
    public async Task GoServer_IsPolledAtTheRefresh_AndAPauseFreezesTheView()
    {
        await using var go = await GoServer.StartAsync();
        go.Start("go-1", "working");
        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(5));
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(20));
        var endpoint = Endpoint.Parse(go.Name);
        monitor.SetEndpoints([endpoint]);

        var view = await WaitForAsync(monitor, 0, v => v.Procs.Any(p => p.Id == "go-1"));
        Assert.Equal("polling", view.Via);

        // Paused, the view stays as it was while the endpoint's watcher goes on; resumed, it shows what came meanwhile.
        monitor.Paused = true;
        go.Start("go-2", "arrived while paused");
        var watcher = monitor.Find(endpoint)!;
        while (!watcher.Snapshot().Procs.Any(p => p.Id == "go-2"))
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.DoesNotContain(monitor.Snapshot().Views[0].Procs, p => p.Id == "go-2");
        monitor.Paused = false;
        Assert.Contains(monitor.Snapshot().Views[0].Procs, p => p.Id == "go-2");

        // Listed again unchanged at every poll, a task is held once: the copy of the first poll.
        Assert.Same(view.Procs.Single(p => p.Id == "go-1"), monitor.Snapshot().Views[0].Procs.Single(p => p.Id == "go-1"));
    }

    [Fact]
    public async Task Snapshot_StreamFull_ShownUpStreamFullAndPolled_NotDown()
    {
        var ct = TestContext.Current.CancellationToken;
        using var list = new ProcessList();
        using var task = list.Start("answering");
        var options = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        options.Endpoint.MaxEventSubscribers = 1;
        await using var server = await ProcessListServer.StartAsync(list, options, ct);
        using var http = new HttpClient { BaseAddress = server.Address };
        await using var holder = new Pm.Client.PmClient(http).WatchAsync(ct).GetAsyncEnumerator(ct);
        Assert.True(await holder.MoveNextAsync());

        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(5));
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(20));
        monitor.SetEndpoints([Endpoint.Parse(server.Address.Authority)]);

        // The server's stream is full but its list answers: it is up, polled, with its tasks, never shown down.
        var view = await WaitForAsync(monitor, 0, v => v.Health != EndpointHealth.Connecting);
        Assert.Equal(EndpointHealth.Up, view.Health);
        Assert.Equal(EndpointView.PollingStreamFull, view.Via);
        Assert.True(view.StreamFull);
        Assert.Null(view.Error);
        Assert.Equal(["answering"], view.Procs.Select(p => p.Id));
        using (list.Start("second"))
        {
            view = await WaitForAsync(monitor, 0, v => v.Procs.Any(p => p.Id == "second"));
            Assert.Equal(EndpointView.PollingStreamFull, view.Via);
        }
    }

    [Fact]
    public async Task SetEndpoints_ReportsWhoJoinedAndLeft_AndFollowsOnlyTheNewSet()
    {
        await using var fleet = await LoopbackFleet.StartAsync("127.0.0.2", "127.0.0.3");
        using var client = new Fleet(token: null, TimeSpan.FromSeconds(5));
        await using var monitor = new FleetMonitor(client, TimeSpan.FromMilliseconds(20));
        var first = Endpoint.Parse(fleet.Endpoint(0));
        var second = Endpoint.Parse(fleet.Endpoint(1));

        var (joined, left) = monitor.SetEndpoints([first]);
        Assert.Equal([first], joined);
        Assert.Empty(left);
        (joined, left) = monitor.SetEndpoints([second, first, second]);
        Assert.Equal([second], joined);
        Assert.Empty(left);
        (joined, left) = monitor.SetEndpoints([second]);
        Assert.Empty(joined);
        Assert.Equal([first], left);
        Assert.Null(monitor.Find(first));

        await WaitForAsync(monitor, 0, v => v.Health == EndpointHealth.Up);
        Assert.Equal([second], monitor.Snapshot().Endpoints);
    }
}
