using System.Text;
using Pm.Cli.Web;
using Spectre.Console;

namespace Pm.Cli;

/// <summary>What one frame of <c>pm top</c> shows; everything the renderer needs, read at one moment.</summary>
internal sealed record TopScreenModel(
    IReadOnlyList<EndpointView> Views,
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
            $"[bold]pm top[/]  {Format.Count(model.Rows.Count, "task")} on {Format.Count(model.Views.Count, "endpoint")}  every {PmCommand.Seconds(model.Refresh.TotalSeconds)} s"
            + $"  sort: {model.SortKey}" + (model.Filter.Length > 0 ? $"  filter: {Markup.Escape(Format.Printable(model.Filter))}" : "") + (model.Paused ? "  [yellow]PAUSED[/]" : ""));
        console.MarkupLine("[grey]↑↓ select  k kill  Enter history  / filter  s sort  d delay  p pause  q quit[/]");
        var endpointLines = EndpointLines(model);
        foreach (var line in endpointLines)
        {
            console.Write(new Markup(line).Overflow(Overflow.Ellipsis));
            console.WriteLine();
        }

        if (model.Overlay is { } overlay)
        {
            // The overlay (a history) and the footer (notices naming ids and endpoints, errors) carry server text.
            foreach (var line in overlay)
            {
                console.WriteLine(Format.Printable(line));
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
        frame.Append("\x1b[").Append(model.Height).Append(";1H\x1b[7m").Append(Truncate(Format.Printable(model.Footer), model.Width)).Append("\x1b[0m\x1b[K");
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
        var views = model.Views;
        var room = Math.Max(model.Height / 3, 2);
        if (views.Count <= room)
        {
            lines.AddRange(views.Select(EndpointLine));
            return lines;
        }

        var troubled = views.Where(v => v.Health != EndpointHealth.Up).ToList();
        var down = troubled.Count(v => v.Health is EndpointHealth.Down or EndpointHealth.Unauthorized);
        lines.Add($"  {Format.Count(views.Count, "endpoint")}: [green]{views.Count - troubled.Count} up[/]"
            + (down > 0 ? $", [red]{down} down[/]" : "") + (troubled.Count - down > 0 ? $", [yellow]{troubled.Count - down} slow or connecting[/]" : ""));
        lines.AddRange(troubled.Take(room - 2).Select(EndpointLine));
        if (troubled.Count > room - 2)
        {
            lines.Add($"  [grey]… and {troubled.Count - (room - 2)} more not up[/]");
        }

        return lines;
    }

    private static string EndpointLine(EndpointView view)
    {
        var name = Markup.Escape(Format.Printable(view.Name));
        var error = Markup.Escape(Format.Printable(view.Error));
        var tasks = Format.Count(view.Procs.Count, "task");
        var full = view.StreamFull ? " (stream full)" : "";
        return view.Health switch
        {
            EndpointHealth.Connecting => $"  [grey]{name}: connecting…[/]",
            EndpointHealth.Down => $"  [red]{name}: DOWN: {error}[/]",
            EndpointHealth.Unauthorized => $"  [red]{name}: UNAUTHORIZED: {error}[/]",
            EndpointHealth.Slow when view.Error is not null => $"  [yellow]{name}: busy: {error}[/], {tasks} as last seen",
            EndpointHealth.Slow => $"  [yellow]{name}: slow{full}, answered in {Format.Duration(TimeSpan.FromSeconds(view.Latency ?? 0))}[/], {tasks}",
            _ => $"  [green]{name}: up{full}[/], {tasks}",
        };
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..width];
}
