using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Pm.AspNetCore;

namespace Pm.Cli.Tests;

/// <summary>The poller behind <c>pm top</c>, against real servers: one that hangs never holds the others back, and the polled set follows discovery.</summary>
public sealed class FleetMonitorTests
{
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

        // Two slots: the hung call holds one for its whole timeout; the other endpoint keeps getting answers through the other.
        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(1), concurrency: 2);
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(20));
        monitor.SetEndpoints([hung, up]);
        await asked.Task.WaitAsync(ct);

        var seen = new HashSet<long>();
        while (seen.Count < 5)
        {
            var snapshot = monitor.Snapshot();
            Assert.Null(snapshot.States[0]);
            if (snapshot.States[1] is { } state)
            {
                Assert.Equal("answering", Assert.Single(state.Response!.Procs).Id);
                seen.Add(state.FetchedAt);
            }

            await Task.Delay(10, ct);
        }

        // Its timeout past, the hung endpoint is reported, not dropped.
        EndpointState? hungState;
        while ((hungState = monitor.Snapshot().States[0]) is null)
        {
            await Task.Delay(10, ct);
        }

        Assert.Contains("did not answer within 1 s", hungState.Error, StringComparison.Ordinal);
        Assert.Equal([hung, up], monitor.Snapshot().Endpoints);
    }

    [Fact]
    public async Task SetEndpoints_ReportsWhoJoinedAndLeft_AndPollsOnlyTheNewSet()
    {
        var ct = TestContext.Current.CancellationToken;
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

        while (monitor.Snapshot().States is not [{ Response: not null }])
        {
            await Task.Delay(10, ct);
        }

        Assert.Equal([second], monitor.Snapshot().Endpoints);
    }
}
