using System.CommandLine;

namespace Pm.Cli;

/// <summary><c>pm kill</c>: asks a server to cancel one task.</summary>
internal static class KillCommand
{
    public static Command Create()
    {
        var endpoint = new Argument<string>("endpoint") { Description = "The server, as host:port or http://host:port." };
        var id = new Argument<string>("id") { Description = "The task's id." };
        var message = new Option<string?>("--message", "-m") { Description = "Why: recorded in the task's history as [cancel request: message]." };
        var abort = new Option<bool>("--abort") { Description = "Abort at once: a request's connection is cut without the server's grace period; recorded as [abort request: message]." };
        var command = new Command(
            "kill",
            """
            Ask a server to kill a task. The task's history records [cancel request: message] and the task stops at
            its next cancellation point (at once, if it awaits its cancellation token); the calls it has in flight to
            other services and databases are stopped too. A request still running after the server's grace period
            is cut off; --abort cuts it off at once.

            Example:
              pm kill 127.0.0.1:8081 req77 -m "too slow"
            Exit code 0 killed, 2 no such task, 3 forbidden (the task refuses kills, or the server is read-only),
            4 unauthorized, 1 anything else.
            """)
        {
            endpoint,
            id,
            message,
            abort,
        };
        command.SetAction((result, cancellationToken) => PmCommand.OnEndpointAsync(result, endpoint, async (client, target) =>
        {
            var taskId = result.GetValue(id)!;
            switch (await client.KillAsync(taskId, result.GetValue(message), result.GetValue(abort), cancellationToken))
            {
                case KillResult.Requested:
                    Console.WriteLine($"{(result.GetValue(abort) ? "aborted" : "killed")} {taskId} on {target.Name}");
                    return ExitCodes.Ok;
                case KillResult.NotFound:
                    Console.Error.WriteLine($"pm: {target.Name} has no task '{taskId}'");
                    return ExitCodes.NotFound;
                default:
                    Console.Error.WriteLine($"pm: {target.Name} refused to kill '{taskId}' (the task forbids kills, or the server is read-only)");
                    return ExitCodes.Forbidden;
            }
        }));
        return command;
    }
}
