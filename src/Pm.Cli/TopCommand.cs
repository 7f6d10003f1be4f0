using System.CommandLine;

namespace Pm.Cli;

/// <summary><c>pm top</c>: the live, full-screen view of every endpoint's running tasks.</summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var refresh = new Option<double>("--refresh", "-r")
        {
            Description = "Seconds between polls of each endpoint.",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command(
            "top",
            """
            Watch the running tasks of every endpoint live, merged and oldest first, with one column per attribute.
            Ages come from each server's own clock. An endpoint that is down or slow is shown in its status line
            while the others keep updating.

            Keys: ↑/↓ select, k kill (asks for a message, then confirms), Enter history, / filter, s sort column,
                  d refresh delay, p pause, q quit.

            Example:
              pm top -e 127.0.0.1:8081,10.0.0.7:8081 --refresh 0.5
            """)
        {
            refresh,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (PmCommand.EndpointsOf(result) is not { } endpoints)
            {
                return ExitCodes.Failure;
            }

            var seconds = result.GetValue(refresh);
            if (!(seconds is >= 0.05 and <= 3600))
            {
                await Console.Error.WriteLineAsync("pm: --refresh must be a number of seconds from 0.05 to 3600.");
                return ExitCodes.Failure;
            }

            using var fleet = new Fleet(endpoints, result.GetValue(PmCommand.Token), PmCommand.TimeoutOf(result));
            return await new TopView(fleet, TimeSpan.FromSeconds(seconds)).RunAsync(cancellationToken);
        });
        return command;
    }
}
