using System.CommandLine;

namespace Pm.Cli;

/// <summary><c>pm history</c>: one task's timeline, with the time spent in each status and in its calls to dependencies.</summary>
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

            Tasks of .NET servers also list the calls they made to dependencies (HTTP, SQL, gRPC…), each once it has
            ended, with its kind. A call's row shows when it started (the server records it at its end: start = end -
            duration) and its duration as time spent; rows are in the order they started. A status lasts until the
            task's next own status, however many calls end in between. The rollups add time per kind of call and per
            dependency (calls, total, share of the task's total, longest); calls can run concurrently, with each other
            and with the task's statuses, so their times can add up to more than the total. Calls still in flight
            are not in the history until they end.

            Example:
              pm history 127.0.0.1:8081 req77
            Exit code 0 when shown, 2 when the server knows no such task, 4 when unauthorized, 1 otherwise.
            """)
        {
            endpoint,
            id,
        };
        command.SetAction((result, cancellationToken) => PmCommand.OnEndpointAsync(result, result.GetValue(endpoint)!, async (client, target) =>
        {
            var taskId = result.GetValue(id)!;
            var history = await client.GetHistoryAsync(taskId, cancellationToken);
            if (history is null)
            {
                Terminal.Error($"{target.Name} has no task '{taskId}'");
                return ExitCodes.NotFound;
            }

            HistoryView.Write(Terminal.Stdout(), history, taskId);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
