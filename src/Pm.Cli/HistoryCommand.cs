using System.CommandLine;
using Pm.Protocol;
using Spectre.Console;

namespace Pm.Cli;

/// <summary><c>pm history</c>: one task's timeline, with the time spent in each status.</summary>
internal static class HistoryCommand
{
    public static Command Create()
    {
        var endpoint = new Argument<string>("endpoint") { Description = "The server, as host:port or http://host:port." };
        var id = new Argument<string>("id") { Description = "The task's id." };
        var command = new Command(
            "history",
            """
            Show a task's history: each status, when it was set, how long the task spent in it, the total, and the
            time per status rolled up.

            Example:
              pm history 127.0.0.1:8081 req77
            Exit code 0 when shown, 2 when the server knows no such task, 4 when unauthorized, 1 otherwise.
            """)
        {
            endpoint,
            id,
        };
        command.SetAction((result, cancellationToken) => PmCommand.OnEndpointAsync(result, endpoint, async (client, target) =>
        {
            var taskId = result.GetValue(id)!;
            var history = await client.GetHistoryAsync(taskId, cancellationToken);
            if (history is null)
            {
                Console.Error.WriteLine($"pm: {target.Name} has no task '{taskId}'");
                return ExitCodes.NotFound;
            }

            Write(history, taskId);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Write(HistoryResponse history, string id)
    {
        var entries = history.History;
        var end = history.EndTime ?? history.ServerTime;
        var timeline = new Table().Border(TableBorder.Simple);
        timeline.AddColumn("time (UTC)");
        timeline.AddColumn("status");
        timeline.AddColumn(new TableColumn("spent").RightAligned());
        var perStatus = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var last = i == entries.Count - 1;
            var spent = (last ? end : entries[i + 1].Ts) - entries[i].Ts;
            var isFinal = last && history.Outcome is not null;
            timeline.AddRow(
                entries[i].Ts.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(entries[i].Status),
                isFinal ? "" : Format.Duration(spent) + (last ? " (so far)" : ""));
            if (!isFinal)
            {
                perStatus[entries[i].Status] = perStatus.GetValueOrDefault(entries[i].Status) + spent;
            }
        }

        var console = Terminal.Stdout();
        var total = end - entries[0].Ts;
        var state = history.Outcome is { } outcome ? outcome : history.Cancelling ? "running, kill requested" : "running";
        console.MarkupLine($"[bold]{Markup.Escape(id)}[/]  {Markup.Escape(state)}  total {Format.Duration(total)}"
            + (history.TimeToHonour is { } honour ? $"  (stopped {Format.Duration(TimeSpan.FromSeconds(honour))} after the kill request)" : ""));
        console.Write(timeline);

        var rollup = new Table().Border(TableBorder.Simple);
        rollup.AddColumn("status");
        rollup.AddColumn(new TableColumn("total time").RightAligned());
        rollup.AddColumn(new TableColumn("share").RightAligned());
        foreach (var (status, spent) in perStatus.OrderByDescending(p => p.Value))
        {
            var share = total > TimeSpan.Zero ? spent / total : 0;
            rollup.AddRow(Markup.Escape(status), Format.Duration(spent), share.ToString("P0", System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(rollup);
    }
}
