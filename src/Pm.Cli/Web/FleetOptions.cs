using System.Net;

namespace Pm.Cli.Web;

/// <summary>How <c>pm web</c> listens, whom it lets in, and how it watches the fleet.</summary>
internal sealed record FleetOptions
{
    /// <summary>Gets the address the page is served on. The default value is 127.0.0.1:8090.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 8090);

    /// <summary>Gets a value indicating whether <see cref="Listen"/> is <c>localhost</c> (both loopback addresses).</summary>
    public bool ListenLocalhost { get; init; }

    /// <summary>Gets the token the page's visitors present; required unless the listener is loopback.</summary>
    public string? PageToken { get; init; }

    /// <summary>Gets the bearer token sent to the servers; it never reaches the page.</summary>
    public string? ServerToken { get; init; }

    /// <summary>Gets how long one answer of one server may take. The default value is 5 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets how often the endpoint list is asked for again. The default value is 30 s.</summary>
    public TimeSpan DiscoveryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how often a server without a live stream (a Go server) is polled. The default value is 1 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the answer time past which a server is shown slow. The default value is 1 s.</summary>
    public TimeSpan SlowAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how long an open live stream may stay silent before it is opened again. The default value is 35 s.</summary>
    /// <remarks>A quiet server sends a keep-alive every 15 s; a stream silent for longer may be a connection that died unseen.</remarks>
    public TimeSpan StreamSilence { get; init; } = TimeSpan.FromSeconds(35);

    /// <summary>Gets how many calls (polls, finished lists, histories, kills; not the open streams) are in flight at once across the fleet. The default value is 16.</summary>
    public int MaxConcurrentRequests { get; init; } = 16;

    /// <summary>Gets the clock of health and last-seen times.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Gets a value indicating whether the listener is reachable from this machine only.</summary>
    public bool IsLoopback => ListenLocalhost || IPAddress.IsLoopback(Listen.Address);

    /// <summary>Parses <c>host:port</c> for <c>--listen</c>: an IP address or <c>localhost</c>, and a port.</summary>
    /// <exception cref="FormatException">The text is not such an address.</exception>
    public static (IPEndPoint EndPoint, bool Localhost) ParseListen(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)
            && ushort.TryParse(trimmed.AsSpan(10), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            return (new IPEndPoint(IPAddress.Loopback, port), true);
        }

        // A port is required: [v6]:port, or v4:port.
        var hasPort = trimmed.StartsWith('[') ? trimmed.Contains("]:", StringComparison.Ordinal) : trimmed.Count(c => c == ':') == 1;
        if (hasPort && IPEndPoint.TryParse(trimmed, out var endPoint))
        {
            return (endPoint, false);
        }

        throw new FormatException($"'{text}' is not an address to listen on; use ip:port or localhost:port, such as 127.0.0.1:8090 or [::]:8090.");
    }
}
