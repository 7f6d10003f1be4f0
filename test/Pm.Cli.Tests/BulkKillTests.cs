using Microsoft.Extensions.Time.Testing;
using Pm.AspNetCore;

namespace Pm.Cli.Tests;

/// <summary><c>pm kill --filter</c> across real servers: what it lists, when it asks, what it kills, and how its exit code tells the outcome.</summary>
public sealed class BulkKillTests : IAsyncLifetime
{
    // The servers answer with the system's time; the tasks' clock starts ten minutes behind it, so a task started
    // now by the system's clock is ten minutes old, and one started after Advance(10 min) is new.
    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow() - TimeSpan.FromMinutes(10));
    private readonly List<ProcessList> _lists = [];
    private readonly List<ProcessListServer> _servers = [];

    private string Endpoints => string.Join(',', _servers.Select(s => $"127.0.0.1:{s.Address.Port}"));

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            var list = new ProcessList(new ProcessListOptions { TimeProvider = _clock });
            _lists.Add(list);
            _servers.Add(await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, TestContext.Current.CancellationToken));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        foreach (var list in _lists)
        {
            list.Dispose();
        }
    }

    private string Name(int server) => $"127.0.0.1:{_servers[server].Address.Port}";

    [Fact]
    public async Task Kill_DryRun_ListsTheMatchesOfEveryEndpointWithTheirCountAndKillsNothing()
    {
        using var a = _lists[0].Start("export-1", [new("user", "ann")]);
        using var c = _lists[0].Start("export-3", [new("user", "cid")]);
        using var b = _lists[1].Start("export-2", [new("user", "bob")]);
        using var other = _lists[1].Start("checkout-9");

        var (code, stdout, _) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--dry-run"]);

        Assert.Equal(0, code);
        Assert.Contains("export-1", stdout, StringComparison.Ordinal);
        Assert.Contains("export-2", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("checkout-9", stdout, StringComparison.Ordinal);
        Assert.Contains($"would kill 3 tasks on 2 endpoints ({Name(0)}: 2, {Name(1)}: 1); nothing killed", stdout, StringComparison.Ordinal);
        Assert.False(a.IsKillRequested || b.IsKillRequested || c.IsKillRequested || other.IsKillRequested);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public async Task Kill_EmptyOrBlankFilter_RefusedWithUsageCodeAndKillsNothing(string filter)
    {
        // pm kill --filter "$X" --yes, X unset: the filter must not match everything.
        using var a = _lists[0].Start("export-1");
        using var b = _lists[1].Start("export-2");

        var (code, stdout, stderr) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--filter", filter, "--yes"]);

        Assert.Equal(1, code);
        Assert.Equal("pm: --filter is empty, which would match every task; give the text to match, or --all to kill every task.", stderr.TrimEnd());
        Assert.Empty(stdout);
        Assert.False(a.IsKillRequested || b.IsKillRequested);
    }

    [Fact]
    public async Task Kill_FilterSelectingEveryTaskListed_RefusedWithoutAll()
    {
        using var a = _lists[0].Start("export-1");
        using var b = _lists[1].Start("export-2");

        var (code, _, stderr) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--yes"]);
        var older = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--older-than", "0s", "--yes"]);

        Assert.Equal(1, code);
        Assert.Contains("the selection takes every task listed (2 tasks on 2 endpoints); pass --all", stderr, StringComparison.Ordinal);
        Assert.Equal(1, older.ExitCode);
        Assert.Contains("pass --all", older.Stderr, StringComparison.Ordinal);
        Assert.False(a.IsKillRequested || b.IsKillRequested);
    }

    [Fact]
    public async Task Kill_All_KillsEveryTask_WithOrWithoutAFilter()
    {
        using var a = _lists[0].Start("export-1");
        using var b = _lists[1].Start("export-2");
        using var c = _lists[1].Start("checkout-9");

        var filtered = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--all", "--yes"]);
        Assert.Equal(0, filtered.ExitCode);
        Assert.True(a.IsKillRequested && b.IsKillRequested);
        Assert.False(c.IsKillRequested);

        var (code, stdout, _) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--all", "--yes"]);

        Assert.Equal(0, code);
        Assert.True(c.IsKillRequested);
        Assert.Contains("killed 3 of 3 tasks", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_HostileIdsAndErrors_ListingAndResultsEscaped()
    {
        using var task = _lists[0].Start("export-" + FormatTests.HostileId, [new("note", FormatTests.Hostile)]);
        task.Status(FormatTests.Hostile);
        using var locked = _lists[1].Start("export-locked-" + FormatTests.HostileId, options: new TaskOptions { ForbidKill = true });
        using var other = _lists[1].Start("checkout-9");

        var dry = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--dry-run"]);
        var (code, stdout, stderr) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--yes", "-m", FormatTests.HostileId]);

        Assert.Equal(0, dry.ExitCode);
        Assert.False(FormatTests.HasRawControl(dry.Stdout), dry.Stdout);
        Assert.Contains(@"export-id\e[2J\u0007", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal(6, code);
        Assert.False(FormatTests.HasRawControl(stdout + stderr), stdout + stderr);
        Assert.Contains("  export-" + FormatTests.HostileIdShown + ": kill requested", stdout, StringComparison.Ordinal);
        Assert.Contains("  export-locked-" + FormatTests.HostileIdShown + ": refused", stdout, StringComparison.Ordinal);
        Assert.True(_lists[0].TryGetHistory("export-" + FormatTests.HostileId, out var history));
        Assert.Equal("[cancel request: " + FormatTests.HostileId + "]", history.Entries[^1].Status);
    }

    [Fact]
    public async Task Kill_AttributeFilterAndOlderThan_KillOnlyWhatMatchesBoth()
    {
        using var old = _lists[0].Start("old-export", [new("user", "ann")]);
        using var oldBob = _lists[1].Start("old-bob", [new("user", "bob")]);
        _clock.Advance(TimeSpan.FromMinutes(10));
        using var young = _lists[1].Start("young-export", [new("user", "ann")]);

        var (code, stdout, _) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "user=ANN", "--older-than", "5m", "--yes", "-m", "runaway"]);

        Assert.Equal(0, code);
        Assert.True(old.IsKillRequested);
        Assert.False(oldBob.IsKillRequested);
        Assert.False(young.IsKillRequested);
        Assert.True(_lists[0].TryGetHistory("old-export", out var history));
        Assert.Equal("[cancel request: runaway]", history.Entries[^1].Status);
        Assert.Contains($"127.0.0.1:{_servers[0].Address.Port}: killed 1 of 1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_StdinNotATerminalWithoutYes_RefusesAndKillsNothing()
    {
        using var task = _lists[0].Start("export-1");

        var (code, _, stderr) = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export"]);

        Assert.Equal(1, code);
        Assert.Contains("--yes", stderr, StringComparison.Ordinal);
        Assert.False(task.IsKillRequested);
    }

    [Fact]
    public async Task Kill_OneEndpointDown_KillsTheRestAndExits6()
    {
        using var task = _lists[0].Start("export-1");
        var down = PmCommandTests.ClosedEndpoint();

        var (code, stdout, stderr) = await PmProcess.RunAsync(["kill", "-e", $"{Endpoints},{down}", "--filter", "export", "--yes"]);

        Assert.Equal(6, code);
        Assert.True(task.IsKillRequested);
        Assert.Contains($"{down}: cannot list its tasks", stderr, StringComparison.Ordinal);
        Assert.Contains($"{down}: not listed", stdout, StringComparison.Ordinal);
        Assert.Contains("killed 1 of 1 task; 1 endpoint could not be listed", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_SomeRefused_Exits6_AllRefused_Exits1_NoneMatch_Exits2()
    {
        using var locked = _lists[0].Start("export-locked", options: new TaskOptions { ForbidKill = true });
        using var open = _lists[1].Start("export-open");
        using var other = _lists[1].Start("checkout-9");

        var partial = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "export", "--yes"]);
        var none = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "locked", "--yes"]);
        var nothing = await PmProcess.RunAsync(["kill", "-e", Endpoints, "--filter", "no-such-task", "--yes"]);

        Assert.Equal(6, partial.ExitCode);
        Assert.Contains("export-locked: refused", partial.Stdout, StringComparison.Ordinal);
        Assert.True(open.IsKillRequested);
        Assert.False(locked.IsKillRequested);
        Assert.Equal(1, none.ExitCode);
        Assert.Equal(2, nothing.ExitCode);
        Assert.Contains("no running task matches on 2 endpoints", nothing.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("is not a duration", "kill", "--older-than", "soon")]
    [InlineData("not both", "kill", "127.0.0.1:1", "id-1", "--filter", "x")]
    [InlineData("needs ENDPOINT ID", "kill")]
    [InlineData("needs ENDPOINT ID", "kill", "127.0.0.1:1")]
    [InlineData("not both", "kill", "127.0.0.1:1", "id-1", "--all")]
    public async Task Kill_BadArguments_Exit1WithMessage(string message, params string[] args)
    {
        var (code, _, stderr) = await PmProcess.RunAsync([.. args, "-e", Endpoints]);

        Assert.Equal(1, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_ConfirmedOnTheTerminal_NoKeepsAndYesKills()
    {
        var tmuxPath = Requires.Tool("tmux", "tmux");
        using var task = _lists[0].Start("export-1");
        await using var tmux = await Tmux.StartAsync(tmuxPath);
        var command = $"dotnet {PmProcess.DllPath} kill -e {Endpoints} --filter export -m 'asked twice'; echo PM-EXIT=$?";

        await tmux.SendAsync(command, "Enter");
        await tmux.WaitForAsync(screen => screen.Contains($"Kill 1 task on 1 endpoint? ({Name(0)}: 1) [y/N]", StringComparison.Ordinal));
        await tmux.SendAsync("n", "Enter");
        var declined = await tmux.WaitForAsync(screen => Tmux.ExitLine().IsMatch(screen));
        Assert.Equal("1", Tmux.ExitLine().Match(declined).Groups["code"].Value);
        Assert.Contains("nothing killed", declined, StringComparison.Ordinal);
        Assert.False(task.IsKillRequested);

        await tmux.SendAsync("clear", "Enter");
        await tmux.WaitForAsync(screen => !Tmux.ExitLine().IsMatch(screen));
        await tmux.SendAsync(command, "Enter");
        await tmux.WaitForAsync(screen => screen.Contains("[y/N]", StringComparison.Ordinal));
        await tmux.SendAsync("y", "Enter");
        var confirmed = await tmux.WaitForAsync(screen => Tmux.ExitLine().IsMatch(screen));
        Assert.Equal("0", Tmux.ExitLine().Match(confirmed).Groups["code"].Value);
        Assert.True(task.IsKillRequested);
    }
}
