using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Pm.AspNetCore.Tests;

/// <summary>What a user sees and does on the dashboard.</summary>
[Collection(nameof(DashboardTests))]
public sealed class DashboardTests : DashboardTestBase
{

    [Fact]
    public async Task Page_ShowsNewTasksAndStatusChangesLive_WithoutConsoleErrors()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var page = await OpenAsync(app);
        await Assertions.Expect(page.Locator("#conn")).ToHaveTextAsync("live");

        using var task = app.List.Start("job-1", [new("kind", "export")]);

        await Assertions.Expect(Row(page, "job-1")).ToBeVisibleAsync(new() { Timeout = 2000 });
        await Assertions.Expect(Row(page, "job-1")).ToContainTextAsync("export");
        task.Status("writing rows");
        await Assertions.Expect(Row(page, "job-1").Locator("td.status")).ToHaveTextAsync("writing rows", new() { Timeout = 2000 });
        await Assertions.Expect(page).ToHaveTitleAsync("pm (1)");
        await Assertions.Expect(page.Locator("#title")).ToHaveTextAsync("pm — 1 task running");
        await Assertions.Expect(page.Locator("#rate")).ToHaveTextAsync(new Regex(@"^[0-9.]+ started/s, 0 finished/s$"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task Selecting_ATask_ShowsEveryStatusInItsTimeline()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("job-2");
        task.Status("reading");
        task.Status("transforming");
        task.Status("writing");
        var page = await OpenAsync(app);

        await Row(page, "job-2").ClickAsync();

        var bars = page.Locator("#detail .bars");
        foreach (var status in new[] { "init", "reading", "transforming", "writing" })
        {
            await Assertions.Expect(bars).ToContainTextAsync(status);
        }

        Assert.Equal(4, await bars.Locator(".bar").CountAsync());
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task Selecting_ATaskWithCalls_ShowsKindBadgesAndAPerKindSummary_StatusBarsUncut()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("order-5");
        task.Status("pricing");
        var stock = task.BeginCall(CallKinds.Http, "HTTP GET inventory:5081/items/7", target: "inventory:5081");
        var query = task.BeginCall(CallKinds.Sql, "SQL SELECT price FROM items", target: "shop");
        stock.End("200");
        query.End("2 rows");
        var page = await OpenAsync(app);

        await Row(page, "order-5").ClickAsync();

        var detail = page.Locator("#detail");
        await Assertions.Expect(detail.Locator(".callsummary")).ToHaveTextAsync(new Regex(@"^http 1 call [0-9.]+s · sql 1 call [0-9.]+s$"));
        var http = detail.Locator("li.call", new() { HasText = "HTTP GET inventory:5081/items/7 → 200" });
        var sql = detail.Locator("li.call", new() { HasText = "SQL SELECT price FROM items → 2 rows" });
        await Assertions.Expect(http.Locator(".kind-http")).ToHaveTextAsync("http");
        await Assertions.Expect(http.Locator(".target")).ToHaveTextAsync("inventory:5081");
        await Assertions.Expect(http.Locator(".took")).ToHaveTextAsync(new Regex(@"^[0-9.]+s$"));
        await Assertions.Expect(sql.Locator(".kind-sql")).ToHaveTextAsync("sql");
        await Assertions.Expect(sql.Locator(".target")).ToHaveTextAsync("shop");
        await Assertions.Expect(detail.Locator(".callbars")).ToContainTextAsync("inventory:5081");
        await Assertions.Expect(detail.Locator(".callbars .bar.call")).ToHaveCountAsync(2);

        // The ends of the calls are not statuses: the bars are init and pricing, which still runs.
        var bars = detail.Locator(".bars");
        await Assertions.Expect(bars.Locator(".bar")).ToHaveCountAsync(2);
        await Assertions.Expect(bars).ToContainTextAsync("init");
        await Assertions.Expect(bars).ToContainTextAsync("pricing");
        await Assertions.Expect(bars).Not.ToContainTextAsync("HTTP");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task Kill_FromThePage_RecordsTheMessageAndTheTaskFinishesKilled()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = app.List.RunAsync("job-3", async task =>
        {
            task.Status("waiting on the database");
            started.SetResult();
            await Task.Delay(Timeout.Infinite, task.CancellationToken);
        }, options: new TaskOptions { SuppressKillException = true });
        await started.Task;
        var page = await OpenAsync(app);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync("from the browser");

        await Row(page, "job-3").ClickAsync();
        await page.Locator("#kill").ClickAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.True(app.List.TryGetHistory("job-3", out var history));
        Assert.Contains("[cancel request: from the browser]", history.Entries.Select(e => e.Status));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        var finished = page.Locator("#finished tr[data-id='job-3']");
        await Assertions.Expect(finished).ToContainTextAsync("killed");
        await Assertions.Expect(Row(page, "job-3")).ToHaveCountAsync(0);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AbortNow_AfterAKill_SendsAnAbortRequest()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = app.List.RunAsync("job-4", async _ => await release.Task);
        var page = await OpenAsync(app);
        var answers = new Queue<string>(["please stop", "now"]);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(answers.Dequeue());

        await Row(page, "job-4").ClickAsync();
        await page.Locator("#kill").ClickAsync();
        await page.Locator("#abort").ClickAsync();
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync("[abort request: now]");

        Assert.True(app.List.TryGetHistory("job-4", out var history));
        Assert.Equal(["[cancel request: please stop]", "[abort request: now]"], history.Entries.Select(e => e.Status).Where(s => s.StartsWith('[')));
        release.SetResult();
        await run;
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ForbiddenTask_ExplainsWhyItCannotBeKilled()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("billing", options: new TaskOptions { ForbidKill = true });
        var page = await OpenAsync(app);

        await Row(page, "billing").ClickAsync();

        await Assertions.Expect(page.Locator("#kill")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync("ForbidKill");
    }

    [Fact]
    public async Task ReadOnlyServer_HidesTheKillButton()
    {
        await using var app = await TestApp.StartWithProcsAsync(o => o.ReadOnly = true);
        using var task = app.List.Start("job-4");
        task.Status("busy");
        var page = await OpenAsync(app);

        await Row(page, "job-4").ClickAsync();

        await Assertions.Expect(page.Locator("#detail .bars")).ToContainTextAsync("busy");
        await Assertions.Expect(page.Locator("#kill")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Token_IsAskedForOnce_AndKeptForTheTab()
    {
        await using var app = await TestApp.StartListenerAsync(o => o.AccessToken = "s3cret");
        using var task = app.List.Start("guarded");
        var asked = 0;
        var page = await OpenAsync(app, p => p.Dialog += async (_, dialog) =>
        {
            asked++;
            await dialog.AcceptAsync("s3cret");
        });

        await Assertions.Expect(Row(page, "guarded")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(Row(page, "guarded")).ToBeVisibleAsync();
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task WrongToken_IsRefusedWithAClearMessage_RightTokenOpensTheList()
    {
        await using var app = await TestApp.StartListenerAsync(o => o.AccessToken = "s3cret");
        using var task = app.List.Start("guarded");
        var answers = new Queue<string?>([null, "wrong", "s3cret"]);
        var page = await OpenAsync(app, p => p.Dialog += async (_, dialog) =>
        {
            if (answers.Dequeue() is { } answer)
            {
                await dialog.AcceptAsync(answer);
            }
            else
            {
                await dialog.DismissAsync();
            }
        });

        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("requires an access token");
        await page.Locator("#token").ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync("The access token was refused");
        await Assertions.Expect(Row(page, "guarded")).ToHaveCountAsync(0);

        await page.Locator("#token").ClickAsync();
        await Assertions.Expect(Row(page, "guarded")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Selection_SurvivesUpdates_RowStaysSelectedAndFocused()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var tasks = Enumerable.Range(0, 20).Select(i => app.List.Start($"job-{i:00}", [new("n", i)])).ToList();
        try
        {
            var page = await OpenAsync(app);
            await Row(page, "job-10").ClickAsync();
            await Assertions.Expect(page.Locator("#detail h2").First).ToHaveTextAsync("job-10");
            await Assertions.Expect(Row(page, "job-10")).ToBeFocusedAsync();

            for (var step = 0; step < 5; step++)
            {
                // Rows above the selected one go away and new ones arrive: the selected row moves.
                tasks[step].Dispose();
                tasks.Add(app.List.Start($"new-{step}"));
                tasks[15].Status($"other {step}");
                tasks[10].Status($"step {step}");
                await Assertions.Expect(Row(page, $"job-{step:00}")).ToHaveCountAsync(0);
                await Assertions.Expect(Row(page, "job-10").Locator("td.status")).ToHaveTextAsync($"step {step}");
                await Assertions.Expect(Row(page, "job-10")).ToHaveClassAsync(new Regex(@"\bselected\b"));
                await Assertions.Expect(Row(page, "job-10")).ToBeFocusedAsync();
            }

            await Assertions.Expect(page.Locator("#detail h2").First).ToHaveTextAsync("job-10");
            await Assertions.Expect(page.Locator("#detail .bars")).ToContainTextAsync("step 4");
            Assert.Equal(1, await page.Locator("#running tr.selected").CountAsync());

            await page.Keyboard.PressAsync("ArrowDown");
            await Assertions.Expect(Row(page, "job-11")).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(Row(page, "job-11")).ToHaveClassAsync(new Regex(@"\bselected\b"));
            await Assertions.Expect(page.Locator("#detail h2").First).ToHaveTextAsync("job-11");
            Assert.Empty(ConsoleErrors);
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task History_OfABusySelectedTask_IsFetchedAtMostOnceASecond_AndOnceMoreWhenItSettles()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("busy");
        var page = await OpenAsync(app);
        await Row(page, "busy").ClickAsync();
        await Assertions.Expect(page.Locator("#detail h2").First).ToHaveTextAsync("busy");
        var fetches = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith("/history", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref fetches);
            }
        };

        using var stop = new CancellationTokenSource();
        var changes = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                task.Status($"step {n}");
                await Task.Delay(20, CancellationToken.None);
            }
        }, TestContext.Current.CancellationToken);
        // The observation window is the measurement itself: 50 changes a second for three seconds.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        var counted = Volatile.Read(ref fetches);
        await stop.CancelAsync();
        await changes;
        task.Status("settled");

        Assert.InRange(counted, 1, 4);
        await Assertions.Expect(page.Locator("#detail .bars")).ToContainTextAsync("settled");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task StandaloneListener_ServesTheDashboardAtItsRoot()
    {
        using var list = new ProcessList();
        await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, TestContext.Current.CancellationToken);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Address };

        using var root = await http.GetAsync("/", TestContext.Current.CancellationToken);
        using var page = await http.GetAsync("procs/?view=ui", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/procs/?view=ui", root.Headers.Location?.OriginalString);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("connect-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        // Air-gapped: nothing is loaded from anywhere else.
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        // The script's parts are joined into the page: one request, nothing left to include.
        Assert.DoesNotContain("pm:include", html, StringComparison.Ordinal);
        Assert.Contains("function renderDetail(", html, StringComparison.Ordinal);
    }
}
