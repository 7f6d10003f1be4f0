using Microsoft.Playwright;

namespace Pm.Tests.Browser;

/// <summary>Debian's chromium driven by Playwright, headless; pages it opens record their console errors.</summary>
internal sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _consoleErrors = [];

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>Gets the errors every page logged to its console or threw.</summary>
    public IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    /// <summary>Starts the browser at <paramref name="executable"/>.</summary>
    public static async Task<Chromium> LaunchAsync(string executable)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens a page that records its console errors and waits <paramref name="patience"/> milliseconds for what it is asked.</summary>
    public async Task<IPage> NewPageAsync(float patience, BrowserNewPageOptions? options = null)
    {
        var page = await _browser.NewPageAsync(options);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                _consoleErrors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => _consoleErrors.Add(error);
        page.SetDefaultTimeout(patience);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
