using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pm.Protocol;

namespace Pm.Cli;

/// <summary><c>pm ls</c>: one snapshot of every endpoint's running tasks.</summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts: one object per endpoint, with its procs or its error." };
        var command = new Command(
            "ls",
            """
            List the running tasks of every endpoint once, oldest first.

            Example:
              pm ls -e 127.0.0.1:8081,10.0.0.7:8081
              pm ls -e dns://pm.orders.svc.cluster.local:8081
              pm ls -e srv://_pm._tcp.orders.example --dns-server 10.0.0.2
              pm ls -e file:/etc/pm/endpoints --json | jq '.[].procs[].id'
            Exit code 0 when every endpoint answered, 1 otherwise (the others are still listed), 5 when the endpoints
            cannot be had (bad syntax, a name that does not resolve, an unreadable file).
            """)
        {
            json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await PmCommand.ResolveAsync(result, cancellationToken) is not { } resolved)
            {
                return ExitCodes.Endpoints;
            }

            using var fleet = new Fleet(result.GetValue(PmCommand.Token), PmCommand.TimeoutOf(result));
            var states = await fleet.FetchAllAsync(resolved.Endpoints, cancellationToken);
            if (result.GetValue(json))
            {
                WriteJson(states);
            }
            else
            {
                WriteTable(states);
            }

            return states.All(s => s.Error is null) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static void WriteTable(EndpointState[] states)
    {
        foreach (var state in states.Where(s => s.Error is not null))
        {
            Terminal.Error($"{state.Endpoint.Name}: {state.Error}");
        }

        var rows = ProcRow.Sort(ProcRow.From(states), "age");
        if (rows.Count == 0)
        {
            // "No running tasks" only where a server said so: an endpoint that did not answer has tasks nobody saw.
            var answered = states.Count(s => s.Error is null);
            Terminal.Line(answered == states.Length
                ? "no running tasks"
                : answered == 0
                    ? $"no endpoint answered ({Format.Count(states.Length, "endpoint")} asked): its tasks are unknown"
                    : $"no running tasks on the {Format.Count(answered, "endpoint")} that answered; {Format.Count(states.Length - answered, "endpoint")} did not, its tasks unknown");
            return;
        }

        var console = Terminal.Stdout();
        console.Write(ProcRow.Table(rows));
    }

    private static void WriteJson(EndpointState[] states)
    {
        var array = new JsonArray();
        foreach (var state in states)
        {
            var item = new JsonObject { ["endpoint"] = state.Endpoint.Name };
            if (state.Response is { } response)
            {
                var node = JsonSerializer.SerializeToNode(response, PmJsonContext.Default.ProcResponse)!;
                item["procs"] = node["procs"]!.DeepClone();
                item["serverTime"] = node["serverTime"]!.DeepClone();
            }
            else
            {
                item["error"] = state.Error;
            }

            array.Add(item);
        }

        // The serializer escapes every control character (ESC as \u001B) and every non-ASCII one: nothing in it acts on a terminal.
        Console.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
