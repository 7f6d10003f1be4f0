using Pm.AspNetCore;

namespace Pm.Cli.Tests;

/// <summary><c>pm top</c> in tmux with the server's watchdog flags and progress reports.</summary>
public sealed class TopWatchdogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Top_ShowsProgressAndFlagsSlowTasks_AndFiltersOnThem()
    {
        var tmuxPath = Requires.Tool("tmux", "tmux");
        var ct = TestContext.Current.CancellationToken;
        using var list = new ProcessList(new ProcessListOptions { WatchdogInterval = TimeSpan.FromMilliseconds(50) });
        await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, ct);
        var endpoint = $"127.0.0.1:{server.Address.Port}";
        using var import = list.Start("import-7", options: new TaskOptions { SlowAfter = null });
        import.ReportProgress(250, 1000, "rows");
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = list.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Slow)
            {
                slow.TrySetResult();
            }
        });
        using var stuck = list.Start("stuck-9", options: new TaskOptions { SlowAfter = TimeSpan.FromMilliseconds(100) });
        stuck.Status("waiting on the lock");
        await slow.Task.WaitAsync(Patience, ct);

        await using var tmux = await Tmux.StartAsync(tmuxPath);
        await tmux.SendAsync($"dotnet {PmProcess.DllPath} top -e {endpoint} --refresh 0.2; echo PM-EXIT=$?", "Enter");

        var screen = await tmux.WaitForAsync(s => s.Contains("import-7", StringComparison.Ordinal) && s.Contains("stuck-9", StringComparison.Ordinal));
        Assert.Contains("progress", screen, StringComparison.Ordinal);
        Assert.Contains("25%", screen, StringComparison.Ordinal);
        Assert.Contains("waiting on the lock (slow)", screen, StringComparison.Ordinal);

        await tmux.SendAsync("/");
        await tmux.WaitForAsync(s => s.Contains("Filter", StringComparison.Ordinal));
        await tmux.SendAsync("-l", "slow");
        await tmux.SendAsync("Enter");
        await tmux.WaitForAsync(s => s.Contains("filter: slow", StringComparison.Ordinal) && s.Contains("stuck-9", StringComparison.Ordinal) && !s.Contains("import-7", StringComparison.Ordinal));

        await tmux.SendAsync("q");
        var final = await tmux.WaitForAsync(s => Tmux.ExitLine().IsMatch(s));
        Assert.Equal("0", Tmux.ExitLine().Match(final).Groups["code"].Value);
    }
}
