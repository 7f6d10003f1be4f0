using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pm.Cli.Tests;

/// <summary>One tmux server of its own, with one shell in a fixed-size window.</summary>
internal sealed partial class Tmux : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly string _socket = "pm-test-" + Guid.NewGuid().ToString("N");

    private Tmux(string path) => _path = path;

    public static async Task<Tmux> StartAsync(string path)
    {
        var tmux = new Tmux(path);
        await tmux.RunAsync("new-session", "-d", "-s", "pm", "-x", "160", "-y", "40", "bash --norc --noprofile");
        return tmux;
    }

    public Task<string> SendAsync(params string[] keys) => RunAsync(["send-keys", "-t", "pm", .. keys]);

    public Task<string> ResizeAsync(int width, int height) =>
        RunAsync("resize-window", "-t", "pm", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture));

    public async Task<string> WaitForAsync(Func<string, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        var screen = string.Empty;
        while (clock.Elapsed < Patience)
        {
            screen = await RunAsync("capture-pane", "-p", "-t", "pm");
            if (condition(screen))
            {
                return screen;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail("The screen never showed what was expected. It shows:\n" + screen);
        return screen;
    }

    /// <summary>Matches the line <c>echo PM-EXIT=$?</c> printed after a command, with its exit code in the group <c>code</c>.</summary>
    [GeneratedRegex(@"^PM-EXIT=(?<code>\d+)\s*$", RegexOptions.Multiline)]
    public static partial Regex ExitLine();

    public async ValueTask DisposeAsync() => await RunAsync("kill-server");

    private async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(_path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return output;
    }
}
