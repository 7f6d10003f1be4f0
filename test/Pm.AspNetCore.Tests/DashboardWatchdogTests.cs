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
}
