using System.Text.Json;

namespace Pm.Cli.Tests;

/// <summary>Endpoints from DNS names, SRV records and files, resolved through a real DNS server (dnsmasq) on loopback, against real pm servers.</summary>
public sealed class DiscoveryTests
{
    private static readonly string[] Addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];

    private static async Task<(LoopbackFleet Fleet, Dnsmasq Dns)> StartAsync()
    {
        var fleet = await LoopbackFleet.StartAsync(Addresses);
        for (var i = 0; i < fleet.Count; i++)
        {
            _ = fleet.List(i).Start("task-on-" + Addresses[i]);
        }

        // pool.fleet.test: one A record per server (from the hosts file); _pm._tcp.fleet.test: one SRV record per server.
        var records = Enumerable.Range(0, fleet.Count).SelectMany(i => new[]
        {
            $"host-record=node{i}.fleet.test,{Addresses[i]}",
            $"srv-host=_pm._tcp.fleet.test,node{i}.fleet.test,{fleet.Port}",
        });
        var dns = await Dnsmasq.StartAsync(records, Enumerable.Range(0, fleet.Count).Select(i => fleet.HostsLine(i, "pool.fleet.test")));
        return (fleet, dns);
    }

    [Theory]
    [InlineData("dns://pool.fleet.test:{port}")]
    [InlineData("srv://_pm._tcp.fleet.test")]
    public async Task Ls_DnsAndSrvSources_ListEveryServer(string source)
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        await using var __ = dns;

        var (code, stdout, stderr) = await PmProcess.RunAsync(["ls", "--json", "-e", source.Replace("{port}", fleet.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), "--dns-server", dns.Server]);

        Assert.True(code == 0, stderr);
        var items = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, fleet.Count).Select(fleet.Endpoint).Order(), items.Select(i => i.GetProperty("endpoint").GetString()!).Order());
        foreach (var item in items)
        {
            var endpoint = item.GetProperty("endpoint").GetString()!;
            Assert.Equal("task-on-" + endpoint.Split(':')[0], item.GetProperty("procs")[0].GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Ls_MixedSourcesFromEnvironment_ListEachServerOnce()
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        await using var __ = dns;

        var sources = $"{fleet.Endpoint(0)}, dns://pool.fleet.test:{fleet.Port},srv://_pm._tcp.fleet.test";
        var (code, stdout, stderr) = await PmProcess.RunAsync(["ls", "--dns-server", dns.Server], new Dictionary<string, string?> { ["PM_ENDPOINTS"] = sources });

        Assert.True(code == 0, stderr);
        foreach (var address in Addresses)
        {
            Assert.Single(stdout.Split('\n'), line => line.Contains("task-on-" + address, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("dns://missing.fleet.test:8081", "missing.fleet.test")]
    [InlineData("srv://_pm._tcp.missing.fleet.test", "_pm._tcp.missing.fleet.test")]
    public async Task Ls_NameWithoutRecords_Exits5NamingIt(string source, string name)
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        await using var __ = dns;

        var (code, stdout, stderr) = await PmProcess.RunAsync(["ls", "-e", source, "--dns-server", dns.Server]);

        Assert.Equal(5, code);
        Assert.Empty(stdout);
        Assert.Contains(name, stderr, StringComparison.Ordinal);
        Assert.Contains("does not resolve", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dns://pool.fleet.test", "needs a name and a port")]
    [InlineData("srv://", "needs a service name")]
    [InlineData("ftp://host:21", "is not an endpoint")]
    [InlineData("file:", "needs a path")]
    [InlineData("file:/nonexistent/pm-endpoints", "cannot read")]
    public async Task Ls_BadSource_Exits5WithMessage(string source, string message)
    {
        var (code, _, stderr) = await PmProcess.RunAsync(["ls", "-e", source]);

        Assert.Equal(5, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Ls_BadDnsServer_Exits5()
    {
        var (code, _, stderr) = await PmProcess.RunAsync(["ls", "-e", "dns://pool.fleet.test:1", "--dns-server", "dns server:53"]);

        Assert.Equal(5, code);
        Assert.Contains("--dns-server", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_DnsServerByName_IsLookedUpThenAsked()
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        await using var __ = dns;
        var discovery = Discovery.Parse($"dns://pool.fleet.test:{fleet.Port}", $"localhost:{dns.Port}");

        var endpoints = await discovery.ResolveAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 3).Select(fleet.Endpoint).Order(), endpoints.Select(e => e.Name).Order());
    }

    [Fact]
    public async Task ResolveAsync_DnsServerGoesAway_KeepsTheEndpointsItGaveBefore()
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        var discovery = Discovery.Parse($"dns://pool.fleet.test:{fleet.Port}", dns.Server);
        var before = await discovery.ResolveAsync(TestContext.Current.CancellationToken);

        await dns.DisposeAsync();
        var after = await discovery.ResolveAsync(TestContext.Current.CancellationToken);

        Assert.Equal(3, before.Count);
        Assert.Equal(before, after);
        Assert.Contains("keeping the endpoints", Assert.Single(discovery.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NameRemovedFromDns_DropsItsEndpoints()
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        await using var __ = dns;
        var discovery = Discovery.Parse($"dns://pool.fleet.test:{fleet.Port}", dns.Server);
        Assert.Equal(3, (await discovery.ResolveAsync(TestContext.Current.CancellationToken)).Count);

        await dns.SetHostsAsync([fleet.HostsLine(0, "pool.fleet.test")]);
        var one = await discovery.ResolveAsync(TestContext.Current.CancellationToken);
        await dns.SetHostsAsync([]);
        var none = await discovery.ResolveAsync(TestContext.Current.CancellationToken);

        Assert.Equal([fleet.Endpoint(0)], one.Select(e => e.Name));
        Assert.Empty(none);
        Assert.Empty(discovery.Problems);
    }

    [Fact]
    public async Task ResolveAsync_FileSource_ReadsEveryKindOfLineAndAgainWhenChanged()
    {
        var (fleet, dns) = await StartAsync();
        await using var _ = fleet;
        await using var __ = dns;
        var path = Path.Combine(Directory.CreateTempSubdirectory("pm-file-").FullName, "endpoints");
        await File.WriteAllLinesAsync(path, ["# the orders service", $"http://{fleet.Endpoint(0)}/  # the first", "", $"srv://_pm._tcp.fleet.test, {fleet.Endpoint(1)}"], TestContext.Current.CancellationToken);
        var discovery = Discovery.Parse("file:" + path, dns.Server);

        var first = await discovery.ResolveAsync(TestContext.Current.CancellationToken);
        var unchanged = discovery.HasFileChanged();
        await File.WriteAllLinesAsync(path, [fleet.Endpoint(2)], TestContext.Current.CancellationToken);
        var changed = discovery.HasFileChanged();
        var second = await discovery.ResolveAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 3).Select(fleet.Endpoint).Order(), first.Select(e => e.Name).Order());
        Assert.False(unchanged);
        Assert.True(changed);
        Assert.Equal([fleet.Endpoint(2)], second.Select(e => e.Name));
        Assert.False(discovery.HasFileChanged());
    }

    [Fact]
    public async Task ResolveAsync_FileWithBadLine_FailsFirstThenKeepsWhatItHad()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("pm-file-").FullName, "endpoints");
        await File.WriteAllLinesAsync(path, ["127.0.0.1:1", "ftp://nope"], TestContext.Current.CancellationToken);
        var discovery = Discovery.Parse("file:" + path, null);

        var error = await Assert.ThrowsAsync<DiscoveryException>(() => discovery.ResolveAsync(TestContext.Current.CancellationToken));
        await File.WriteAllLinesAsync(path, ["127.0.0.1:1"], TestContext.Current.CancellationToken);
        var good = await discovery.ResolveAsync(TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(path, ["127.0.0.1:2", "file:/etc/other"], TestContext.Current.CancellationToken);
        var kept = await discovery.ResolveAsync(TestContext.Current.CancellationToken);

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(["127.0.0.1:1"], good.Select(e => e.Name));
        Assert.Equal(good, kept);
        Assert.Contains("line 2", Assert.Single(discovery.Problems), StringComparison.Ordinal);
    }
}
