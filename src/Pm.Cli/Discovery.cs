namespace Pm.Cli;

/// <summary>The endpoints a command works on, from the sources given with <c>--endpoints</c> or <c>PM_ENDPOINTS</c>, resolved as often as the command needs.</summary>
/// <remarks>
/// <para>
/// The first resolution is strict: a DNS name without records, a resolver that does not answer or an unreadable file
/// throws <see cref="DiscoveryException"/>, so a command stops with a clear message. Later resolutions are lenient, as
/// a long-running view needs: a source that fails keeps the endpoints it last gave (and says why in
/// <see cref="Problems"/>), while a source that answers with fewer endpoints drops the others — a name removed
/// from DNS, a line removed from a file.
/// </para>
/// <para>Endpoints given by several sources are listed once, in the order of their first appearance.</para>
/// <para>Resolutions may not overlap: callers resolve from one loop.</para>
/// </remarks>
internal sealed class Discovery
{
    private readonly IReadOnlyList<Endpoint>?[] _last;
    private readonly DnsResolver _resolver;
    private bool _resolved;

    public Discovery(IReadOnlyList<EndpointSource> sources, DnsResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(resolver);
        if (sources.Count == 0)
        {
            throw new ArgumentException("At least one source is needed.", nameof(sources));
        }

        Sources = sources;
        _resolver = resolver;
        _last = new IReadOnlyList<Endpoint>?[sources.Count];
    }

    /// <summary>Gets the sources, in the order given.</summary>
    public IReadOnlyList<EndpointSource> Sources { get; }

    /// <summary>Gets a value indicating whether resolving again may give other endpoints (a DNS or file source is among the sources).</summary>
    public bool IsDynamic => Sources.Any(s => s.IsDynamic);

    /// <summary>Gets why sources kept their previous endpoints at the last resolution; empty when all answered.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>Parses the comma-separated sources of <c>--endpoints</c>, with the resolver <c>--dns-server</c> names (the system's when <see langword="null"/>).</summary>
    /// <exception cref="FormatException">A source or the DNS server is not valid, or there is no source.</exception>
    public static Discovery Parse(string? endpoints, string? dnsServer)
    {
        var sources = EndpointSource.ParseList(endpoints);
        if (sources.Count == 0)
        {
            throw new FormatException("no endpoints; pass --endpoints host:port[,…] (or dns://, srv://, file: sources) or set PM_ENDPOINTS.");
        }

        return new Discovery(sources, new DnsResolver(string.IsNullOrWhiteSpace(dnsServer) ? null : DnsResolver.ParseServer(dnsServer)));
    }

    /// <summary>Tells whether a <c>file:</c> source's file changed since it was last read, so resolving again now would be worth it.</summary>
    public bool HasFileChanged() => Sources.OfType<FileSource>().Any(f => f.HasChanged());

    /// <summary>Resolves every source now, concurrently, and returns the endpoints they name.</summary>
    /// <exception cref="DiscoveryException">
    /// On a source's first resolution: it failed, or it is a DNS name that resolves to nothing; or no source names any endpoint.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<IReadOnlyList<Endpoint>> ResolveAsync(CancellationToken cancellationToken)
    {
        var attempts = Sources.Select(s => s.ResolveAsync(_resolver, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(attempts).ConfigureAwait(false);
        }
        catch (DiscoveryException)
        {
            // Each attempt is looked at below.
        }

        cancellationToken.ThrowIfCancellationRequested();
        var problems = new List<string>();
        for (var i = 0; i < attempts.Length; i++)
        {
            var first = _last[i] is null;
            if (attempts[i].IsCompletedSuccessfully)
            {
                var endpoints = attempts[i].Result;
                if (first && endpoints.Count == 0 && Sources[i] is not FileSource)
                {
                    throw new DiscoveryException($"{Sources[i].Text}: the name does not resolve (no {(Sources[i].Text.StartsWith("srv", StringComparison.OrdinalIgnoreCase) ? "SRV" : "A or AAAA")} record).");
                }

                _last[i] = endpoints;
                continue;
            }

            var error = attempts[i].Exception!.InnerException!;
            if (error is not DiscoveryException || first)
            {
                throw error is DiscoveryException ? new DiscoveryException(error.Message, error) : error;
            }

            problems.Add(error.Message + " (keeping the endpoints it gave before)");
        }

        Problems = problems;
        var all = new List<Endpoint>();
        var seen = new HashSet<Uri>();
        foreach (var endpoint in _last.SelectMany(e => e!))
        {
            if (seen.Add(endpoint.Address))
            {
                all.Add(endpoint);
            }
        }

        // Later, an empty list is news (everything left discovery); at first, nothing to work on.
        if (all.Count == 0 && !_resolved)
        {
            throw new DiscoveryException($"{string.Join(", ", Sources.Select(s => s.Text))}: no endpoint listed.");
        }

        _resolved = true;
        return all;
    }
}
