using System.CommandLine;
using System.Globalization;
using Pm.Client;

namespace Pm.Cli;

/// <summary>Builds the <c>pm</c> command line.</summary>
internal static class PmCommand
{
    public static readonly Option<string?> Endpoints = new("--endpoints", "-e")
    {
        Description = "Servers to watch, comma-separated: host:port, http(s)://host:port[/prefix], dns://name:port (every A/AAAA record), "
            + "srv://_service._proto.name (every SRV target), file:PATH (one entry a line, # comments). Defaults to $PM_ENDPOINTS.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PM_ENDPOINTS"),
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer token for servers that require one. Defaults to $PM_TOKEN.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PM_TOKEN"),
    };

    public static readonly Option<string?> DnsServer = new("--dns-server")
    {
        Description = "The DNS server for dns:// and srv:// sources, as host[:port] (53 by default), instead of the system's resolver.",
        Recursive = true,
    };

    public static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Seconds to wait for a server's answer.",
        Recursive = true,
        DefaultValueFactory = _ => 5,
    };

    public static RootCommand Create()
    {
        var root = new RootCommand(
            """
            pm: see and kill what is running inside .NET and Go servers that serve the pm interface.

            Examples:
              pm top -e 127.0.0.1:8081,10.0.0.7:8081
              pm ls --json
              pm history 127.0.0.1:8081 req77
              pm kill 127.0.0.1:8081 req77 -m "too slow"
              pm web -e 127.0.0.1:8081,10.0.0.7:8081
            """);
        root.Options.Add(Endpoints);
        root.Options.Add(Token);
        root.Options.Add(DnsServer);
        root.Options.Add(Timeout);
        root.Subcommands.Add(TopCommand.Create());
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        root.Subcommands.Add(KillCommand.Create());
        root.Subcommands.Add(Web.WebCommand.Create());
        return root;
    }

    public static TimeSpan TimeoutOf(ParseResult result)
    {
        var seconds = result.GetValue(Timeout);
        return seconds > 0 && double.IsFinite(seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(5);
    }

    /// <summary>Reads the endpoint sources, or explains on stderr why they are not valid.</summary>
    public static Discovery? DiscoveryOf(ParseResult result)
    {
        try
        {
            return Discovery.Parse(result.GetValue(Endpoints), result.GetValue(DnsServer));
        }
        catch (FormatException ex)
        {
            Terminal.Error(ex.Message);
            return null;
        }
    }

    /// <summary>Resolves the endpoint sources once, or explains on stderr why they do not resolve.</summary>
    public static async Task<(Discovery Discovery, IReadOnlyList<Endpoint> Endpoints)?> ResolveAsync(ParseResult result, CancellationToken cancellationToken)
    {
        if (DiscoveryOf(result) is not { } discovery)
        {
            return null;
        }

        try
        {
            return (discovery, await discovery.ResolveAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (DiscoveryException ex)
        {
            Terminal.Error(ex.Message);
            return null;
        }
    }

    /// <summary>Runs a command against the one endpoint an argument names, turning failures into exit codes and one line on stderr.</summary>
    public static async Task<int> OnEndpointAsync(ParseResult result, string endpoint, Func<PmClient, Endpoint, Task<int>> body)
    {
        Endpoint target;
        try
        {
            target = Endpoint.Parse(endpoint);
        }
        catch (FormatException ex)
        {
            Terminal.Error(ex.Message);
            return ExitCodes.Failure;
        }

        using var fleet = new Fleet(result.GetValue(Token), TimeoutOf(result));
        try
        {
            return await fleet.CallAsync(target, client => body(client, target), CancellationToken.None).ConfigureAwait(false);
        }
        catch (PmClientException ex)
        {
            Terminal.Error($"{target.Name}: {ex.Message}");
            return ex.Kind == PmErrorKind.Unauthorized ? ExitCodes.Unauthorized : ExitCodes.Failure;
        }
    }

    public static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
