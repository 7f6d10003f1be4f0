using System.CommandLine;

namespace Pm.Cli.Web;

/// <summary><c>pm web</c>: the dashboard of the whole fleet, served by the tool on a local port.</summary>
internal static class WebCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen", "-l")
        {
            Description = "Where to serve the page, as ip:port or localhost:port. Loopback unless told otherwise.",
            DefaultValueFactory = _ => "127.0.0.1:8090",
        };
        var pageToken = new Option<string?>("--page-token")
        {
            Description = "The token the page's visitors present (any user name, the token as password). Required when --listen is not loopback. Defaults to $PM_WEB_TOKEN.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PM_WEB_TOKEN"),
        };
        var discoveryInterval = new Option<double>("--discovery-interval")
        {
            Description = "Seconds between two readings of the endpoint list; endpoints that appear or disappear are added to or removed from the page.",
            DefaultValueFactory = _ => 30,
        };
        var poll = new Option<double>("--poll")
        {
            Description = "Seconds between refreshes: a server without a live stream (a Go server) is polled at this interval, and a .NET server's live stream sends its changes at most this long after they happen.",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command(
            "web",
            """
            Serve the dashboard of every endpoint on a local port: tasks of all servers with their host, each server's
            health (up, down, slow, unauthorized, last seen), kills and histories sent to the server that owns the task.
            .NET servers are followed through their live stream, Go servers are polled. The servers' --token stays in the
            tool: the page talks only to pm web.

            Examples:
              pm web -e 10.0.0.7:8081,10.0.0.8:8081              then open http://127.0.0.1:8090/
              PM_WEB_TOKEN="$(cat page.token)" pm web -e 10.0.0.7:8081 --listen 0.0.0.0:8090
            """)
        {
            listen,
            pageToken,
            discoveryInterval,
            poll,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await PmCommand.ResolveAsync(result, cancellationToken) is not { } resolved)
            {
                return ExitCodes.Endpoints;
            }

            FleetOptions options;
            try
            {
                var (endPoint, localhost) = FleetOptions.ParseListen(result.GetValue(listen)!);
                options = new FleetOptions
                {
                    Listen = endPoint,
                    ListenLocalhost = localhost,
                    PageToken = result.GetValue(pageToken) is { Length: > 0 } token ? token : null,
                    ServerToken = result.GetValue(PmCommand.Token),
                    Timeout = PmCommand.TimeoutOf(result),
                    DiscoveryInterval = Seconds(result.GetValue(discoveryInterval), 1, 86_400, "--discovery-interval"),
                    PollInterval = Seconds(result.GetValue(poll), 0.05, 3600, "--poll"),
                };
            }
            catch (FormatException ex)
            {
                Terminal.Error(ex.Message);
                return ExitCodes.Failure;
            }

            // The sources (host:port, dns://, srv://, file:) were resolved once above, to fail early; the server starts from
            // that answer and resolves them again every discovery interval.
            var first = resolved.Endpoints;
            Func<CancellationToken, Task<IReadOnlyList<Endpoint>>> discover = ct =>
                Interlocked.Exchange(ref first, null) is { } endpoints ? Task.FromResult(endpoints) : resolved.Discovery.ResolveAsync(ct);
            try
            {
                await using var server = await FleetServer.StartAsync(discover, options, cancellationToken);
                Terminal.Line($"pm web: the dashboard of {server.Monitor.Watchers.Count} endpoint(s) is on {server.Address}");
                await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                return ExitCodes.Ok;
            }
            catch (InvalidOperationException ex)
            {
                Terminal.Error(ex.Message);
                return ExitCodes.Failure;
            }
            catch (IOException ex)
            {
                Terminal.Error($"cannot listen on {options.Listen}: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static TimeSpan Seconds(double value, double min, double max, string name) =>
        value >= min && value <= max
            ? TimeSpan.FromSeconds(value)
            : throw new FormatException($"{name} must be a number of seconds from {min} to {max}.");
}
