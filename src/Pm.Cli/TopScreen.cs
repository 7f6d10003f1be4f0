using System.Text;
using Spectre.Console;

namespace Pm.Cli;

/// <summary>What one frame of <c>pm top</c> shows; everything the renderer needs, read at one moment.</summary>
internal sealed record TopScreenModel(
    IReadOnlyList<Endpoint> Endpoints,
    IReadOnlyList<EndpointState?> States,
    IReadOnlyList<TimeSpan> Waiting,
    IReadOnlyList<ProcRow> Rows,
    int Selected,
    TimeSpan Refresh,
    string SortKey,
    string Filter,
    bool Paused,
    IReadOnlyList<string>? Overlay,
    string Footer,
    int Width,
    int Height);

/// <summary>Renders frames of <c>pm top</c>: drawn over the previous one, line by line, so nothing flickers.</summary>
internal static class TopScreen
{
    private static readonly TimeSpan SlowAfter = TimeSpan.FromSeconds(1);

    public static void Render(TextWriter writer, TopScreenModel model)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = model.Width;

        console.MarkupLine(
            $"[bold]pm top[/]  {Format.Count(model.Rows.Count, "task")} on {Format.Count(model.States.Count, "endpoint")}  every {PmCommand.Seconds(model.Refresh.TotalSeconds)} s"
            + $"  sort: {model.SortKey}" + (model.Filter.Length > 0 ? $"  filter: {Markup.Escape(model.Filter)}" : "") + (model.Paused ? "  [yellow]PAUSED[/]" : ""));
        console.MarkupLine("[grey]↑↓ select  k kill  Enter history  / filter  s sort  d delay  p pause  q quit[/]");
        var endpointLines = EndpointLines(model);
        foreach (var line in endpointLines)
        {
            console.Write(new Markup(line).Overflow(Overflow.Ellipsis));
            console.WriteLine();
        }

        if (model.Overlay is { } overlay)
        {
            foreach (var line in overlay)
            {
                console.WriteLine(line);
            }
        }
        else
        {
            var room = Math.Max(model.Height - endpointLines.Count - 8, 1);
            var skip = Math.Max(0, model.Selected - room + 1);
            console.Write(ProcRow.Table(model.Rows, model.Selected, skip, room, model.Width));
        }

        // Home, each line then erase to its end, erase below, and the footer in reverse video on the last line.
        var frame = new StringBuilder("\x1b[H");
        foreach (var line in output.ToString().Split('\n').Take(model.Height - 1))
        {
            frame.Append(line.TrimEnd('\r')).Append("\x1b[K\r\n");
        }

        frame.Append("\x1b[J");
        frame.Append("\x1b[").Append(model.Height).Append(";1H\x1b[7m").Append(Truncate(model.Footer, model.Width)).Append("\x1b[0m\x1b[K");
        writer.Write(frame.ToString());
    }

    /// <summary>
    /// One line per endpoint while they take at most a third of the screen; past that, one line counting them, then a line
    /// for each endpoint that is not up (down, slow or connecting) while there is room: an endpoint in trouble never hides
    /// among the healthy ones, and the tasks keep their room.
    /// </summary>
    private static List<string> EndpointLines(TopScreenModel model)
    {
        var lines = new List<string>();
        var room = Math.Max(model.Height / 3, 2);
        if (model.States.Count <= room)
        {
            for (var i = 0; i < model.States.Count; i++)
            {
                lines.Add(EndpointLine(model.Endpoints[i], model.States[i], model.Waiting[i]));
            }

            return lines;
        }

        var troubled = Enumerable.Range(0, model.States.Count)
            .Where(i => model.States[i] is not { Response: not null } || model.Waiting[i] > SlowAfter)
            .ToList();
        var down = troubled.Count(i => model.States[i] is { Error: not null });
        lines.Add($"  {Format.Count(model.States.Count, "endpoint")}: [green]{model.States.Count - troubled.Count} up[/]"
            + (down > 0 ? $", [red]{down} down[/]" : "") + (troubled.Count - down > 0 ? $", [yellow]{troubled.Count - down} slow or connecting[/]" : ""));
        foreach (var i in troubled.Take(room - 2))
        {
            lines.Add(EndpointLine(model.Endpoints[i], model.States[i], model.Waiting[i]));
        }

        if (troubled.Count > room - 2)
        {
            lines.Add($"  [grey]… and {troubled.Count - (room - 2)} more not up[/]");
        }

        return lines;
    }

    private static string EndpointLine(Endpoint endpoint, EndpointState? state, TimeSpan waiting)
    {
        var name = Markup.Escape(endpoint.Name);
        if (waiting > SlowAfter)
        {
            return $"  [yellow]{name}: slow, waiting {Format.Duration(waiting)} for an answer[/]";
        }

        return state switch
        {
            null => $"  [grey]{name}: connecting…[/]",
            { Error: { } error } => $"  [red]{name}: DOWN: {Markup.Escape(error)}[/]",
            { Response: { } response } => $"  [green]{name}: up[/], {Format.Count(response.Procs.Count, "task")}",
            _ => $"  {name}",
        };
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..width];
}
