namespace Pm.Cli.Tests;

/// <summary>What <c>pm top</c> sends from its keys, against a real server: kills and histories go through the fleet's limit on calls in flight, as its polls do.</summary>
public sealed class TopViewTests
{
    [Fact]
    public async Task KillAndShowHistory_EveryCallSlotTaken_WaitForOne()
    {
        var ct = TestContext.Current.CancellationToken;
        using var list = new ProcessList();
        using var task = list.Start("victim");
        task.Status("working");
        await using var server = await Pm.AspNetCore.ProcessListServer.StartAsync(list, new Pm.AspNetCore.ProcessListServerOptions { Url = "http://127.0.0.1:0" }, ct);
        var endpoint = Endpoint.Parse(server.Address.Authority);
        using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(5), concurrency: 1);
        await using var monitor = new FleetMonitor(fleet, TimeSpan.FromMilliseconds(50));
        monitor.SetEndpoints([endpoint]);
        var view = new TopView(monitor, Discovery.Parse(endpoint.Name, null), TimeSpan.FromMinutes(1));
        var row = new ProcRow(endpoint, new Pm.Protocol.ProcDetail("victim", null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "working"), TimeSpan.Zero, TimeSpan.Zero);

        await fleet.Gate.WaitAsync(ct);
        var kill = view.KillAsync(row, "from top", ct);
        var history = view.ShowHistoryAsync(row, ct);
        await Waiting.AssertNotDoneAsync([kill, history]);
        Assert.False(task.IsKillRequested);

        fleet.Gate.Release();
        await Task.WhenAll(kill, history).WaitAsync(ct);
        Assert.True(task.IsKillRequested);
        Assert.True(list.TryGetHistory("victim", out var entries));
        Assert.Contains(entries.Entries, e => e.Status == "[cancel request: from top]");
    }
}
