using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace Pm.Cli;

/// <summary>Looks up addresses and SRV records, through the system's resolver or through one DNS server named with <c>--dns-server</c>.</summary>
/// <remarks>
/// Without a server, addresses come from the system (so <c>/etc/hosts</c> counts) and SRV records from the name
/// servers the system is configured with. Nothing is cached: each resolution asks again. A name that does not exist
/// or has no such record resolves to nothing; a resolver that does not answer throws <see cref="DiscoveryException"/>.
/// </remarks>
internal sealed class DnsResolver
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);
    private readonly EndPoint? _server;
    private readonly Lock _lock = new();
    private Task<LookupClient>? _client;

    /// <summary>Initializes a new instance of the <see cref="DnsResolver"/> class.</summary>
    /// <param name="server">The DNS server to ask, as an address or a name (looked up once, by the system); <see langword="null"/> for the system's resolver.</param>
    public DnsResolver(EndPoint? server = null)
    {
        if (server is not (null or IPEndPoint or DnsEndPoint))
        {
            throw new ArgumentException("The server is an IPEndPoint or a DnsEndPoint.", nameof(server));
        }

        _server = server;
    }

    /// <summary>Parses <c>--dns-server</c>: an IP address or a host name, with an optional port (53 by default), such as <c>127.0.0.1:5353</c>, <c>[::1]:53</c> or <c>ns1.example</c>.</summary>
    /// <exception cref="FormatException">The text is not an address or a name with an optional port.</exception>
    public static EndPoint ParseServer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        // IPAddress.TryParse accepts "[::1]:5353" and drops the port: a bracketed address goes to IPEndPoint.
        if (!trimmed.StartsWith('[') && IPAddress.TryParse(trimmed, out var address))
        {
            return new IPEndPoint(address, 53);
        }

        if (IPEndPoint.TryParse(trimmed, out var endpoint))
        {
            if (endpoint.Port == 0)
            {
                endpoint.Port = 53;
            }

            return endpoint;
        }

        var colon = trimmed.LastIndexOf(':');
        var host = colon < 0 ? trimmed : trimmed[..colon];
        var port = 53;
        if ((colon < 0 || int.TryParse(trimmed[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out port)) && port is > 0 and <= 65535
            && Uri.CheckHostName(host) == UriHostNameType.Dns)
        {
            return new DnsEndPoint(host, port);
        }

        throw new FormatException($"--dns-server '{text}' is not an address or a host name with an optional port, such as 127.0.0.1:5353.");
    }

    /// <summary>Looks up every A and AAAA record of <paramref name="host"/>; an IP address is returned as it is.</summary>
    /// <exception cref="DiscoveryException">The resolver did not answer, or failed.</exception>
    public async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        if (_server is null)
        {
            try
            {
                return await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
            {
                return [];
            }
            catch (SocketException ex)
            {
                throw new DiscoveryException($"looking up {host}: {ex.Message}", ex);
            }
        }

        var v4 = QueryAsync(host, QueryType.A, cancellationToken);
        var v6 = QueryAsync(host, QueryType.AAAA, cancellationToken);
        try
        {
            await Task.WhenAll(v4, v6).ConfigureAwait(false);
        }
        catch (DiscoveryException) when (v4.IsCompletedSuccessfully || v6.IsCompletedSuccessfully)
        {
            // Some servers refuse one of the two types; the other's answer stands.
        }

        return [.. new[] { v4, v6 }.Where(t => t.IsCompletedSuccessfully).SelectMany(t => t.Result.Answers.AddressRecords()).Select(r => r.Address)];
    }

    /// <summary>Looks up every SRV record of <paramref name="name"/>, and the addresses of each target.</summary>
    /// <exception cref="DiscoveryException">The resolver did not answer, or failed.</exception>
    public async Task<IReadOnlyList<(IPAddress Address, int Port)>> ServicesAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var response = await QueryAsync(name, QueryType.SRV, cancellationToken).ConfigureAwait(false);
        var services = new List<(IPAddress, int)>();
        foreach (var srv in response.Answers.SrvRecords().OrderBy(r => r.Priority).ThenByDescending(r => r.Weight))
        {
            var target = srv.Target.Value.TrimEnd('.');
            // Servers often send the targets' addresses along; otherwise they are looked up like any name.
            var given = response.Additionals.AddressRecords().Where(r => string.Equals(r.DomainName.Value.TrimEnd('.'), target, StringComparison.OrdinalIgnoreCase)).Select(r => r.Address).ToList();
            var addresses = given.Count > 0 ? given : await AddressesAsync(target, cancellationToken).ConfigureAwait(false);
            services.AddRange(addresses.Select(a => (a, (int)srv.Port)));
        }

        return services;
    }

    private async Task<IDnsQueryResponse> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        var client = await ClientAsync().ConfigureAwait(false);
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex)
        {
            throw new DiscoveryException($"looking up {type} {name}{Via()}: {ex.Message}", ex);
        }

        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new DiscoveryException($"looking up {type} {name}{Via()}: {response.ErrorMessage}");
        }

        return response;
    }

    /// <summary>The client, made on first use; a server's name that failed to resolve is tried again next time.</summary>
    private Task<LookupClient> ClientAsync()
    {
        lock (_lock)
        {
            if (_client is null || _client.IsFaulted || _client.IsCanceled)
            {
                _client = CreateClientAsync();
            }

            return _client;
        }
    }

    private async Task<LookupClient> CreateClientAsync()
    {
        LookupClientOptions options;
        switch (_server)
        {
            case IPEndPoint address:
                options = new LookupClientOptions(new NameServer(address));
                break;
            case DnsEndPoint named:
                IPAddress[] addresses;
                try
                {
                    addresses = await Dns.GetHostAddressesAsync(named.Host).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    throw new DiscoveryException($"the DNS server {named.Host} cannot be found: {ex.Message}", ex);
                }

                // IPv4 first: a server named "localhost" often listens on 127.0.0.1 only.
                options = new LookupClientOptions([.. addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetworkV6).Select(a => new NameServer(a, named.Port))]);
                break;
            default:
                options = new LookupClientOptions();
                break;
        }

        options.UseCache = false;
        options.Timeout = QueryTimeout;
        options.Retries = 1;
        options.ThrowDnsErrors = false;
        return new LookupClient(options);
    }

    private string Via() => _server switch
    {
        DnsEndPoint named => $" at {named.Host}:{named.Port}",
        { } address => " at " + address,
        null => string.Empty,
    };
}
