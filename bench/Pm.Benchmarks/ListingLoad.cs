using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Pm.AspNetCore;

namespace Pm.Benchmarks;

/// <summary>
/// Large listings as careless clients ask for them: 3,000 running tasks (a listing of about 1 MB), 300 clients that
/// ask for <c>GET /procs/</c> and never read, then 300 that read it slowly, in two rounds. Prints the server process's
/// memory before, while they are connected and after they have gone, and the latency of a small listing meanwhile;
/// against the standalone listener and an application's mapped <c>/procs</c>, with the system's socket buffers or
/// (<c>app-64k</c>) a send buffer of 64 KiB.
/// </summary>
internal static class ListingLoad
{
    private const int Clients = 300;

    // Shared by every reading client: what they read is thrown away, so the clients weigh almost nothing here.
    private static readonly byte[] Scratch = new byte[16 * 1024];

    /// <summary>Serves the tasks in this process: prints the address, then the process's memory for each line read.</summary>
    public static async Task ServeAsync(int running, string kind)
    {
        using var list = new ProcessList();
        var agent = new string('x', 120);
        var tasks = Enumerable.Range(0, running)
            .Select(i => list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555"), new("agent", agent)], new TaskOptions { SlowAfter = null, HungAfter = null }))
            .ToList();
        tasks.ForEach(t => t.Status("waiting for the database"));
        var (address, stop) = await StartAsync(list, kind);
        Console.WriteLine(address);
        while (await Console.In.ReadLineAsync() is { } line && line.Length > 0)
        {
            Console.WriteLine(Memory());
        }

        await stop();
        tasks.ForEach(t => t.Dispose());
    }

    /// <summary>Starts the server in a process of its own and puts it through the clients, from this one.</summary>
    public static async Task RunAsync(int running, string kind)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ListingLoad).Assembly.Location);
        }

        foreach (var arg in new[] { "listing-serve", running.ToString(CultureInfo.InvariantCulture), kind })
        {
            start.ArgumentList.Add(arg);
        }

        using var server = Process.Start(start)!;
        var address = new Uri((await server.StandardOutput.ReadLineAsync())!);
        async Task<string> ServerMemory()
        {
            await server.StandardInput.WriteLineAsync("m");
            return (await server.StandardOutput.ReadLineAsync())!;
        }

        try
        {
            using var http = new HttpClient { BaseAddress = address };
            var size = (await http.GetByteArrayAsync("procs/")).Length;
            var small = new Uri(address, "procs/?limit=10");
            await TimeAsync(http, small);
            Console.WriteLine($"{kind} (server pid {server.Id}): {running:N0} running tasks, a listing of {size / 1024.0 / 1024.0:F2} MB; {Clients} clients that never read, then {Clients} that read 16 KiB every 100 ms");
            Console.WriteLine($"baseline: {await ServerMemory()}; GET /procs/ {await TimeAsync(http, new Uri(address, "procs/")):F1} ms");

            // The second round shows what stays for good: the first also pays once for code compiled on its paths.
            for (var round = 1; round <= 2; round++)
            {
                var stalled = new List<Socket>();
                var slowest = 0.0;
                for (var i = 0; i < Clients; i++)
                {
                    stalled.Add(await RequestAsync(address));
                    if (i % 30 == 29)
                    {
                        slowest = Math.Max(slowest, await TimeAsync(http, small));
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
                Console.WriteLine($"round {round}: {Clients} non-readers connected: {await ServerMemory()}; slowest GET /procs/?limit=10 meanwhile {slowest:F1} ms");
                await Task.Delay(TimeSpan.FromSeconds(15));
                Console.WriteLine($"round {round}: 15 s later: {await ServerMemory()}; GET /procs/?limit=10 {await TimeAsync(http, small):F1} ms");
                stalled.ForEach(s => s.Dispose());
                await Task.Delay(TimeSpan.FromSeconds(2));
                Console.WriteLine($"round {round}: non-readers gone: {await ServerMemory()}");

                var clock = Stopwatch.StartNew();
                var readers = new List<Task<int>>();
                slowest = 0;
                for (var i = 0; i < Clients; i++)
                {
                    readers.Add(ReadSlowlyAsync(await RequestAsync(address)));
                    if (i % 30 == 29)
                    {
                        slowest = Math.Max(slowest, await TimeAsync(http, small));
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
                Console.WriteLine($"round {round}: {Clients} slow readers connected: {await ServerMemory()}; slowest GET /procs/?limit=10 meanwhile {slowest:F1} ms");
                var all = Task.WhenAll(readers);
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(120)));
                var statuses = readers.Where(r => r.IsCompletedSuccessfully).GroupBy(r => r.Result).OrderBy(g => g.Key)
                    .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} × {(g.Key == 0 ? "cut off" : g.Key.ToString(CultureInfo.InvariantCulture))}"));
                Console.WriteLine($"round {round}: slow readers done after {clock.Elapsed.TotalSeconds:F1} s ({string.Join(", ", statuses)}; {readers.Count(r => !r.IsCompleted)} unfinished): {await ServerMemory()}");
                await Task.Delay(TimeSpan.FromSeconds(10));
                Console.WriteLine($"round {round}: 10 s later: {await ServerMemory()}");
            }
        }
        finally
        {
            await server.StandardInput.WriteLineAsync();
            await server.WaitForExitAsync();
        }
    }

    private static async Task<(Uri Address, Func<ValueTask> Stop)> StartAsync(ProcessList list, string kind)
    {
        if (kind == "listener")
        {
            var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" });
            return (server.Address, server.DisposeAsync);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        if (kind == "app-64k")
        {
            // Accepted sockets inherit the listening socket's send buffer: 64 KiB, as a connection to a remote client
            // that stopped reading has, where loopback's grow to 4 MB and hide what the server itself holds.
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = endpoint =>
            {
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = 64 * 1024;
                return socket;
            });
        }

        builder.Services.AddProcessList(list);
        var app = builder.Build();
        app.MapProcessList("/procs");
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (new Uri(bound + "/"), app.DisposeAsync);
    }

    private static string Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo();
        var pinned = info.GenerationInfo[4].SizeAfterBytes;
        using var process = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture, $"heap {heap / 1048576.0:F1} MB (pinned {pinned / 1048576.0:F1}, committed {info.TotalCommittedBytes / 1048576.0:F1}), resident {process.WorkingSet64 / 1048576.0:F1} MB, {process.Threads.Count} threads");
    }

    private static async Task<double> TimeAsync(HttpClient http, Uri uri)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(uri);
        await response.Content.ReadAsByteArrayAsync();
        return clock.Elapsed.TotalMilliseconds;
    }

    // A client with a small receive window, so the server's writes stall soon when it does not read.
    private static async Task<Socket> RequestAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /procs/ HTTP/1.1\r\nHost: pm\r\nConnection: close\r\n\r\n"));
        return socket;
    }

    // Reads 16 KiB every 100 ms until the server closes; the answer's status, or 0 when the connection was reset.
    private static async Task<int> ReadSlowlyAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var head = new byte[12];
                var got = 0;
                while (got < head.Length)
                {
                    var read = await socket.ReceiveAsync(head.AsMemory(got));
                    if (read == 0)
                    {
                        return 0;
                    }

                    got += read;
                }

                var status = int.Parse(Encoding.ASCII.GetString(head, 9, 3), CultureInfo.InvariantCulture);
                while (await socket.ReceiveAsync(Scratch) > 0)
                {
                    await Task.Delay(100);
                }

                return status;
            }
            catch (SocketException)
            {
                return 0;
            }
        }
    }
}
