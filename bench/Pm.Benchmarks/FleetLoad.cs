using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Pm.Cli;

namespace Pm.Benchmarks;

/// <summary>
/// The <c>pm</c> tool's fleet fetcher against a simulated fleet on loopback: one child process, one Kestrel listening
/// on N loopback ports, each serving a <c>/procs/</c> of 100 running tasks. Measures this process's CPU and memory
/// while <c>pm top</c>'s monitor polls every endpoint every second, then the time one refresh of every endpoint takes.
/// </summary>
internal static class FleetLoad
{
    public static async Task RunAsync(IReadOnlyList<int> sizes, TimeSpan window)
    {
        using (var start = Process.GetCurrentProcess())
        {
            Console.WriteLine($"resident before any endpoint: {Mb(start.WorkingSet64)}");
        }

        Console.WriteLine($"{"endpoints",9} {"refresh p50",12} {"p90",8} {"max",8} {"polls/s",8} {"CPU (this)",10} {"CPU (fleet)",11} {"heap",8} {"committed",9} {"resident",9} {"peak",8}");
        foreach (var size in sizes)
        {
            using var server = StartFleet(size, out var ports);
            var endpoints = ports.Select(p => Pm.Cli.Endpoint.Parse("127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))).ToList();
            using var fleet = new Fleet(token: null, TimeSpan.FromSeconds(5));

            await using var monitor = new FleetMonitor(fleet, TimeSpan.FromSeconds(1));
            monitor.SetEndpoints(endpoints);
            await Task.Delay(TimeSpan.FromSeconds(3));   // every loop started and answered once
            var self = Process.GetCurrentProcess();
            var before = (Cpu: self.TotalProcessorTime, Fleet: server.TotalProcessorTime, Wall: Stopwatch.StartNew(), Stamps: Stamps(monitor));
            var polls = 0L;
            while (before.Wall.Elapsed < window)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var stamps = Stamps(monitor);
                polls += stamps.Zip(before.Stamps).Count(p => p.First != p.Second);
                before.Stamps = stamps;
            }

            self.Refresh();
            server.Refresh();
            var seconds = before.Wall.Elapsed.TotalSeconds;
            var cpu = (self.TotalProcessorTime - before.Cpu).TotalSeconds / seconds;
            var fleetCpu = (server.TotalProcessorTime - before.Fleet).TotalSeconds / seconds;
            var heap = GC.GetTotalMemory(false);
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            var (resident, peak) = (self.WorkingSet64, self.PeakWorkingSet64);
            await monitor.DisposeAsync();

            // Then one refresh at a time: every endpoint asked at once, until the last answer.
            var latencies = new List<double>();
            for (var round = 0; round < 23; round++)
            {
                var clock = Stopwatch.StartNew();
                var states = await fleet.FetchAllAsync(endpoints, CancellationToken.None);
                if (states.FirstOrDefault(s => s.Error is not null) is { } failed)
                {
                    throw new InvalidOperationException($"{failed.Endpoint.Name}: {failed.Error}");
                }

                if (round >= 3)
                {
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            latencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{size,9} {Ms(latencies[latencies.Count / 2]),12} {Ms(latencies[(int)(latencies.Count * 0.9)]),8} {Ms(latencies[^1]),8} {polls / seconds,8:0} {cpu,10:P1} {fleetCpu,11:P1} {Mb(heap),8} {Mb(committed),9} {Mb(resident),9} {Mb(peak),8}"));
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    /// <summary>Runs this program again, with these arguments, under the pm tool's GC settings; returns its exit code.</summary>
    public static async Task<int> RunAgainWithToolSettingsAsync(string[] args)
    {
        var start = Self(args);
        start.RedirectStandardOutput = false;
        start.RedirectStandardInput = false;
        start.Environment["DOTNET_gcConcurrent"] = "0";
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>Serves the simulated fleet: one Kestrel on <paramref name="size"/> loopback ports, 100 tasks each, until stdin closes.</summary>
    public static async Task ServeAsync(int size)
    {
        using var list = new ProcessList();
        for (var i = 0; i < 100; i++)
        {
            list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555")]).Status("step 1");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            for (var i = 0; i < size; i++)
            {
                k.Listen(IPAddress.Loopback, 0);
            }
        });
        builder.Services.AddSingleton(list);
        await using var app = builder.Build();
        app.MapProcessList("/procs");
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port);
        Console.WriteLine("ports " + string.Join(',', ports));
        await Console.In.ReadToEndAsync();
    }

    private static Process StartFleet(int size, out List<int> ports)
    {
        var start = Self(["fleet-serve", size.ToString(CultureInfo.InvariantCulture)]);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the fleet did not start");
        ports = [.. line["ports ".Length..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        return process;
    }

    private static ProcessStartInfo Self(IEnumerable<string> args)
    {
        // Always as "dotnet Pm.Benchmarks.dll", whichever way this process was started (dotnet run starts the app host).
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(FleetLoad).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    private static long[] Stamps(FleetMonitor monitor) => [.. monitor.Snapshot().States.Select(s => s?.FetchedAt ?? 0)];

    private static string Ms(double milliseconds) => milliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MB";
}
