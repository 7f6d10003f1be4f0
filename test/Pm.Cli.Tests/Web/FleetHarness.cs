using System.Text.Json;
using Pm.AspNetCore;
using Pm.Cli.Web;

namespace Pm.Cli.Tests.Web;

/// <summary>A fleet of real pm servers on loopback and a <c>pm web</c> server in front of them, with a client for the page's routes.</summary>
internal sealed class FleetHarness : IAsyncDisposable
{
    private readonly List<ProcessListServer?> _servers = [];
    private readonly List<Endpoint> _endpoints = [];
    private readonly List<string> _serverNames = [];
    private readonly Lock _gate = new();

    private FleetHarness()
    {
    }

    public List<ProcessList> Lists { get; } = [];

    public FleetServer Web { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Gets how many times the endpoint list was asked for.</summary>
    public int Discoveries { get; private set; }

    public static FleetOptions FastOptions { get; } = new()
    {
        Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
        Timeout = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(200),
        DiscoveryInterval = TimeSpan.FromMinutes(10),
    };

    /// <summary>Starts <paramref name="servers"/> .NET servers, plus the extra endpoints, and pm web over all of them.</summary>
    public static async Task<FleetHarness> StartAsync(int servers, IEnumerable<string>? extra = null, FleetOptions? options = null)
    {
        var harness = new FleetHarness();
        for (var i = 0; i < servers; i++)
        {
            await harness.AddServerAsync();
        }

        foreach (var name in extra ?? [])
        {
            harness.Add(name);
        }

        harness.Web = await FleetServer.StartAsync(harness.DiscoverAsync, options ?? FastOptions, TestContext.Current.CancellationToken);
        harness.Client = new HttpClient { BaseAddress = harness.Web.Address, Timeout = TimeSpan.FromSeconds(30) };
        return harness;
    }

    public string Name(int server) => _serverNames[server];

    /// <summary>Starts one more .NET server and lists it; pm web sees it at its next discovery.</summary>
    public async Task<string> AddServerAsync()
    {
        var list = new ProcessList();
        var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, TestContext.Current.CancellationToken);
        Lists.Add(list);
        _servers.Add(server);
        _serverNames.Add($"127.0.0.1:{server.Address.Port}");
        return Add(_serverNames[^1]);
    }

    public string Add(string name)
    {
        lock (_gate)
        {
            _endpoints.Add(Endpoint.Parse(name));
        }

        return name;
    }

    public void Remove(string name)
    {
        lock (_gate)
        {
            _endpoints.RemoveAll(e => e.Name == name);
        }
    }

    public async Task StopServerAsync(int server)
    {
        if (_servers[server] is { } running)
        {
            _servers[server] = null;
            await running.DisposeAsync();
        }
    }

    public async Task<JsonElement> GetProcsAsync()
    {
        using var response = await Client.GetAsync("fleet/procs", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
    }

    public static JsonElement EndpointOf(JsonElement procs, string name) =>
        procs.GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    /// <summary>Reads <c>/fleet/procs</c> until it shows what is awaited: pm web follows each server on its own schedule.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> condition, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(15));
        JsonElement last = default;
        try
        {
            while (true)
            {
                last = await GetProcsAsync();
                if (condition(last))
                {
                    return last;
                }

                await Task.Delay(50, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"pm web never showed {what}; last: {last}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        for (var i = 0; i < _servers.Count; i++)
        {
            await StopServerAsync(i);
        }

        foreach (var list in Lists)
        {
            list.Dispose();
        }
    }

    private Task<IReadOnlyList<Endpoint>> DiscoverAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Discoveries++;
            return Task.FromResult<IReadOnlyList<Endpoint>>([.. _endpoints]);
        }
    }
}
