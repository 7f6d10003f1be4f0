using System.CommandLine;
using Pm.Client;

namespace Pm.Cli;

/// <summary><c>pm kill --filter</c>: lists the matching tasks of every endpoint, confirms, kills them where they run, and reports per endpoint.</summary>
/// <remarks>
/// Each kill goes to the endpoint that listed the task (a task is its endpoint and its id). A task that finished
/// between the listing and its kill counts as stopped, not as a failure. An endpoint that could not be listed makes
/// the outcome partial at best: its tasks may match too. Filters that select every task listed (two or more) are
/// refused unless <c>--all</c> says so: a filter that matches everything is more often a mistake than a wish.
/// </remarks>
internal sealed class BulkKill(IReadOnlyList<string> filters, TimeSpan? olderThan, bool all, string? message, bool abort, bool dryRun, bool yes)
{
    /// <summary>The most endpoints named in the count per endpoint; the others are summed up.</summary>
    private const int EndpointsNamed = 10;

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
            Terminal.Error($"{state.Endpoint.Name}: cannot list its tasks: {state.Error}");
        }

        var listed = ProcRow.From(states);
        var rows = ProcRow.Sort(listed.Where(Matches), "host");
        if (rows.Count == 0)
        {
            Terminal.Line($"no running task matches on {Format.Count(states.Length - unlisted.Count, "endpoint")}");
            return unlisted.Count > 0 ? ExitCodes.Failure : ExitCodes.NotFound;
        }

        var endpoints = rows.Select(r => r.Endpoint).Distinct().ToList();
        var what = $"{Format.Count(rows.Count, "task")} on {Format.Count(endpoints.Count, "endpoint")}";
        var perEndpoint = PerEndpoint(rows);
        Terminal.Stdout().Write(ProcRow.Table(rows));
        if (!all && rows.Count > 1 && rows.Count == listed.Count)
        {
            Terminal.Error($"the selection takes every task listed ({what}); pass --all to kill them all, or narrow it with --filter or --older-than.");
            return ExitCodes.Usage;
        }

        if (dryRun)
        {
            Terminal.Line($"dry run: would {(abort ? "abort" : "kill")} {what} {perEndpoint}; nothing killed");
            return unlisted.Count > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        }

        if (!yes && !Confirm(what, perEndpoint))
        {
            return ExitCodes.Failure;
        }

        var outcomes = await Task.WhenAll(rows.Select(row => KillAsync(fleet, row, cancellationToken)));
        var killed = 0;
        foreach (var group in outcomes.GroupBy(o => o.Row.Endpoint))
        {
            var stopped = group.Count(o => o.Error is null);
            killed += stopped;
            Terminal.Line($"{group.Key.Name}: {(abort ? "aborted" : "killed")} {stopped} of {group.Count()}");
            foreach (var outcome in group)
            {
                Terminal.Line($"  {outcome.Row.Proc.Id}: {outcome.Error ?? outcome.Note}");
            }
        }

        foreach (var state in unlisted)
        {
            Terminal.Line($"{state.Endpoint.Name}: not listed ({state.Error}); its tasks were not killed");
        }

        var failed = rows.Count - killed + unlisted.Count;
        Terminal.Line($"{(abort ? "aborted" : "killed")} {killed} of {Format.Count(rows.Count, "task")}"
            + (unlisted.Count > 0 ? $"; {Format.Count(unlisted.Count, "endpoint")} could not be listed" : ""));
        return failed == 0 ? ExitCodes.Ok : killed > 0 ? ExitCodes.Partial : ExitCodes.Failure;
    }

    private bool Matches(ProcRow row) =>
        filters.All(f => TaskFilter.Matches(row, f)) && (olderThan is not { } age || row.Age > age);

    /// <summary>How many tasks are on each endpoint, most first: <c>(127.0.0.1:8081: 2, 10.0.0.7:8081: 1)</c>.</summary>
    internal static string PerEndpoint(IReadOnlyList<ProcRow> rows)
    {
        var counts = rows.GroupBy(r => r.Endpoint.Name, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Count: g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var named = string.Join(", ", counts.Take(EndpointsNamed).Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Name}: {c.Count}")));
        var rest = counts.Skip(EndpointsNamed).ToList();
        return "(" + named + (rest.Count > 0 ? $", and {Format.Count(rest.Sum(c => c.Count), "task")} on {Format.Count(rest.Count, "more endpoint")}" : "") + ")";
    }

    private static bool Confirm(string what, string perEndpoint)
    {
        if (Console.IsInputRedirected)
        {
            Terminal.Error($"not killing {what} {perEndpoint}: standard input is not a terminal to confirm on; pass --yes to kill without asking, or --dry-run to only list.");
            return false;
        }

        Terminal.Write($"Kill {what}? {perEndpoint} [y/N] ");
        var answer = Console.ReadLine()?.Trim();
        if (answer is "y" or "Y" or "yes" or "Yes" or "YES")
        {
            return true;
        }

        Terminal.Line("nothing killed");
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
