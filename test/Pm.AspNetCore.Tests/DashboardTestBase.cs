using Microsoft.Playwright;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's chromium driven by Playwright, against a real server on loopback; the
/// dashboard tests run alone, since some measure the page's responsiveness.
/// </summary>
public abstract class DashboardTestBase : IAsyncLifetime
{
    protected const float Patience = 10_000;
    private readonly List<string> _consoleErrors = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async ValueTask InitializeAsync()
    {
        var chromium = Requires.Tool("chromium", "chromium");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    private protected async Task<IPage> OpenAsync(TestApp app, Action<IPage>? beforeLoading = null, string? initScript = null)
    {
        var page = await _browser!.NewPageAsync();
        beforeLoading?.Invoke(page);
        if (initScript is not null)
        {
            await page.AddInitScriptAsync(initScript);
        }

        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        page.SetDefaultTimeout(Patience);
        await page.GotoAsync(new Uri(app.Address, "procs/?view=ui").ToString());
        return page;
    }

    protected static ILocator Row(IPage page, string id) => page.Locator($"#running tr[data-id='{id}']");
}

/// <summary>The dashboard tests' collection: they run alone.</summary>
[CollectionDefinition(nameof(DashboardTests), DisableParallelization = true)]
public sealed class DashboardRunsAlone;
