using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Pm.AspNetCore;

namespace Pm.Cli.Tests;

/// <summary>Drives <c>pm top</c> in a real pseudo-terminal (tmux), as a user would, against real servers.</summary>
public sealed class TopCommandTests
{
    [Fact]
    public async Task Top_ShowsKillsReportsDownEndpointsAndQuitsCleanly()
    {
        var tmuxPath = Requires.Tool("tmux", "tmux");
        var ct = TestContext.Current.CancellationToken;
        using var list1 = new ProcessList();
        using var list2 = new ProcessList();
        var loopback = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        await using var server1 = await ProcessListServer.StartAsync(list1, loopback, ct);
        await using var server2 = await ProcessListServer.StartAsync(list2, loopback, ct);
        var endpoint1 = $"127.0.0.1:{server1.Address.Port}";
        var endpoint2 = $"127.0.0.1:{server2.Address.Port}";
        using var task = list1.Start("slow-report", [new("method", "GET")]);
        task.Status("rendering");
        using var other = list2.Start("other-job");

        await using var tmux = await Tmux.StartAsync(tmuxPath);
        await tmux.SendAsync($"dotnet {PmProcess.DllPath} top -e {endpoint1},{endpoint2} --refresh 0.2; echo PM-EXIT=$?", "Enter");

        // A running task appears, from both endpoints, each counted in words.
        var first = await tmux.WaitForAsync(screen => screen.Contains("slow-report", StringComparison.Ordinal) && screen.Contains("other-job", StringComparison.Ordinal)
            && screen.Contains($"{endpoint1}: up, 1 task", StringComparison.Ordinal));
        Assert.DoesNotContain("1 tasks", first, StringComparison.Ordinal);
        Assert.Contains("2 tasks on 2 endpoints", first, StringComparison.Ordinal);

        // The view follows the terminal's size: in a narrow window the attribute column gives way, the rows stay.
        await tmux.ResizeAsync(70, 30);
        await tmux.WaitForAsync(screen => screen.Contains("slow-report", StringComparison.Ordinal) && !screen.Contains("method", StringComparison.Ordinal)
            && screen.Split('\n').All(line => line.TrimEnd().Length <= 70));
        await tmux.ResizeAsync(160, 40);
        await tmux.WaitForAsync(screen => screen.Contains("method", StringComparison.Ordinal));

        // The filter narrows the view to one task, which k then kills with a message, after a confirmation.
        await tmux.SendAsync("/");
        await tmux.WaitForAsync(screen => screen.Contains("Filter", StringComparison.Ordinal));
        await tmux.SendAsync("-l", "slow-report");
        await tmux.SendAsync("Enter");
        await tmux.WaitForAsync(screen => screen.Contains("filter: slow-report", StringComparison.Ordinal) && !screen.Contains("other-job", StringComparison.Ordinal));
        await tmux.SendAsync("k");
        await tmux.WaitForAsync(screen => screen.Contains("message (Esc cancels)", StringComparison.Ordinal));
        await tmux.SendAsync("-l", "from top");
        await tmux.SendAsync("Enter");
        await tmux.WaitForAsync(screen => screen.Contains("Really kill slow-report", StringComparison.Ordinal));
        await tmux.SendAsync("y");
        await tmux.WaitForAsync(screen => screen.Contains("asked", StringComparison.Ordinal));
        Assert.True(list1.TryGetHistory("slow-report", out var history));
        Assert.Equal("[cancel request: from top]", history.Entries[^1].Status);

        // An endpoint that goes down is reported while the other keeps updating.
        await tmux.SendAsync("/");
        await tmux.SendAsync("Enter");
        await tmux.WaitForAsync(screen => screen.Contains("filter cleared", StringComparison.Ordinal));
        await server2.DisposeAsync();
        await tmux.WaitForAsync(screen => screen.Contains($"{endpoint2}: DOWN", StringComparison.Ordinal));
        using var late = list1.Start("late-arrival");
        await tmux.WaitForAsync(screen => screen.Contains("late-arrival", StringComparison.Ordinal) && screen.Contains($"{endpoint2}: DOWN", StringComparison.Ordinal));

        // q exits with 0 and leaves the alternate screen: the shell's own screen is back, without the view.
        // The typed command line holds "PM-EXIT=$?" too, so only a line the echo printed counts.
        await tmux.SendAsync("q");
        var final = await tmux.WaitForAsync(screen => Tmux.ExitLine().IsMatch(screen));
        Assert.Equal("0", Tmux.ExitLine().Match(final).Groups["code"].Value);
        Assert.DoesNotContain("late-arrival", final, StringComparison.Ordinal);
        Assert.DoesNotContain("pm top  ", final, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_QuitWhileAPollIsInFlight_RestoresTheTerminalAndExitsZero()
    {
        var tmuxPath = Requires.Tool("tmux", "tmux");
        var ct = TestContext.Current.CancellationToken;

        // An endpoint that never answers: a poll is always in flight when q is pressed.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var hanging = builder.Build();
        hanging.MapGet("/procs/", async (CancellationToken token) => await Task.Delay(Timeout.Infinite, token));
        await hanging.StartAsync(ct);
        var port = new Uri(hanging.Urls.First()).Port;

        await using var tmux = await Tmux.StartAsync(tmuxPath);
        await tmux.SendAsync($"dotnet {PmProcess.DllPath} top -e 127.0.0.1:{port} --timeout 60; echo PM-EXIT=$?", "Enter");
        await tmux.WaitForAsync(screen => screen.Contains("q quit", StringComparison.Ordinal));
        await tmux.SendAsync("q");

        var final = await tmux.WaitForAsync(screen => Tmux.ExitLine().IsMatch(screen));
        Assert.Equal("0", Tmux.ExitLine().Match(final).Groups["code"].Value);
        Assert.DoesNotContain("q quit", final, StringComparison.Ordinal);
    }
}
