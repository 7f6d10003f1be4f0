namespace Pm.Cli.Tests;

/// <summary>Drives <c>pm top</c> in tmux over discovered endpoints: they appear and disappear with DNS and files, and one that stops answering stays, shown down.</summary>
public sealed class TopDiscoveryTests
{
    private static readonly string[] Addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

    [Fact]
    public async Task Top_DnsSource_FollowsDnsAndShowsAStoppedServerAsDown()
    {
        var tmuxPath = Requires.Tool("tmux", "tmux");
        await using var fleet = await LoopbackFleet.StartAsync(Addresses);
        for (var i = 0; i < fleet.Count; i++)
        {
            _ = fleet.List(i).Start("task-on-" + Addresses[i]);
        }

        await using var dns = await Dnsmasq.StartAsync([], [fleet.HostsLine(0, "pool.fleet.test"), fleet.HostsLine(1, "pool.fleet.test")]);
        await using var tmux = await Tmux.StartAsync(tmuxPath);
        await tmux.SendAsync($"dotnet {PmProcess.DllPath} top -e dns://pool.fleet.test:{fleet.Port} --dns-server {dns.Server} --refresh 0.2 --discovery-interval 0.5; echo PM-EXIT=$?", "Enter");
        await tmux.WaitForAsync(screen => screen.Contains("task-on-127.0.0.2", StringComparison.Ordinal) && screen.Contains("task-on-127.0.0.3", StringComparison.Ordinal)
            && screen.Contains("2 tasks on 2 endpoints", StringComparison.Ordinal));

        // A server added to DNS appears at the next resolution, and the footer names it.
        await dns.SetHostsAsync(Enumerable.Range(0, 3).Select(i => fleet.HostsLine(i, "pool.fleet.test")));
        var joined = await tmux.WaitForAsync(screen => screen.Contains("task-on-127.0.0.4", StringComparison.Ordinal) && screen.Contains("3 tasks on 3 endpoints", StringComparison.Ordinal));
        Assert.Contains($"+{fleet.Endpoint(2)}", joined, StringComparison.Ordinal);

        // A server that stops answering stays in the list, shown down, while it is still in DNS.
        await fleet.StopAsync(1);
        await tmux.WaitForAsync(screen => screen.Contains($"{fleet.Endpoint(1)}: DOWN", StringComparison.Ordinal) && screen.Contains("on 3 endpoints", StringComparison.Ordinal));

        // Removed from DNS, it disappears at the next resolution; the others stay up.
        await dns.SetHostsAsync([fleet.HostsLine(0, "pool.fleet.test"), fleet.HostsLine(2, "pool.fleet.test")]);
        var left = await tmux.WaitForAsync(screen => !screen.Contains($"{fleet.Endpoint(1)}:", StringComparison.Ordinal) && screen.Contains("2 tasks on 2 endpoints", StringComparison.Ordinal));
        Assert.Contains($"-{fleet.Endpoint(1)}", left, StringComparison.Ordinal);
        Assert.Contains($"{fleet.Endpoint(0)}: up", left, StringComparison.Ordinal);
        Assert.Contains($"{fleet.Endpoint(2)}: up", left, StringComparison.Ordinal);

        await tmux.SendAsync("q");
        var final = await tmux.WaitForAsync(screen => Tmux.ExitLine().IsMatch(screen));
        Assert.Equal("0", Tmux.ExitLine().Match(final).Groups["code"].Value);
    }

    [Fact]
    public async Task Top_FileSource_ReadsTheFileAgainWhenItChanges()
    {
        var tmuxPath = Requires.Tool("tmux", "tmux");
        await using var fleet = await LoopbackFleet.StartAsync(Addresses[..2]);
        _ = fleet.List(0).Start("first-task");
        _ = fleet.List(1).Start("second-task");
        var path = Path.Combine(Directory.CreateTempSubdirectory("pm-top-").FullName, "endpoints");
        await File.WriteAllLinesAsync(path, ["# the fleet", fleet.Endpoint(0)], TestContext.Current.CancellationToken);

        await using var tmux = await Tmux.StartAsync(tmuxPath);
        // A discovery interval of an hour: only the file's change can make pm read it again.
        await tmux.SendAsync($"dotnet {PmProcess.DllPath} top -e file:{path} --refresh 0.2 --discovery-interval 3600; echo PM-EXIT=$?", "Enter");
        await tmux.WaitForAsync(screen => screen.Contains("first-task", StringComparison.Ordinal) && screen.Contains("1 task on 1 endpoint", StringComparison.Ordinal));

        await File.WriteAllLinesAsync(path, ["# the fleet, moved", fleet.Endpoint(1)], TestContext.Current.CancellationToken);
        var moved = await tmux.WaitForAsync(screen => screen.Contains("second-task", StringComparison.Ordinal) && !screen.Contains("first-task", StringComparison.Ordinal));
        Assert.Contains($"+{fleet.Endpoint(1)} -{fleet.Endpoint(0)}", moved, StringComparison.Ordinal);

        await tmux.SendAsync("q");
        await tmux.WaitForAsync(screen => Tmux.ExitLine().IsMatch(screen));
    }
}
