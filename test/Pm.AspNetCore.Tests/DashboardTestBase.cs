using Microsoft.Playwright;
using Pm.Tests.Browser;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's chromium driven by Playwright, against a real server on loopback; the
/// dashboard tests run alone, since some measure the page's responsiveness.
/// </summary>
public abstract class DashboardTestBase : IAsyncLifetime
{
    protected const float Patience = 10_000;
    private Chromium? _chromium;

    public async ValueTask InitializeAsync() => _chromium = await Chromium.LaunchAsync(Requires.Tool("chromium", "chromium"));

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected IReadOnlyList<string> ConsoleErrors => _chromium!.ConsoleErrors;

    private protected async Task<IPage> OpenAsync(TestApp app, Action<IPage>? beforeLoading = null, string? initScript = null)
    {
        var page = await _chromium!.NewPageAsync(Patience);
        beforeLoading?.Invoke(page);
        if (initScript is not null)
        {
            await page.AddInitScriptAsync(initScript);
        }

        await page.GotoAsync(new Uri(app.Address, "procs/?view=ui").ToString());
        return page;
    }

    protected static ILocator Row(IPage page, string id) => page.Locator($"#running tr[data-id='{id}']");
}

/// <summary>The dashboard tests' collection: they run alone.</summary>
[CollectionDefinition(nameof(DashboardTests), DisableParallelization = true)]
public sealed class DashboardRunsAlone;
