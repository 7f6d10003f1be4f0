using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pm.Tests.Browser;

namespace Pm.Cli.Tests.Web;

/// <summary>The dashboard in its fleet mode, served by <c>pm web</c>, in Debian's chromium driven by Playwright.</summary>
[Collection(nameof(FleetPageTests))]
public sealed class FleetPageTests : IAsyncLifetime
{
    private const float Patience = 10_000;
    private Chromium? _chromium;

    public async ValueTask InitializeAsync() => _chromium = await Chromium.LaunchAsync(Requires.Tool("chromium", "chromium"));

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }

    private IReadOnlyList<string> ConsoleErrors => _chromium!.ConsoleErrors;

    private static ILocator Row(IPage page, string host, string id) => page.Locator($"#running tr[data-host='{host}'][data-id='{id}']");

    private static ILocator Host(IPage page, string host) => page.Locator($"#hostTable tr[data-host='{host}']");

    private async Task<IPage> OpenAsync(FleetHarness fleet, BrowserNewPageOptions? options = null)
    {
        var page = await _chromium!.NewPageAsync(Patience, options);
        await page.GotoAsync(fleet.Web.Address.ToString());
        return page;
    }

    [Fact]
    public async Task Page_ShowsTheTasksOfEveryHostWithTheirHost_AGoServerPolled_AndFiltersByHost()
    {
        await using var go = await GoServer.StartAsync();
        go.Start("go-1", "S11");
        await using var fleet = await FleetHarness.StartAsync(2, [go.Name]);
        using var a = fleet.Lists[0].Start("job-1", [new("user", "ann")]);
        using var b = fleet.Lists[1].Start("job-1");
        var page = await OpenAsync(fleet);

        await Assertions.Expect(Row(page, fleet.Name(0), "job-1").Locator("td.host")).ToHaveTextAsync(fleet.Name(0));
        await Assertions.Expect(Row(page, fleet.Name(1), "job-1")).ToBeVisibleAsync();
        await Assertions.Expect(Row(page, go.Name, "go-1")).ToContainTextAsync("S11");
        await Assertions.Expect(Host(page, fleet.Name(0)).Locator("td.state")).ToHaveTextAsync("up");
        await Assertions.Expect(Host(page, fleet.Name(0))).ToContainTextAsync("stream");
        await Assertions.Expect(Host(page, go.Name)).ToContainTextAsync("polling");
        await Assertions.Expect(page.Locator("#conn")).ToHaveTextAsync("3/3 up");
        await Assertions.Expect(page.Locator("#running thead th").First).ToHaveTextAsync("host");

        // Live: a status set on one host shows on its row.
        a.Status("exporting");
        await Assertions.Expect(Row(page, fleet.Name(0), "job-1").Locator("td.status")).ToHaveTextAsync("exporting");

        await page.Locator("#hostFilter").SelectOptionAsync(fleet.Name(1));
        await Assertions.Expect(page.Locator("#running tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, fleet.Name(1), "job-1")).ToBeVisibleAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task Kill_FromThePage_ReachesTheOwningHostOnly_AndShowsItsHistory()
    {
        await using var go = await GoServer.StartAsync();
        go.Start("job-1", "S11");
        await using var fleet = await FleetHarness.StartAsync(2, [go.Name]);
        using var a = fleet.Lists[0].Start("job-1");
        using var b = fleet.Lists[1].Start("job-1");
        b.Status("the one to kill");
        var page = await OpenAsync(fleet);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync("from the fleet page");

        await Row(page, fleet.Name(1), "job-1").ClickAsync();
        await Assertions.Expect(page.Locator("#detail h2").First).ToHaveTextAsync($"job-1 on {fleet.Name(1)}");
        await Assertions.Expect(page.Locator("#detail .bars")).ToContainTextAsync("the one to kill");
        await page.Locator("#kill").ClickAsync();

        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("Asked the server to kill");
        Assert.True(b.IsKillRequested);
        Assert.False(a.IsKillRequested);
        Assert.False(go.IsCancelling("job-1"));
        await Assertions.Expect(Row(page, fleet.Name(1), "job-1")).ToHaveClassAsync(new Regex(@"\bcancelling\b"));
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync("[cancel request: from the fleet page]");

        // The Go server's task of the same id is killed on the Go server alone.
        await Row(page, go.Name, "job-1").ClickAsync();
        await Assertions.Expect(page.Locator("#detail h2").First).ToHaveTextAsync($"job-1 on {go.Name}");
        await page.Locator("#kill").ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync($"job-1 on {go.Name}");
        Assert.True(go.IsCancelling("job-1"));
        Assert.False(a.IsKillRequested);
        Assert.Equal("""{"message":"from the fleet page"}""", Assert.Single(go.Kills).Body);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task HostGoingDown_ShowsDownAndItsTasksStale_WhileTheOthersKeepUpdating()
    {
        await using var fleet = await FleetHarness.StartAsync(2);
        using var a = fleet.Lists[0].Start("keeps-going");
        using var b = fleet.Lists[1].Start("on-the-doomed-host");
        var page = await OpenAsync(fleet);
        await Assertions.Expect(Row(page, fleet.Name(1), "on-the-doomed-host")).ToBeVisibleAsync();

        await fleet.StopServerAsync(1);

        await Assertions.Expect(Host(page, fleet.Name(1)).Locator("td.state")).ToHaveTextAsync("down");
        await Assertions.Expect(Host(page, fleet.Name(1))).ToContainTextAsync("could not be reached");
        await Assertions.Expect(Row(page, fleet.Name(1), "on-the-doomed-host")).ToHaveClassAsync(new Regex(@"\bstale\b"));
        await Assertions.Expect(page.Locator("#conn")).ToHaveTextAsync("1/2 up");
        a.Status("still updating");
        await Assertions.Expect(Row(page, fleet.Name(0), "keeps-going").Locator("td.status")).ToHaveTextAsync("still updating");
        await Assertions.Expect(Host(page, fleet.Name(0)).Locator("td.seen")).ToHaveTextAsync("now");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task FinishedTasks_OfEveryHost_AreMergedWithTheirHost()
    {
        await using var fleet = await FleetHarness.StartAsync(2);
        var page = await OpenAsync(fleet);
        await Assertions.Expect(page.Locator("#conn")).ToHaveTextAsync("2/2 up");

        using (var first = fleet.Lists[0].Start("done-here"))
        {
            await Assertions.Expect(Row(page, fleet.Name(0), "done-here")).ToBeVisibleAsync();
        }

        using (var second = fleet.Lists[1].Start("done-there"))
        {
            await Assertions.Expect(Row(page, fleet.Name(1), "done-there")).ToBeVisibleAsync();
        }

        var finished = page.Locator("#finished tbody");
        await Assertions.Expect(finished.Locator($"tr[data-host='{fleet.Name(0)}'][data-id='done-here']")).ToContainTextAsync("ended");
        await Assertions.Expect(finished.Locator($"tr[data-host='{fleet.Name(1)}'][data-id='done-there'] td.host")).ToHaveTextAsync(fleet.Name(1));
        await Assertions.Expect(page.Locator("#finished thead th").First).ToHaveTextAsync("host");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task PageToken_TheBrowserPresentsItAsTheBasicPassword()
    {
        await using var fleet = await FleetHarness.StartAsync(1, options: FleetHarness.FastOptions with { PageToken = "page-secret" });
        using var task = fleet.Lists[0].Start("behind-a-token");

        var page = await OpenAsync(fleet, new BrowserNewPageOptions { HttpCredentials = new HttpCredentials { Username = "ops", Password = "page-secret" } });

        await Assertions.Expect(Row(page, fleet.Name(0), "behind-a-token")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#token")).ToBeHiddenAsync();
    }
}

/// <summary>The fleet page tests' collection: they run alone, so the browser's timing is not shared with other tests.</summary>
[CollectionDefinition(nameof(FleetPageTests), DisableParallelization = true)]
public sealed class FleetPageRunsAlone;
