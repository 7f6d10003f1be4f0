using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Pm.Cli;

/// <summary>The full-screen, live view of <c>pm top</c>: every endpoint polled on its own, merged oldest first.</summary>
/// <remarks>
/// Each endpoint has its own polling loop, so one that is down or slow is reported in its status line while the
/// others keep updating. When the endpoints come from DNS or a file, they are resolved again every discovery interval
/// (and at once when an endpoints file changes): endpoints that joined or left are named in the footer; one that
/// stops answering stays, shown as down, until discovery drops it. Frames are drawn over the previous one in the
/// terminal's alternate screen, line by line, so nothing flickers and the terminal is restored on exit.
/// </remarks>
internal sealed class TopView(FleetMonitor monitor, Discovery discovery, TimeSpan discoveryInterval)
{
    private const string EnterAlternateScreen = "\x1b[?1049h\x1b[?25l";
    private const string LeaveAlternateScreen = "\x1b[?25h\x1b[?1049l";

    private int _sort;
    private string _filter = string.Empty;
    private (string Host, string Id)? _selected;
    private string _notice = string.Empty;
    private Prompt? _prompt;
    private IReadOnlyList<string>? _overlay;
    private readonly List<ProcRow> _rows = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            Terminal.Error("top needs a terminal; use 'pm ls' (or 'pm ls --json') in scripts.");
            return ExitCodes.Failure;
        }

        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var treatCtrlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        Console.Out.Write(EnterAlternateScreen);
        var discovering = DiscoverAsync(quit.Token);
        var frames = new FramePacer();
        try
        {
            while (!quit.IsCancellationRequested)
            {
                var pressed = false;
                while (Console.KeyAvailable)
                {
                    pressed = true;
                    if (!await HandleKeyAsync(Console.ReadKey(intercept: true), quit.Token))
                    {
                        await quit.CancelAsync();
                        break;
                    }
                }

                var version = monitor.Version;
                var now = Stopwatch.GetTimestamp();
                if (frames.IsDue(now, pressed, version))
                {
                    Draw();
                    frames.Drawn(now, Stopwatch.GetTimestamp(), version);
                }

                try
                {
                    await Task.Delay(50, quit.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            await quit.CancelAsync();
            await discovering;
            Console.Out.Write(LeaveAlternateScreen);
            Console.Out.Flush();
            Console.TreatControlCAsInput = treatCtrlC;
        }

        return ExitCodes.Ok;
    }

    /// <summary>Resolves the endpoints again every discovery interval, and at once when an endpoints file changes.</summary>
    private async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        if (!discovery.IsDynamic)
        {
            return;
        }

        var tick = discoveryInterval < TimeSpan.FromSeconds(1) ? discoveryInterval : TimeSpan.FromSeconds(1);
        var last = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, cancellationToken);
                if (Stopwatch.GetElapsedTime(last) < discoveryInterval && !discovery.HasFileChanged())
                {
                    continue;
                }

                last = Stopwatch.GetTimestamp();
                var (joined, left) = monitor.SetEndpoints(await discovery.ResolveAsync(cancellationToken));
                var news = joined.Select(e => "+" + e.Name).Concat(left.Select(e => "-" + e.Name)).ToList();
                if (news.Count > 0 || discovery.Problems.Count > 0)
                {
                    _notice = "discovery: " + string.Join(" ", news.Take(6)) + (news.Count > 6 ? $" and {news.Count - 6} more" : "")
                        + (discovery.Problems.Count > 0 ? (news.Count > 0 ? "; " : "") + string.Join("; ", discovery.Problems) : "");
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (DiscoveryException ex)
            {
                _notice = "discovery: " + ex.Message;
            }
        }
    }

    private async Task<bool> HandleKeyAsync(ConsoleKeyInfo key, CancellationToken cancellationToken)
    {
        if (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control))
        {
            return false;
        }

        if (_overlay is not null)
        {
            _overlay = null;
            return true;
        }

        if (_prompt is { } prompt)
        {
            if (prompt.Handle(key) is { } answer)
            {
                _prompt = null;
                if (answer.Submitted)
                {
                    await prompt.OnSubmit(answer.Text);
                }
            }

            return true;
        }

        switch (key.KeyChar == '/' ? ConsoleKey.Divide : key.Key)
        {
            case ConsoleKey.Q:
                return false;
            case ConsoleKey.UpArrow:
                Move(-1);
                break;
            case ConsoleKey.DownArrow:
                Move(1);
                break;
            case ConsoleKey.P:
                monitor.Paused = !monitor.Paused;
                _notice = monitor.Paused ? "paused" : "resumed";
                break;
            case ConsoleKey.S:
                _sort = (_sort + 1) % ProcRow.SortKeys.Length;
                _notice = "sorted by " + ProcRow.SortKeys[_sort];
                break;
            case ConsoleKey.D:
                _prompt = new Prompt("Refresh delay in seconds: ", text =>
                {
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0.05 and <= 3600)
                    {
                        monitor.Refresh = TimeSpan.FromSeconds(seconds);
                        _notice = "refreshing every " + PmCommand.Seconds(seconds) + " s";
                    }
                    else
                    {
                        _notice = "the delay must be a number of seconds from 0.05 to 3600";
                    }

                    return Task.CompletedTask;
                });
                break;
            case ConsoleKey.Oem2 or ConsoleKey.Divide:
                _prompt = new Prompt("Filter (text in id, host, status, attributes, slow, hung, or name=value; empty clears): ", text =>
                {
                    _filter = text.Trim();
                    _notice = _filter.Length == 0 ? "filter cleared" : "filtering on '" + _filter + "'";
                    return Task.CompletedTask;
                });
                break;
            case ConsoleKey.K when SelectedRow() is { } row:
                _prompt = new Prompt($"Kill {row.Proc.Id} on {row.Endpoint.Name}: message (Esc cancels): ", message =>
                {
                    _prompt = new Prompt($"Really kill {row.Proc.Id} on {row.Endpoint.Name}? [y/N] ", answer =>
                        answer is "y" or "Y" ? KillAsync(row, message, cancellationToken) : Cancelled(),
                        singleKey: true);
                    return Task.CompletedTask;
                });
                break;
            case ConsoleKey.Enter when SelectedRow() is { } row:
                await ShowHistoryAsync(row, cancellationToken);
                break;
            default:
                break;
        }

        return true;
    }

    private Task Cancelled()
    {
        _notice = "kill cancelled";
        return Task.CompletedTask;
    }

    /// <summary>Asks the row's endpoint to kill its task, within the fleet's limit on calls in flight, and says how it went in the footer.</summary>
    internal async Task KillAsync(ProcRow row, string message, CancellationToken cancellationToken)
    {
        try
        {
            if (WatcherOf(row) is not { } watcher)
            {
                return;
            }

            var result = await watcher.CallAsync((client, ct) => client.KillAsync(row.Proc.Id, message.Length == 0 ? null : message, cancellationToken: ct), cancellationToken);
            _notice = result switch
            {
                KillResult.Requested => $"asked {row.Endpoint.Name} to kill {row.Proc.Id}",
                KillResult.NotFound => $"{row.Proc.Id} is no longer running on {row.Endpoint.Name}",
                _ => $"{row.Endpoint.Name} refused to kill {row.Proc.Id}: it forbids kills, or the server is read-only",
            };
        }
        catch (Pm.Client.PmClientException ex)
        {
            _notice = $"kill failed: {ex.Message}";
        }
        catch (ObjectDisposedException)
        {
            _notice = $"{row.Endpoint.Name} has just left the endpoint list";
        }
    }

    // The endpoint's watcher, whose calls are bounded by the timeout and the fleet's limit; none once discovery has dropped the endpoint.
    private Web.EndpointWatcher? WatcherOf(ProcRow row)
    {
        if (monitor.Find(row.Endpoint) is { } watcher)
        {
            return watcher;
        }

        _notice = $"{row.Endpoint.Name} has left the endpoint list";
        return null;
    }

    /// <summary>Reads the row's task's history from its endpoint, within the fleet's limit on calls in flight, and shows it over the table.</summary>
    internal async Task ShowHistoryAsync(ProcRow row, CancellationToken cancellationToken)
    {
        try
        {
            if (WatcherOf(row) is not { } watcher)
            {
                return;
            }

            var history = await watcher.CallAsync((client, ct) => client.GetHistoryAsync(row.Proc.Id, ct), cancellationToken);
            if (history is null)
            {
                _notice = $"{row.Proc.Id} is no longer known to {row.Endpoint.Name}";
                return;
            }

            var lines = new List<string> { $"History of {row.Proc.Id} on {row.Endpoint.Name} (any key returns)", string.Empty };
            // The same rows as pm history: a status lasts until the next own status, a call is shown from its start.
            foreach (var entry in HistoryRollup.Of(history).Timeline)
            {
                var spent = entry.Spent is { } s ? Format.Duration(s) : "";
                var kind = entry.Kind is { } k ? $"[{k}] " : "";
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {entry.Start.UtcDateTime:HH:mm:ss.fff}  {spent,10}  {kind}{entry.Status}"));
            }

            _overlay = lines;
        }
        catch (Pm.Client.PmClientException ex)
        {
            _notice = $"history failed: {ex.Message}";
        }
        catch (ObjectDisposedException)
        {
            _notice = $"{row.Endpoint.Name} has just left the endpoint list";
        }
    }

    private ProcRow? SelectedRow()
    {
        var index = _rows.FindIndex(r => _selected == (r.Endpoint.Name, r.Proc.Id));
        return index >= 0 ? _rows[index] : _rows.Count > 0 ? _rows[0] : null;
    }

    private void Move(int delta)
    {
        if (_rows.Count == 0)
        {
            return;
        }

        var current = _rows.FindIndex(r => _selected == (r.Endpoint.Name, r.Proc.Id));
        var next = Math.Clamp((current < 0 ? 0 : current) + delta, 0, _rows.Count - 1);
        _selected = (_rows[next].Endpoint.Name, _rows[next].Proc.Id);
    }

    private bool Matches(ProcRow row) => TaskFilter.Matches(row, _filter);

    private void Draw()
    {
        var snapshot = monitor.Snapshot();
        ProcRow.From(snapshot, _rows);
        if (_filter.Length > 0)
        {
            _rows.RemoveAll(r => !Matches(r));
        }

        ProcRow.SortInPlace(_rows, ProcRow.SortKeys[_sort]);
        if (_selected is null || !_rows.Exists(r => _selected == (r.Endpoint.Name, r.Proc.Id)))
        {
            _selected = _rows.Count > 0 ? (_rows[0].Endpoint.Name, _rows[0].Proc.Id) : null;
        }

        TopScreen.Render(Console.Out, new TopScreenModel(
            snapshot.Views,
            _rows,
            _rows.FindIndex(r => _selected == (r.Endpoint.Name, r.Proc.Id)),
            monitor.Refresh,
            ProcRow.SortKeys[_sort],
            _filter,
            monitor.Paused,
            _overlay,
            _prompt is { } prompt ? prompt.Label + prompt.Text : _notice,
            Math.Max(Console.WindowWidth, 40),
            Math.Max(Console.WindowHeight, 10)));
        Console.Out.Flush();
    }

    /// <summary>A one-line prompt drawn in the footer: text, or a single y/n key.</summary>
    private sealed class Prompt(string label, Func<string, Task> onSubmit, bool singleKey = false)
    {
        private readonly StringBuilder _text = new();

        public string Label { get; } = label;

        public string Text => _text.ToString();

        public Func<string, Task> OnSubmit { get; } = onSubmit;

        public (bool Submitted, string Text)? Handle(ConsoleKeyInfo key)
        {
            if (key.Key == ConsoleKey.Escape)
            {
                return (false, string.Empty);
            }

            if (singleKey)
            {
                return (true, key.KeyChar.ToString());
            }

            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return (true, _text.ToString());
                case ConsoleKey.Backspace when _text.Length > 0:
                    _text.Length--;
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        _text.Append(key.KeyChar);
                    }

                    return null;
            }
        }
    }
}
