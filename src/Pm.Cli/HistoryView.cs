using System.Globalization;
using Pm.Protocol;
using Spectre.Console;

namespace Pm.Cli;

/// <summary>Renders what <c>pm history</c> prints: the timeline, then the time per status, per kind of call and per dependency.</summary>
internal static class HistoryView
{
    public static void Write(IAnsiConsole console, HistoryResponse history, string id)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(history);
        var rollup = HistoryRollup.Of(history);
        var calls = rollup.HasCalls;
        var state = history.Outcome is { } outcome ? outcome : history.Cancelling ? "running, kill requested" : "running";
        console.MarkupLine($"[bold]{Markup.Escape(Format.Printable(id))}[/]  {Markup.Escape(Format.Printable(state))}  total {Format.Duration(rollup.Total)}"
            + (history.TimeToHonour is { } honour ? $"  (stopped {Format.Duration(TimeSpan.FromSeconds(honour))} after the kill request)" : ""));

        // Tasks that made no calls (every Go server's) look as they always did: no kind column, no call tables.
        var timeline = new Table().Border(TableBorder.Simple);
        timeline.AddColumn(calls ? "started (UTC)" : "time (UTC)");
        if (calls)
        {
            timeline.AddColumn("kind");
        }

        timeline.AddColumn("status");
        timeline.AddColumn(new TableColumn("spent").RightAligned());
        foreach (var row in rollup.Timeline)
        {
            var spent = row.Spent is { } s ? Format.Duration(s) + (row.SoFar ? " (so far)" : "") : "";
            string[] cells = calls
                ? [Time(row.Start), Escape(row.Kind), Escape(row.Status), spent]
                : [Time(row.Start), Escape(row.Status), spent];
            timeline.AddRow(cells);
        }

        console.Write(timeline);

        if (calls)
        {
            console.MarkupLine("[bold]time per status[/]");
        }

        var perStatus = new Table().Border(TableBorder.Simple);
        perStatus.AddColumn("status");
        perStatus.AddColumn(new TableColumn("total time").RightAligned());
        perStatus.AddColumn(new TableColumn("share").RightAligned());
        foreach (var status in rollup.PerStatus)
        {
            perStatus.AddRow(Escape(status.Status), Format.Duration(status.Total), Share(status.Total, rollup.Total));
        }

        console.Write(perStatus);
        WriteProgress(console, rollup, history);
        if (!calls)
        {
            return;
        }

        console.MarkupLine("[bold]time per kind[/]");
        var perKind = new Table().Border(TableBorder.Simple);
        perKind.AddColumn("kind");
        perKind.AddColumn(new TableColumn("calls").RightAligned());
        perKind.AddColumn(new TableColumn("total time").RightAligned());
        perKind.AddColumn(new TableColumn("share").RightAligned());
        perKind.AddColumn(new TableColumn("longest").RightAligned());
        foreach (var group in rollup.PerKind)
        {
            perKind.AddRow(Escape(group.Kind), Count(group.Calls), Format.Duration(group.Total), Share(group.Total, rollup.Total), Format.Duration(group.Longest));
        }

        console.Write(perKind);

        console.MarkupLine("[bold]time per dependency[/]");
        var perDependency = new Table().Border(TableBorder.Simple);
        perDependency.AddColumn("kind");
        perDependency.AddColumn("target");
        perDependency.AddColumn(new TableColumn("calls").RightAligned());
        perDependency.AddColumn(new TableColumn("total time").RightAligned());
        perDependency.AddColumn(new TableColumn("longest").RightAligned());
        foreach (var group in rollup.PerDependency)
        {
            perDependency.AddRow(Escape(group.Kind), Escape(group.Target ?? "(unknown)"), Count(group.Calls), Format.Duration(group.Total), Format.Duration(group.Longest));
        }

        console.Write(perDependency);
        console.WriteLine(
            $"{Format.Count(rollup.PerKind.Sum(g => g.Calls), "call")} took {Format.Duration(rollup.CallTotal)} in all; at least one was in flight for "
            + $"{Format.Duration(rollup.InCalls)} ({Share(rollup.InCalls, rollup.Total)} of the total). Calls can run concurrently, so their times can add up to more than the total.");
        if (history.Outcome is null)
        {
            console.WriteLine("Calls still in flight are not in the history until they end.");
        }
    }

    // The progress reports, each with the time since the task started and the rate since the report before.
    private static void WriteProgress(IAnsiConsole console, HistoryRollup rollup, HistoryResponse history)
    {
        var reports = rollup.Progress.ToList();
        if (reports.Count == 0)
        {
            return;
        }

        console.MarkupLine("[bold]progress over time[/]");
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("time (UTC)");
        table.AddColumn(new TableColumn("since start").RightAligned());
        table.AddColumn("progress");
        var start = history.History.Count > 0 ? history.History[0].Ts : reports[0].Start;
        foreach (var report in reports)
        {
            table.AddRow(Time(report.Start), Format.Duration(report.Start - start), Escape(report.Status));
        }

        console.Write(table);
    }

    // Server-controlled text: control characters shown, not acted on; markup kept literal.
    private static string Escape(string? text) => Markup.Escape(Format.Printable(text));

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Share(TimeSpan part, TimeSpan whole) =>
        (whole > TimeSpan.Zero ? part / whole : 0).ToString("P0", CultureInfo.InvariantCulture);
}
