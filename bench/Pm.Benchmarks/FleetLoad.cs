using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Pm.Benchmarks;

/// <summary>
/// The <c>pm</c> tool itself against a simulated, busy fleet on loopback: one child process serves N endpoints of 100
/// running tasks each, whose tasks end, start and change status all the time. For each size, the real
/// <c>pm top</c> (in a tmux terminal) and the real <c>pm web</c> (with a page asking for <c>/fleet/procs</c> each
/// second) run as processes of their own; their processor time and memory are read from <c>/proc</c>, and the time a
/// status change on a server takes to show in the tool is measured.
/// </summary>
internal static class FleetLoad
{
    private const int TasksPerEndpoint = 100;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(IReadOnlyList<int> sizes, TimeSpan window, IReadOnlyList<string> kinds)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "Pm.Cli.dll");
        var tmux = FindOnPath("tmux");
        Console.WriteLine($"{TasksPerEndpoint} tasks per endpoint; busy: every endpoint has 10 tasks replaced and 10 statuses changed a second; quiet: only the marks; go: busy, answering only Go's protocol (polled); {window.TotalSeconds:0} s per run");
        if (tmux is null)
        {
            Console.WriteLine("tmux is not installed: pm top is not measured.");
        }

        Console.WriteLine($"{"endpoints",9} {"fleet",6} {"tool",5} {"shown p50",10} {"p90",8} {"CPU",7} {"CPU (fleet)",11} {"resident",9} {"peak",8} {"page p50",9} {"page JSON",10}");
        foreach (var (size, kind) in sizes.SelectMany(s => kinds.Select(k => (s, k))))
        {
            using var fleet = StartFleet(size, kind, out var ports);
            var file = Path.Combine(Path.GetTempPath(), $"pm-fleet-{Environment.ProcessId}-{size}.txt");
            await File.WriteAllLinesAsync(file, ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));
            try
            {
                if (tmux is not null)
                {
                    await MeasureTopAsync(tmux, tool, file, size, kind, fleet, window);
                }

                await MeasureWebAsync(tool, file, size, kind, fleet, window);
            }
            finally
            {
                File.Delete(file);
                fleet.StandardInput.Close();
                if (!fleet.WaitForExit(5000))
                {
                    fleet.Kill();
                }
            }
        }
    }

    private static async Task MeasureTopAsync(string tmux, string tool, string file, int size, string kind, Process fleet, TimeSpan window)
    {
        var session = "pm-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        await RunAsync(tmux, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", $"exec dotnet '{tool}' top -e file:{file}");
        try
        {
            var pid = int.Parse((await RunAsync(tmux, "list-panes", "-t", session, "-F", "#{pane_pid}")).Trim(), CultureInfo.InvariantCulture);
            await WaitForAsync(async () => TasksOnScreen(await RunAsync(tmux, "capture-pane", "-p", "-t", session)) >= size * TasksPerEndpoint, TimeSpan.FromSeconds(60), $"pm top did not see the tasks of {size} endpoints");
            var usage = await SampleAsync(pid, fleet, window);

            // A filter on the marker, then marks: each is timed from the server's change to the screen showing it.
            await RunAsync(tmux, "send-keys", "-t", session, "/", "marker", "Enter");
            var shown = await TimeMarksAsync(fleet, "mark-", async mark => (await RunAsync(tmux, "capture-pane", "-p", "-t", session)).Contains(mark, StringComparison.Ordinal));

            Report(size, kind, "top", shown, usage, null, null);
        }
        finally
        {
            await RunAsync(tmux, "kill-session", "-t", session);
        }
    }

    private static async Task MeasureWebAsync(string tool, string file, int size, string kind, Process fleet, TimeSpan window)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { tool, "web", "-e", "file:" + file, "--listen", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var web = Process.Start(start)!;
        try
        {
            var line = await web.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("pm web did not start");
            var address = new Uri(line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim());
            using var page = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip }) { BaseAddress = address };
            page.DefaultRequestHeaders.AcceptEncoding.ParseAdd("gzip");
            await WaitForAsync(async () => Count(await page.GetStringAsync("fleet/procs")).Up == size, TimeSpan.FromSeconds(60), $"pm web did not see {size} endpoints up");

            // The page: one /fleet/procs a second, as the dashboard asks, while the tool is measured.
            using var stop = new CancellationTokenSource();
            var times = new List<double>();
            long bytes = 0;
            var pageLoop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var clock = Stopwatch.StartNew();
                    using var response = await page.GetAsync("fleet/procs", HttpCompletionOption.ResponseHeadersRead);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    times.Add(clock.Elapsed.TotalMilliseconds);
                    bytes = body.Length;
                    await Task.Delay(TimeSpan.FromSeconds(1) - clock.Elapsed > TimeSpan.Zero ? TimeSpan.FromSeconds(1) - clock.Elapsed : TimeSpan.Zero);
                }
            });
            var usage = await SampleAsync(web.Id, fleet, window);
            await stop.CancelAsync();
            await pageLoop;

            var shown = await TimeMarksAsync(fleet, "webmark-", async mark => Count(await page.GetStringAsync("fleet/procs")).Marked(mark) == size);

            times.Sort();
            Report(size, kind, "web", shown, usage, times[times.Count / 2], bytes);
        }
        finally
        {
            web.Kill();
            await web.WaitForExitAsync();
        }
    }

    // Sets the marker's status 15 times, each timed from the server's change until the tool shows it.
    private static async Task<List<double>> TimeMarksAsync(Process fleet, string prefix, Func<string, Task<bool>> shows)
    {
        var shown = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            var mark = prefix + i.ToString(CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            await fleet.StandardInput.WriteLineAsync("mark " + mark);
            await fleet.StandardInput.FlushAsync();
            await WaitForAsync(() => shows(mark), TimeSpan.FromSeconds(30), "the tool never showed " + mark);
            shown.Add(clock.Elapsed.TotalMilliseconds);
        }

        return shown;
    }

    private static void Report(int size, string kind, string tool, List<double> shown, Usage usage, double? page, long? pageBytes)
    {
        shown.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{size,9} {kind,6} {tool,5} {Ms(shown[shown.Count / 2]),10} {Ms(shown[(int)(shown.Count * 0.9)]),8} {usage.Cpu,7:P1} {usage.FleetCpu,11:P1} {Mb(usage.Resident),9} {Mb(usage.Peak),8} {(page is { } p ? Ms(p) : "-"),9} {(pageBytes is { } b ? (b / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " KB" : "-"),10}"));
    }

    // The header reads "pm top  50,000 tasks on 500 endpoints …".
    private static int TasksOnScreen(string screen)
    {
        var header = screen.Split('\n')[0];
        var end = header.IndexOf(" task", StringComparison.Ordinal);
        return end > 8 && int.TryParse(header[8..end].Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;
    }

    private static (int Up, Func<string, int> Marked) Count(string json)
    {
        using var document = JsonDocument.Parse(json);
        var endpoints = document.RootElement.GetProperty("endpoints").EnumerateArray().ToList();
        var up = endpoints.Count(e => e.GetProperty("state").GetString() is "up" or "slow" && e.GetProperty("procs").GetArrayLength() > 0);
        var statuses = endpoints.Select(e => e.GetProperty("procs").EnumerateArray().FirstOrDefault(p => p.GetProperty("id").GetString() == "marker") is { ValueKind: JsonValueKind.Object } m ? m.GetProperty("status").GetString() : null).ToList();
        return (up, mark => statuses.Count(s => s == mark));
    }

    /// <summary>A process's processor time over the window (100 % is one core), its resident memory at the end and its peak.</summary>
    private sealed record Usage(double Cpu, double FleetCpu, long Resident, long Peak);

    private static async Task<Usage> SampleAsync(int pid, Process fleet, TimeSpan window)
    {
        // The first seconds of a process are spent compiling its code again at the higher tier: not what it costs to run.
        await Task.Delay(Warmup);
        var (cpu0, fleet0, clock) = (ProcessorTime(pid), fleet.TotalProcessorTime, Stopwatch.StartNew());
        await Task.Delay(window);
        fleet.Refresh();
        var seconds = clock.Elapsed.TotalSeconds;
        var status = File.ReadAllLines($"/proc/{pid}/status");
        long Kb(string name) => long.Parse(status.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return new Usage((ProcessorTime(pid) - cpu0).TotalSeconds / seconds, (fleet.TotalProcessorTime - fleet0).TotalSeconds / seconds, Kb("VmRSS"), Kb("VmHWM"));
    }

    // utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s (USER_HZ).
    private static TimeSpan ProcessorTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(failure);
            }

            await Task.Delay(20);
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>
    /// Serves the simulated fleet until stdin closes: one Kestrel on <paramref name="size"/> loopback ports over one list
    /// of 100 running tasks, of which (busy, or go) 10 are replaced and 10 change status each second; <c>mark TEXT</c> on
    /// stdin sets the status of the task <c>marker</c>.
    /// </summary>
    public static async Task ServeAsync(int size, string kind)
    {
        var busy = kind is "busy" or "go";
        using var list = new ProcessList();
        var tasks = new TrackedTask[TasksPerEndpoint];
        var next = 0;
        TrackedTask StartOne()
        {
            var task = list.Start($"req{next}", [new("method", "GET"), new("uri", $"/api/items/{next++}"), new("host", "10.1.2.3:5555")]);
            task.Status("step 1");
            return task;
        }

        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = StartOne();
        }

        using var marker = list.Start("marker", [new("method", "GET"), new("uri", "/marker")]);
        marker.Status("waiting");
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
        if (kind == "go")
        {
            // Every request a plain listing, as a Go server answers whatever the query: the tool polls.
            app.Use((context, next) =>
            {
                context.Request.QueryString = QueryString.Empty;
                return next(context);
            });
        }

        app.MapProcessList("/procs", o => o.MaxEventSubscribers = size + 100);
        await app.StartAsync();

        using var stop = new CancellationTokenSource();
        var churn = Task.Run(async () =>
        {
            // Every 100 ms: one task ends and another starts, and one more changes its status.
            var random = new Random(7);
            var step = 0;
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (busy && await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var slot = random.Next(tasks.Length);
                tasks[slot].Dispose();
                tasks[slot] = StartOne();
                tasks[random.Next(tasks.Length)].Status("step " + (++step).ToString(CultureInfo.InvariantCulture));
            }
        });

        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a).Port);
        Console.WriteLine("ports " + string.Join(',', ports));
        while (await Console.In.ReadLineAsync() is { } command)
        {
            if (command.StartsWith("mark ", StringComparison.Ordinal))
            {
                marker.Status(command[5..]);
            }
        }

        await stop.CancelAsync();
        try
        {
            await churn;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Process StartFleet(int size, string kind, out List<int> ports)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(FleetLoad).Assembly.Location);
        start.ArgumentList.Add("fleet-serve");
        start.ArgumentList.Add(size.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(kind);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the fleet did not start");
        ports = [.. line["ports ".Length..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        return process;
    }

    private static string Ms(double milliseconds) => milliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MB";
}
