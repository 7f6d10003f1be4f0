using System.CommandLine;

namespace Pm.Cli;

/// <summary><c>pm top</c>: the live, full-screen view of every endpoint's running tasks.</summary>
internal static class TopCommand
{
    public static Command Create()
    {
        var refresh = new Option<double>("--refresh", "-r")
        {
            Description = "Seconds between refreshes: a Go server is polled at this interval, and a .NET server's live stream sends its changes at most this long after they happen.",
            DefaultValueFactory = _ => 1,
        };
        var discoveryInterval = new Option<double>("--discovery-interval")
        {
            Description = "Seconds between resolutions of dns://, srv:// and file: sources (a changed file is read again at once).",
            DefaultValueFactory = _ => 30,
        };
        var command = new Command(
            "top",
            """
            Watch the running tasks of every endpoint live, merged and oldest first, with one column per attribute.
            Ages come from each server's own clock. An endpoint that is down or slow is shown in its status line
            while the others keep updating.

            Endpoints from dns://, srv:// and file: sources are resolved again every --discovery-interval seconds:
            endpoints that join or leave are named in the footer; one that stops answering stays, shown as DOWN,
            until discovery drops it. With many endpoints, one summary line counts them and only those not up are
            listed.

            Keys: ↑/↓ select, k kill (asks for a message, then confirms), Enter history, / filter, s sort column,
                  d refresh delay, p pause, q quit.

            Example:
              pm top -e 127.0.0.1:8081,10.0.0.7:8081 --refresh 0.5
              pm top -e dns://pm.orders.svc.cluster.local:8081 --discovery-interval 10
            Exit code 0 on quit, 5 when the endpoints cannot be had at start.
            """)
        {
            refresh,
            discoveryInterval,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var seconds = result.GetValue(refresh);
            if (!(seconds is >= 0.05 and <= 3600))
            {
                Terminal.Error("--refresh must be a number of seconds from 0.05 to 3600.");
                return ExitCodes.Failure;
            }

            var discoverySeconds = result.GetValue(discoveryInterval);
            if (!(discoverySeconds is >= 0.1 and <= 86400))
            {
                Terminal.Error("--discovery-interval must be a number of seconds from 0.1 to 86400.");
                return ExitCodes.Failure;
            }

            if (await PmCommand.ResolveAsync(result, cancellationToken) is not { } resolved)
            {
                return ExitCodes.Endpoints;
            }

            using var fleet = new Fleet(result.GetValue(PmCommand.Token), PmCommand.TimeoutOf(result));
            await using var monitor = new FleetMonitor(fleet, TimeSpan.FromSeconds(seconds));
            monitor.SetEndpoints(resolved.Endpoints);
            return await new TopView(monitor, resolved.Discovery, TimeSpan.FromSeconds(discoverySeconds)).RunAsync(cancellationToken);
        });
        return command;
    }
}
