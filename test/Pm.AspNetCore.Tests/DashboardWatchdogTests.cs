using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Pm.AspNetCore.Tests;

/// <summary>What the dashboard shows of slow and hung tasks, progress and deadlines.</summary>
[Collection(nameof(DashboardTests))]
public sealed class DashboardWatchdogTests : DashboardTestBase
{
    [Fact]
    public async Task Progress_IsABarWithTheTimeLeft_SlowTasksAreFlagged_AndTheFilterFindsThem()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var import = app.List.Start("import-3", options: new TaskOptions { SlowAfter = null, Deadline = TimeSpan.FromHours(1) });
        import.ReportProgress(250, 1000, "rows");
        using var stuck = app.List.Start("stuck-4", options: new TaskOptions { SlowAfter = TimeSpan.FromMilliseconds(50) });
        stuck.Status("waiting on the lock");
        var page = await OpenAsync(app);

        var progress = Row(page, "import-3").Locator("td.progress");
        await Assertions.Expect(progress).ToHaveTextAsync(new Regex("^25%"), new() { Timeout = Patience });
        Assert.Equal("25.0%", await progress.EvaluateAsync<string>("td => td.style.getPropertyValue('--done')"));
        await Assertions.Expect(page.Locator("#running thead")).ToContainTextAsync("progress");

        // The watchdog flags the stuck task within its interval; the live stream brings the flag.
        await Assertions.Expect(Row(page, "stuck-4")).ToHaveClassAsync(new Regex(@"\balert-slow\b"), new() { Timeout = Patience });
        Assert.Equal("\"slow\"", await Row(page, "stuck-4").Locator("td.status").EvaluateAsync<string>("td => getComputedStyle(td, '::before').content"));
        await Assertions.Expect(Row(page, "import-3")).Not.ToHaveClassAsync(new Regex(@"\balert-slow\b"));

        await page.Locator("#filter").FillAsync("slow");
        await Assertions.Expect(Row(page, "import-3")).ToHaveCountAsync(0);
        await Assertions.Expect(Row(page, "stuck-4")).ToBeVisibleAsync();
        await page.Locator("#filter").FillAsync("");

        await Row(page, "import-3").ClickAsync();
        var detail = page.Locator("#detail");
        await Assertions.Expect(detail).ToContainTextAsync("progress");
        await Assertions.Expect(detail).ToContainTextAsync("(250 of 1,000 rows)");
        await Assertions.Expect(detail).ToContainTextAsync("deadline");
        await Assertions.Expect(detail).ToContainTextAsync("progress 250 of 1,000 rows (25%)");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task LiveStream_AlertAndProgressAloneAfterLoading_UpdateTheRowsInPlace()
    {
        // Both change after the page has its snapshot, so the stream brings them as compact updates.
        await using var app = await TestApp.StartWithProcsAsync();
        using var import = app.List.Start("import-5", [new("payload", new string('x', 1000))], new TaskOptions { SlowAfter = null });
        var page = await OpenAsync(app);
        await Assertions.Expect(Row(page, "import-5")).ToBeVisibleAsync(new() { Timeout = Patience });

        // Started once the page follows the stream: listed within a frame, flagged slow a second or two later.
        using var stuck = app.List.Start("stuck-6", options: new TaskOptions { SlowAfter = TimeSpan.FromSeconds(1) });
        await Assertions.Expect(Row(page, "stuck-6")).ToBeVisibleAsync(new() { Timeout = Patience });

        import.ReportProgress(250, 1000, "rows");
        var progress = Row(page, "import-5").Locator("td.progress");
        await Assertions.Expect(progress).ToHaveTextAsync(new Regex("^25%"), new() { Timeout = Patience });
        // Within the second, only the report that completes the work is published at once.
        import.ReportProgress(1000, 1000, "rows");
        await Assertions.Expect(progress).ToHaveTextAsync(new Regex("^100%"), new() { Timeout = Patience });

        await Assertions.Expect(Row(page, "stuck-6")).ToHaveClassAsync(new Regex(@"\balert-slow\b"), new() { Timeout = Patience });
        await Assertions.Expect(Row(page, "import-5")).Not.ToHaveClassAsync(new Regex(@"\balert-slow\b"));
        Assert.Empty(ConsoleErrors);
    }
}
