using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Pm.AspNetCore;

namespace Pm.Benchmarks;

/// <summary>
/// The live stream as careless clients use it: thousands of running tasks, a steady churn of short ones, and rounds of
/// hundreds of subscribers that connect and never read, then go. Prints the listing's latency while they connect, and
/// the process's memory during each round and after it.
/// </summary>
internal static class EventsLoad
{
    private const int Rounds = 3;
    private const int StalledPerRound = 300;

    public static async Task RunAsync(int running)
    {
        using var list = new ProcessList();
        var tasks = Enumerable.Range(0, running)
            .Select(i => list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555")]))
            .ToList();
        tasks.ForEach(t => t.Status("waiting for the database"));

        var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions
        {
            Url = "http://127.0.0.1:0",
            Endpoint = { MaxEventSubscribers = StalledPerRound + 10, EventWriteTimeout = TimeSpan.FromSeconds(10) },
        });
        await using (server)
        {
            using var http = new HttpClient { BaseAddress = server.Address };
            using var stop = new CancellationTokenSource();
            var churn = ChurnAsync(list, stop.Token);
            var listUri = new Uri(server.Address, "procs/");
            (await http.GetAsync(listUri)).Dispose();
            Console.WriteLine($"{running:N0} running tasks, churn of short tasks, {StalledPerRound} stalled subscribers a round");
            Console.WriteLine($"baseline: {Memory()}; GET /procs/ {await TimeAsync(http, listUri):F1} ms");
            for (var round = 1; round <= Rounds; round++)
            {
                var sockets = new List<Socket>();
                var slowest = 0.0;
                for (var i = 0; i < StalledPerRound; i++)
                {
                    sockets.Add(await StalledAsync(server.Address));
                    if (i % 30 == 29)
                    {
                        slowest = Math.Max(slowest, await TimeAsync(http, listUri));
                    }
                }

                Console.WriteLine($"round {round}: {StalledPerRound} connected; slowest GET /procs/ meanwhile {slowest:F1} ms; {Memory()}");
                await Task.Delay(TimeSpan.FromSeconds(15));
                Console.WriteLine($"round {round}: 15 s later (stalled writes cut off after 10 s): {Memory()}");
                sockets.ForEach(s => s.Dispose());
                await Task.Delay(TimeSpan.FromSeconds(2));
                Console.WriteLine($"round {round}: clients gone: {Memory()}");
            }

            await stop.CancelAsync();
            await churn;
        }

        tasks.ForEach(t => t.Dispose());
    }

    private static string Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture, $"heap {heap / 1048576.0:F1} MB, resident {process.WorkingSet64 / 1048576.0:F1} MB");
    }

    private static async Task<double> TimeAsync(HttpClient http, Uri uri)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(uri);
        await response.Content.ReadAsByteArrayAsync();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<Socket> StalledAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /procs/?view=events HTTP/1.1\r\nHost: pm\r\n\r\n"));
        return socket;
    }

    // About 20,000 short tasks a second, in bursts of a hundred.
    private static Task ChurnAsync(ProcessList list, CancellationToken stop) => Task.Run(async () =>
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            using (var task = list.Start("short" + i, [new("method", "GET")]))
            {
                task.Status("working");
            }

            if (i % 100 == 99)
            {
                await Task.Delay(5, CancellationToken.None);
            }
        }
    }, CancellationToken.None);
}
