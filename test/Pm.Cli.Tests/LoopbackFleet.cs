using System.Globalization;
using Pm.AspNetCore;

namespace Pm.Cli.Tests;

/// <summary>Real pm servers on several loopback addresses (127.0.0.2, 127.0.0.3…), all on one port, as the instances of a service behind one DNS name.</summary>
internal sealed class LoopbackFleet : IAsyncDisposable
{
    private readonly List<(string Address, ProcessList List, ProcessListServer? Server)> _members = [];

    private LoopbackFleet()
    {
    }

    public int Port { get; private set; }

    public int Count => _members.Count;

    public static async Task<LoopbackFleet> StartAsync(params string[] addresses)
    {
        var attempts = 0;
        while (true)
        {
            attempts++;
            var fleet = new LoopbackFleet();
            try
            {
                foreach (var address in addresses)
                {
                    var list = new ProcessList();
                    var url = $"http://{address}:{fleet.Port.ToString(CultureInfo.InvariantCulture)}";
                    fleet._members.Add((address, list, null));
                    var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = url }, TestContext.Current.CancellationToken);
                    fleet._members[^1] = (address, list, server);
                    fleet.Port = server.Address.Port;
                }

                return fleet;
            }
            catch (IOException) when (attempts < 5)
            {
                // The first server's port was taken on another address: try another port.
                await fleet.DisposeAsync();
            }
        }
    }

    public ProcessList List(int index) => _members[index].List;

    /// <summary>The endpoint of one server, as <c>address:port</c>.</summary>
    public string Endpoint(int index) => _members[index].Address + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The line of a hosts file that gives <paramref name="name"/> this server's address.</summary>
    public string HostsLine(int index, string name) => _members[index].Address + " " + name;

    /// <summary>Stops one server: its endpoint stops answering, its name stays in DNS.</summary>
    public async Task StopAsync(int index)
    {
        if (_members[index].Server is { } server)
        {
            await server.DisposeAsync();
            _members[index] = (_members[index].Address, _members[index].List, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _members.Count; i++)
        {
            await StopAsync(i);
            _members[i].List.Dispose();
        }
    }
}
