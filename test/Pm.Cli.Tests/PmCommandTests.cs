using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Pm.AspNetCore;

namespace Pm.Cli.Tests;

public sealed class PmCommandTests : IAsyncLifetime
{
    private readonly ProcessList _list = new();
    private ProcessListServer _server = null!;

    private string Endpoint => $"127.0.0.1:{_server.Address.Port}";

    public async ValueTask InitializeAsync() =>
        _server = await ProcessListServer.StartAsync(_list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _list.Dispose();
    }

    /// <summary>A loopback endpoint where nothing listens.</summary>
    internal static string ClosedEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    [Fact]
    public async Task Ls_ListsTasksWithAttributeColumns()
    {
        using var task = _list.Start("job-7", [new("method", "GET"), new("rows", 1200)]);
        task.Status("exporting");

        var (code, stdout, stderr) = await PmProcess.RunAsync(["ls", "--endpoints", Endpoint]);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Contains("job-7", stdout, StringComparison.Ordinal);
        Assert.Contains("exporting", stdout, StringComparison.Ordinal);
        Assert.Contains("method", stdout, StringComparison.Ordinal);
        Assert.Contains("1200", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_HostileIdStatusAndAttributes_ShownEscapedNeverRaw()
    {
        using var task = _list.Start("id-" + FormatTests.Hostile, [new("attr-" + FormatTests.Hostile, "value-" + FormatTests.Hostile)]);
        task.Status("status-" + FormatTests.Hostile);

        var (code, stdout, stderr) = await PmProcess.RunAsync(["ls", "--endpoints", Endpoint]);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.False(FormatTests.HasRawControl(stdout), stdout);
        // Cells are cut to their column: the start of each escaped form is shown.
        Assert.Contains(@"id-a\e[2Jb\u0007c", stdout, StringComparison.Ordinal);
        Assert.Contains(@"status-a\e[2Jb\u0007c", stdout, StringComparison.Ordinal);
        Assert.Contains(@"attr-a\e[2Jb\u0007c", stdout, StringComparison.Ordinal);
        Assert.Contains(@"value-a\e[2Jb\u0007c", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_JsonWithHostileText_EscapedByTheSerializer()
    {
        using var task = _list.Start(FormatTests.Hostile, [new(FormatTests.Hostile, FormatTests.Hostile)]);
        task.Status(FormatTests.Hostile);

        var (code, stdout, _) = await PmProcess.RunAsync(["ls", "--json", "--endpoints", Endpoint]);

        Assert.Equal(0, code);
        Assert.False(FormatTests.HasRawControl(stdout), stdout);
        Assert.Contains(@"\u001B[2J", stdout, StringComparison.Ordinal);
        var proc = JsonDocument.Parse(stdout).RootElement[0].GetProperty("procs")[0];
        Assert.Equal(FormatTests.Hostile, proc.GetProperty("id").GetString());
        Assert.Equal(FormatTests.Hostile, proc.GetProperty("status").GetString());
    }

    [Fact]
    public async Task History_HostileStatusAndKillMessage_ShownEscapedNeverRaw()
    {
        using var task = _list.Start(FormatTests.HostileId);
        task.Status("status-" + FormatTests.Hostile);
        _list.Kill(FormatTests.HostileId, "message-" + FormatTests.Hostile);

        var (code, stdout, stderr) = await PmProcess.RunAsync(["history", Endpoint, FormatTests.HostileId]);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.False(FormatTests.HasRawControl(stdout), stdout);
        Assert.Contains(FormatTests.HostileIdShown, stdout, StringComparison.Ordinal);
        Assert.Contains("status-" + FormatTests.HostileShown, stdout, StringComparison.Ordinal);
        Assert.Contains("[cancel request: message-" + FormatTests.HostileShown + "]", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ls", "-e")]
    [InlineData("top", "-e")]
    [InlineData("web", "-e")]
    [InlineData("kill", "--all", "-e")]
    [InlineData("history")]
    [InlineData("kill")]
    public async Task Command_HostileEndpointText_ErrorLineEscaped(params string[] args)
    {
        // An endpoint list may come from a file or a variable someone else wrote.
        var (code, _, stderr) = await PmProcess.RunAsync([.. args, "bad" + FormatTests.Hostile + ":80", .. args[0] is "history" or "kill" && args.Length == 1 ? ["id-1"] : Array.Empty<string>()]);

        Assert.NotEqual(0, code);
        Assert.False(FormatTests.HasRawControl(stderr), stderr);
        Assert.Contains(@"a\e[2Jb\u0007c", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Ls_Json_IsParsableAndReportsDownEndpoints()
    {
        using var task = _list.Start("job-8");
        var down = ClosedEndpoint();

        var (code, stdout, _) = await PmProcess.RunAsync(["ls", "--json", "-e", $"{Endpoint},{down}"]);

        Assert.Equal(1, code);
        var items = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal("job-8", items[0].GetProperty("procs")[0].GetProperty("id").GetString());
        Assert.Equal(down, items[1].GetProperty("endpoint").GetString());
        Assert.Contains("could not be reached", items[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_ServerDown_SaysNoEndpointAnsweredNeverNoRunningTasks()
    {
        var down = ClosedEndpoint();

        var (code, stdout, stderr) = await PmProcess.RunAsync(["ls", "-e", down]);
        var (someCode, someOut, _) = await PmProcess.RunAsync(["ls", "-e", $"{Endpoint},{down}"]);

        Assert.Equal(1, code);
        Assert.Contains("could not be reached", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no running tasks", stdout, StringComparison.Ordinal);
        Assert.Contains("no endpoint answered (1 endpoint asked)", stdout, StringComparison.Ordinal);
        Assert.Equal(1, someCode);
        Assert.Contains("no running tasks on the 1 endpoint that answered; 1 endpoint did not", someOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_EndpointsFromEnvironment_AndNoneAtAll()
    {
        using var task = _list.Start("from-env");

        var (code, stdout, _) = await PmProcess.RunAsync(["ls"], new Dictionary<string, string?> { ["PM_ENDPOINTS"] = Endpoint });
        var (noneCode, _, noneError) = await PmProcess.RunAsync(["ls"]);

        Assert.Equal(0, code);
        Assert.Contains("from-env", stdout, StringComparison.Ordinal);
        Assert.Equal(5, noneCode);
        Assert.Contains("PM_ENDPOINTS", noneError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_ShowsTimelineTimePerStatusAndTotal()
    {
        using var task = _list.Start("job-9");
        task.Status("reading");
        task.Status("writing");

        var (code, stdout, _) = await PmProcess.RunAsync(["history", Endpoint, "job-9"]);

        Assert.Equal(0, code);
        Assert.Contains("total", stdout, StringComparison.Ordinal);
        Assert.Contains("share", stdout, StringComparison.Ordinal);
        var reading = stdout.IndexOf("reading", StringComparison.Ordinal);
        Assert.True(reading >= 0 && stdout.IndexOf("writing", reading, StringComparison.Ordinal) > reading);
    }

    [Fact]
    public async Task History_TaskWithCalls_ShowsKindsAndRollsUpPerKindAndDependency()
    {
        using var task = _list.Start("order-5");
        task.Status("pricing");
        var stock = task.BeginCall(CallKinds.Http, "HTTP GET inventory:5081/items/7", target: "inventory:5081");
        var query = task.BeginCall(CallKinds.Sql, "SQL SELECT price FROM items", target: "shop");
        stock.End("200");
        query.End("2 rows");
        task.Status("charging");

        var (code, stdout, stderr) = await PmProcess.RunAsync(["history", Endpoint, "order-5"]);

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        foreach (var text in new[] { "HTTP GET inventory:5081/items/7 → 200", "SQL SELECT price FROM items → 2 rows", "time per kind", "time per dependency", "more than the total" })
        {
            Assert.Contains(text, stdout, StringComparison.Ordinal);
        }

        var rows = stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        Assert.Contains(rows, r => r is ["http", "inventory:5081", "1", _, _]);
        Assert.Contains(rows, r => r is ["sql", "shop", "1", _, _]);
        Assert.Contains(rows, r => r is ["http", "1", _, _, "%", _]);
        Assert.Contains(rows, r => r is [_, _, "charging", _, "(so", "far)"]);
    }

    [Fact]
    public async Task History_UnknownTask_Exits2()
    {
        var (code, _, stderr) = await PmProcess.RunAsync(["history", Endpoint, "nope"]);
        Assert.Equal(2, code);
        Assert.Contains("nope", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_ExitCodesTellOutcomesApart()
    {
        using var victim = _list.Start("victim");
        using var locked = _list.Start("locked", options: new TaskOptions { ForbidKill = true });

        var killed = await PmProcess.RunAsync(["kill", Endpoint, "victim", "-m", "too slow"]);
        var missing = await PmProcess.RunAsync(["kill", Endpoint, "nope"]);
        var forbidden = await PmProcess.RunAsync(["kill", Endpoint, "locked"]);
        var down = await PmProcess.RunAsync(["kill", ClosedEndpoint(), "victim"]);

        Assert.Equal(0, killed.ExitCode);
        Assert.True(_list.TryGetHistory("victim", out var history));
        Assert.Equal("[cancel request: too slow]", history.Entries[^1].Status);
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal(3, forbidden.ExitCode);
        Assert.False(locked.IsKillRequested);
        Assert.Equal(1, down.ExitCode);
        foreach (var failure in new[] { missing, forbidden, down })
        {
            Assert.Single(failure.Stderr.Trim().Split('\n'));
        }
    }

    [Fact]
    public async Task Kill_Unauthorized_Exits4_AndTokenOptionWorks()
    {
        using var list = new ProcessList();
        using var task = list.Start("guarded");
        var options = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        options.AccessToken = "s3cret";
        await using var server = await ProcessListServer.StartAsync(list, options, TestContext.Current.CancellationToken);
        var endpoint = $"127.0.0.1:{server.Address.Port}";

        var refused = await PmProcess.RunAsync(["kill", endpoint, "guarded"]);
        var allowed = await PmProcess.RunAsync(["kill", endpoint, "guarded", "--token", "s3cret"]);

        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("401", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, allowed.ExitCode);
        Assert.True(task.IsKillRequested);
    }

    [Theory]
    [InlineData("top")]
    [InlineData("ls")]
    [InlineData("history")]
    [InlineData("kill")]
    public async Task Help_EveryCommand_SaysWhatItDoesWithAnExample(string command)
    {
        var (code, stdout, _) = await PmProcess.RunAsync([command, "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Example", stdout, StringComparison.Ordinal);
        Assert.Contains("pm " + command, stdout, StringComparison.Ordinal);
    }
}
