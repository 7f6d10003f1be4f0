using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pm.AspNetCore;

namespace Pm.Cli.Tests.Web;

/// <summary><c>pm web</c> run as a user runs it: a separate process, stopped by a signal.</summary>
public sealed class WebCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Web_OnAnAddressOtherHostsReach_WithoutAPageToken_RefusesToStart()
    {
        var (code, _, stderr) = await PmProcess.RunAsync(["web", "-e", "127.0.0.1:1", "--listen", "0.0.0.0:0"]);

        Assert.Equal(1, code);
        Assert.Contains("--page-token", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--listen", "nowhere")]
    [InlineData("--discovery-interval", "0")]
    [InlineData("--poll", "-1")]
    public async Task Web_BadOptions_ExitWithAMessage(string option, string value)
    {
        var (code, _, stderr) = await PmProcess.RunAsync(["web", "-e", "127.0.0.1:1", option, value]);

        Assert.Equal(1, code);
        Assert.StartsWith("pm: ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Web_ServesTheFleet_AndStopsPromptlyOnASignal(string signal)
    {
        using var list = new ProcessList();
        await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, Ct);
        using var task = list.Start("seen-by-web");
        var endpoint = $"127.0.0.1:{server.Address.Port}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { PmProcess.DllPath, "web", "-e", $"{endpoint},127.0.0.1:1", "--listen", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(Ct);
            Assert.NotNull(line);
            Assert.Contains("2 endpoint(s)", line, StringComparison.Ordinal);
            var address = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim());
            using var http = new HttpClient { BaseAddress = address };
            // The dead endpoint does not hold up the live one.
            var shown = false;
            for (var i = 0; i < 200 && !shown; i++)
            {
                var procs = JsonDocument.Parse(await http.GetStringAsync("fleet/procs", Ct)).RootElement;
                shown = procs.GetProperty("endpoints")[0].GetProperty("procs").EnumerateArray().Any(p => p.GetProperty("id").GetString() == "seen-by-web");
                await Task.Delay(shown ? 0 : 50, Ct);
            }

            Assert.True(shown);

            var signalled = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(deadline.Token);
            Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(3), $"stopped after {signalled.Elapsed.TotalSeconds:0.00} s");
            Assert.Equal(string.Empty, await process.StandardError.ReadToEndAsync(Ct));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task Web_OverAFileSource_FollowsTheFileAtEachDiscovery()
    {
        using var list1 = new ProcessList();
        using var list2 = new ProcessList();
        var loopback = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        await using var server1 = await ProcessListServer.StartAsync(list1, loopback, Ct);
        await using var server2 = await ProcessListServer.StartAsync(list2, loopback, Ct);
        var endpoint1 = $"127.0.0.1:{server1.Address.Port}";
        var endpoint2 = $"127.0.0.1:{server2.Address.Port}";
        var file = Path.Combine(Path.GetTempPath(), $"pm-web-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, $"# the fleet\n{endpoint1}\n", Ct);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { PmProcess.DllPath, "web", "-e", "file:" + file, "--listen", "127.0.0.1:0", "--discovery-interval", "1" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(Ct);
            Assert.NotNull(line);
            Assert.Contains("1 endpoint(s)", line, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim()) };
            Assert.Equal([endpoint1], await EndpointNamesAsync(http));

            await File.WriteAllTextAsync(file, $"{endpoint2}\n", Ct);
            string[] names = [];
            for (var i = 0; i < 100 && !names.SequenceEqual([endpoint2]); i++)
            {
                await Task.Delay(100, Ct);
                names = await EndpointNamesAsync(http);
            }

            Assert.Equal([endpoint2], names);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            File.Delete(file);
        }
    }

    [Fact]
    public async Task Web_WithASourceThatDoesNotResolve_ExitsWithTheEndpointsCode()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { PmProcess.DllPath, "web", "-e", "file:/nonexistent/pm-endpoints", "--listen", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(5, process.ExitCode);
        Assert.StartsWith("pm: ", error, StringComparison.Ordinal);
    }

    private static async Task<string[]> EndpointNamesAsync(HttpClient http)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("fleet/procs", Ct));
        return [.. document.RootElement.GetProperty("endpoints").EnumerateArray().Select(e => e.GetProperty("name").GetString()!)];
    }
}
