using System.CommandLine;
using Pm.Client;

namespace Pm.Cli;

/// <summary><c>pm kill --filter</c>: lists the matching tasks of every endpoint, confirms, kills them where they run, and reports per endpoint.</summary>
/// <remarks>
/// Each kill goes to the endpoint that listed the task (a task is its endpoint and its id). A task that finished
/// between the listing and its kill counts as stopped, not as a failure. An endpoint that could not be listed makes
/// the outcome partial at best: its tasks may match too.
/// </remarks>
internal sealed class BulkKill(IReadOnlyList<string> filters, TimeSpan? olderThan, string? message, bool abort, bool dryRun, bool yes)
{
    public async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        if (await PmCommand.ResolveAsync(result, cancellationToken) is not { } resolved)
        {
            return ExitCodes.Endpoints;
        }

        using var fleet = new Fleet(result.GetValue(PmCommand.Token), PmCommand.TimeoutOf(result));
        var states = await fleet.FetchAllAsync(resolved.Endpoints, cancellationToken);
        var unlisted = states.Where(s => s.Error is not null).ToList();
        foreach (var state in unlisted)
        {
            await Console.Error.WriteLineAsync($"pm: {state.Endpoint.Name}: cannot list its tasks: {state.Error}");
        }

        var rows = ProcRow.Sort(ProcRow.From(states).Where(Matches), "host");
        if (rows.Count == 0)
        {
            Console.WriteLine($"no running task matches on {Format.Count(states.Length - unlisted.Count, "endpoint")}");
            return unlisted.Count > 0 ? ExitCodes.Failure : ExitCodes.NotFound;
        }

        var endpoints = rows.Select(r => r.Endpoint).Distinct().ToList();
        var what = $"{Format.Count(rows.Count, "task")} on {Format.Count(endpoints.Count, "endpoint")}";
        Terminal.Stdout().Write(ProcRow.Table(rows));
        if (dryRun)
        {
            Console.WriteLine($"dry run: would {(abort ? "abort" : "kill")} {what}; nothing killed");
            return unlisted.Count > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        }

        if (!yes && !Confirm(what))
        {
            return ExitCodes.Failure;
        }

        var outcomes = await Task.WhenAll(rows.Select(row => KillAsync(fleet, row, cancellationToken)));
        var killed = 0;
        foreach (var group in outcomes.GroupBy(o => o.Row.Endpoint))
        {
            var stopped = group.Count(o => o.Error is null);
            killed += stopped;
            Console.WriteLine($"{group.Key.Name}: {(abort ? "aborted" : "killed")} {stopped} of {group.Count()}");
            foreach (var outcome in group)
            {
                Console.WriteLine($"  {outcome.Row.Proc.Id}: {outcome.Error ?? outcome.Note}");
            }
        }

        foreach (var state in unlisted)
        {
            Console.WriteLine($"{state.Endpoint.Name}: not listed ({state.Error}); its tasks were not killed");
        }

        var failed = rows.Count - killed + unlisted.Count;
        Console.WriteLine($"{(abort ? "aborted" : "killed")} {killed} of {Format.Count(rows.Count, "task")}"
            + (unlisted.Count > 0 ? $"; {Format.Count(unlisted.Count, "endpoint")} could not be listed" : ""));
        return failed == 0 ? ExitCodes.Ok : killed > 0 ? ExitCodes.Partial : ExitCodes.Failure;
    }

    private bool Matches(ProcRow row) =>
        filters.All(f => TaskFilter.Matches(row, f)) && (olderThan is not { } age || row.Age > age);

    private static bool Confirm(string what)
    {
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine($"pm: not killing {what}: standard input is not a terminal to confirm on; pass --yes to kill without asking, or --dry-run to only list.");
            return false;
        }

        Console.Write($"Kill {what}? [y/N] ");
        var answer = Console.ReadLine()?.Trim();
        if (answer is "y" or "Y" or "yes" or "Yes" or "YES")
        {
            return true;
        }

        Console.WriteLine("nothing killed");
        return false;
    }

    private async Task<(ProcRow Row, string? Error, string Note)> KillAsync(Fleet fleet, ProcRow row, CancellationToken cancellationToken)
    {
        try
        {
            return await fleet.CallAsync(row.Endpoint, c => c.KillAsync(row.Proc.Id, message, abort, cancellationToken), cancellationToken) switch
            {
                KillResult.Requested => (row, null, abort ? "aborted" : "kill requested"),
                KillResult.NotFound => (row, null, "had already finished"),
                _ => (row, "refused: the task forbids kills, or the server is read-only", string.Empty),
            };
        }
        catch (PmClientException ex)
        {
            return (row, "failed: " + ex.Message, string.Empty);
        }
    }
}
