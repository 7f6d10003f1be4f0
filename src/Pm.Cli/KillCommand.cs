using System.CommandLine;

namespace Pm.Cli;

/// <summary><c>pm kill</c>: asks a server to cancel one task, or every endpoint to cancel the tasks a filter selects.</summary>
internal static class KillCommand
{
    public static Command Create()
    {
        var endpoint = new Argument<string?>("endpoint") { Description = "The server, as host:port or http://host:port.", Arity = ArgumentArity.ZeroOrOne };
        var id = new Argument<string?>("id") { Description = "The task's id.", Arity = ArgumentArity.ZeroOrOne };
        var message = new Option<string?>("--message", "-m") { Description = "Why: recorded in the task's history as [cancel request: message]." };
        var abort = new Option<bool>("--abort") { Description = "Abort at once: a request's connection is cut without the server's grace period; recorded as [abort request: message]." };
        var filter = new Option<string[]>("--filter", "-f")
        {
            Description = "Kill, on every endpoint, the tasks whose id, host, status or an attribute contains this text, or whose attribute name=value; repeat to require all.",
            AllowMultipleArgumentsPerToken = false,
        };
        var olderThan = new Option<string?>("--older-than") { Description = "Kill only tasks running for longer than this, as 30s, 5m, 2h (by each server's clock)." };
        var all = new Option<bool>("--all") { Description = "Select every running task of every endpoint; needed when the filters select every task listed." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List the tasks that would be killed, and kill nothing." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Kill without asking; needed when standard input is not a terminal." };
        var command = new Command(
            "kill",
            """
            Ask a server to kill a task. The task's history records [cancel request: message] and the task stops at
            its next cancellation point (at once, if it awaits its cancellation token); the calls it has in flight to
            other services and databases are stopped too. A request still running after the server's grace period
            is cut off; --abort cuts it off at once.

            With --filter, --older-than or --all instead of ENDPOINT ID, pm lists the matching tasks of every
            endpoint (--endpoints), asks for confirmation on the terminal with the count per endpoint (--yes skips
            it; without a terminal, --yes is required), kills them and prints the result per endpoint. An empty or
            blank --filter is refused. Filters that select every task listed (two or more) need --all, and --all
            alone selects every task.

            Example:
              pm kill 127.0.0.1:8081 req77 -m "too slow"
              pm kill -e dns://orders.internal:8081 --filter "report" --older-than 5m --dry-run
              pm kill -e srv://_pm._tcp.orders.example --filter user=ann -m "runaway export" --yes
              pm kill -e 127.0.0.1:8081 --all --dry-run
            Exit code for one task: 0 killed, 2 no such task, 3 forbidden (the task refuses kills, or the server is
            read-only), 4 unauthorized, 1 anything else.
            Exit code for --filter/--older-than/--all: 0 every matching task killed (or listed, with --dry-run), 6
            some killed and some not (refused, failed, or an endpoint could not be listed), 1 none killed (failures,
            not confirmed, an empty filter, or every task selected without --all), 2 no task matches, 5 the
            endpoints cannot be had.
            """)
        {
            endpoint,
            id,
            message,
            abort,
            filter,
            olderThan,
            all,
            dryRun,
            yes,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var filters = result.GetValue(filter) ?? [];
            var older = result.GetValue(olderThan);
            var everything = result.GetValue(all);
            var bulk = filters.Length > 0 || older is not null || everything;
            var target = result.GetValue(endpoint);
            if (bulk == (target is not null) || (target is not null && result.GetValue(id) is null))
            {
                Terminal.Error(bulk
                    ? "kill takes either ENDPOINT ID, or --filter/--older-than/--all to kill across all endpoints, not both."
                    : "kill needs ENDPOINT ID, or --filter/--older-than/--all to kill across all endpoints.");
                return ExitCodes.Usage;
            }

            if (bulk)
            {
                // An unset variable ("--filter "$X"") must never widen a kill to everything.
                if (filters.Any(string.IsNullOrWhiteSpace))
                {
                    Terminal.Error("--filter is empty, which would match every task; give the text to match, or --all to kill every task.");
                    return ExitCodes.Usage;
                }

                TimeSpan? minimumAge;
                try
                {
                    minimumAge = older is null ? null : TaskFilter.ParseDuration(older);
                }
                catch (FormatException ex)
                {
                    Terminal.Error("--older-than: " + ex.Message);
                    return ExitCodes.Usage;
                }

                var request = new BulkKill(filters, minimumAge, everything, result.GetValue(message), result.GetValue(abort), result.GetValue(dryRun), result.GetValue(yes));
                return await request.RunAsync(result, cancellationToken);
            }

            return await PmCommand.OnEndpointAsync(result, target!, async (client, server) => await KillOneAsync(client, server, result.GetValue(id)!, result.GetValue(message), result.GetValue(abort), cancellationToken));
        });
        return command;
    }

    private static async Task<int> KillOneAsync(Pm.Client.PmClient client, Endpoint target, string taskId, string? message, bool abort, CancellationToken cancellationToken)
    {
        switch (await client.KillAsync(taskId, message, abort, cancellationToken))
        {
            case KillResult.Requested:
                Terminal.Line($"{(abort ? "aborted" : "killed")} {taskId} on {target.Name}");
                return ExitCodes.Ok;
            case KillResult.NotFound:
                Terminal.Error($"{target.Name} has no task '{taskId}'");
                return ExitCodes.NotFound;
            default:
                Terminal.Error($"{target.Name} refused to kill '{taskId}' (the task forbids kills, or the server is read-only)");
                return ExitCodes.Forbidden;
        }
    }
}
