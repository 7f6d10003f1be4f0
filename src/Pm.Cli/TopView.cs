using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Pm.Cli;

/// <summary>The full-screen, live view of <c>pm top</c>: every endpoint polled on its own, merged oldest first.</summary>
/// <remarks>
/// Each endpoint has its own polling loop, so one that is down or slow is reported in its status line while the
/// others keep updating. Frames are drawn over the previous one in the terminal's alternate screen, line by line,
/// so nothing flickers and the terminal is restored on exit.
/// </remarks>
internal sealed class TopView(Fleet fleet, TimeSpan refresh)
{
    private const string EnterAlternateScreen = "\x1b[?1049h\x1b[?25l";
    private const string LeaveAlternateScreen = "\x1b[?25h\x1b[?1049l";

    private readonly EndpointState?[] _states = new EndpointState?[fleet.Endpoints.Count];
    private readonly long?[] _pendingSince = new long?[fleet.Endpoints.Count];
    private readonly Lock _lock = new();
    private TimeSpan _refresh = refresh;
    private bool _paused;
    private int _sort;
    private string _filter = string.Empty;
    private (string Host, string Id)? _selected;
    private string _notice = string.Empty;
    private Prompt? _prompt;
    private IReadOnlyList<string>? _overlay;
    private List<ProcRow> _rows = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            await Console.Error.WriteLineAsync("pm: top needs a terminal; use 'pm ls' (or 'pm ls --json') in scripts.");
            return ExitCodes.Failure;
        }

        using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var treatCtrlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        Console.Out.Write(EnterAlternateScreen);
        var pollers = Enumerable.Range(0, _states.Length).Select(i => PollAsync(i, quit.Token)).ToArray();
        try
        {
            while (!quit.IsCancellationRequested)
            {
                while (Console.KeyAvailable)
                {
                    if (!await HandleKeyAsync(Console.ReadKey(intercept: true), quit.Token))
                    {
                        await quit.CancelAsync();
                        break;
                    }
                }

                Draw();
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
            await Task.WhenAll(pollers);
            Console.Out.Write(LeaveAlternateScreen);
            Console.Out.Flush();
            Console.TreatControlCAsInput = treatCtrlC;
        }

        return ExitCodes.Ok;
    }

    private async Task PollAsync(int index, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!Volatile.Read(ref _paused))
            {
                _pendingSince[index] = Stopwatch.GetTimestamp();
                EndpointState state;
                try
                {
                    state = await fleet.FetchAsync(index, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Quitting while a poll is in flight: the view must still restore the terminal.
                    return;
                }

                _pendingSince[index] = null;
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                lock (_lock)
                {
                    _states[index] = state;
                }
            }

            try
            {
                await Task.Delay(_refresh, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
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
                _paused = !_paused;
                _notice = _paused ? "paused" : "resumed";
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
                        _refresh = TimeSpan.FromSeconds(seconds);
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
                _prompt = new Prompt("Filter (id, host, status, attributes, slow, hung; empty clears): ", text =>
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

    private async Task KillAsync(ProcRow row, string message, CancellationToken cancellationToken)
    {
        var client = fleet.Clients[IndexOf(row.Endpoint)];
        try
        {
            _notice = await client.KillAsync(row.Proc.Id, message.Length == 0 ? null : message, cancellationToken: cancellationToken) switch
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
    }

    private async Task ShowHistoryAsync(ProcRow row, CancellationToken cancellationToken)
    {
        try
        {
            var history = await fleet.Clients[IndexOf(row.Endpoint)].GetHistoryAsync(row.Proc.Id, cancellationToken);
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
    }

    private int IndexOf(Endpoint endpoint)
    {
        for (var i = 0; i < fleet.Endpoints.Count; i++)
        {
            if (ReferenceEquals(fleet.Endpoints[i], endpoint))
            {
                return i;
            }
        }

        return 0;
    }

    private ProcRow? SelectedRow() =>
        _rows.Find(r => _selected == (r.Endpoint.Name, r.Proc.Id)) ?? (_rows.Count > 0 ? _rows[0] : null);

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

    private bool Matches(ProcRow row) =>
        _filter.Length == 0
        || row.Proc.Id.Contains(_filter, StringComparison.OrdinalIgnoreCase)
        || row.Endpoint.Name.Contains(_filter, StringComparison.OrdinalIgnoreCase)
        || row.Proc.Status.Contains(_filter, StringComparison.OrdinalIgnoreCase)
        || (row.Proc.Alert is { } alert && (alert.Equals(_filter, StringComparison.OrdinalIgnoreCase) || _filter.Equals("slow", StringComparison.OrdinalIgnoreCase)))
        || (row.Proc.Attrs?.Any(a => Format.Value(a.Value).Contains(_filter, StringComparison.OrdinalIgnoreCase)) ?? false);

    private void Draw()
    {
        EndpointState?[] states;
        lock (_lock)
        {
            states = [.. _states];
        }

        _rows = ProcRow.Sort(ProcRow.From(states.OfType<EndpointState>()).Where(Matches), ProcRow.SortKeys[_sort]);
        if (_selected is null || !_rows.Exists(r => _selected == (r.Endpoint.Name, r.Proc.Id)))
        {
            _selected = _rows.Count > 0 ? (_rows[0].Endpoint.Name, _rows[0].Proc.Id) : null;
        }

        TopScreen.Render(Console.Out, new TopScreenModel(
            fleet.Endpoints,
            states,
            [.. _pendingSince.Select(since => since is { } s ? Stopwatch.GetElapsedTime(s) : TimeSpan.Zero)],
            _rows,
            _rows.FindIndex(r => _selected == (r.Endpoint.Name, r.Proc.Id)),
            _refresh,
            ProcRow.SortKeys[_sort],
            _filter,
            _paused,
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
