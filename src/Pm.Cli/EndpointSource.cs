namespace Pm.Cli;

/// <summary>Where endpoints come from: a fixed address, a DNS name, a DNS SRV name, or a file of such entries.</summary>
/// <remarks>
/// Sources are parsed once, checking their syntax, and resolved as often as the caller likes: a DNS or file source may
/// answer differently each time.
/// </remarks>
internal abstract class EndpointSource(string text)
{
    /// <summary>Gets the source as the user wrote it, for messages.</summary>
    public string Text { get; } = text;

    /// <summary>Gets a value indicating whether resolving again may give other endpoints.</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Parses one source: <c>host:port</c>, <c>http(s)://host:port[/prefix]</c>, <c>dns://name:port[/prefix]</c>, <c>srv://_service._proto.name[/prefix]</c> or <c>file:PATH</c>.</summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static EndpointSource Parse(string text, bool allowFile = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var path = trimmed["file:".Length..];
            if (!allowFile)
            {
                throw new FormatException($"'{trimmed}': a file source cannot name another file.");
            }

            return path.Length == 0 ? throw new FormatException("'file:' needs a path, as in file:/etc/pm/endpoints.") : new FileSource(trimmed, path);
        }

        if (trimmed.StartsWith("dns://", StringComparison.OrdinalIgnoreCase))
        {
            var (authority, prefix) = SplitPath(trimmed["dns://".Length..]);
            var colon = authority.LastIndexOf(':');
            if (colon <= 0 || authority.EndsWith(']') || !int.TryParse(authority[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new FormatException($"'{trimmed}' needs a name and a port, as in dns://pm.example:8081.");
            }

            var name = authority[..colon].Trim('[', ']');
            return name.Length == 0 ? throw new FormatException($"'{trimmed}' has no name.") : new DnsSource(trimmed, name, port, prefix);
        }

        if (trimmed.StartsWith("srv://", StringComparison.OrdinalIgnoreCase))
        {
            var (name, prefix) = SplitPath(trimmed["srv://".Length..]);
            if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal) || !name.Contains('.', StringComparison.Ordinal))
            {
                throw new FormatException($"'{trimmed}' needs a service name without a port, as in srv://_pm._tcp.example.");
            }

            return new SrvSource(trimmed, name, prefix);
        }

        if (trimmed.Contains("://", StringComparison.Ordinal) && !trimmed.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{trimmed}' is not an endpoint; use host:port, http(s)://host:port[/prefix], dns://name:port, srv://_service._proto.name or file:PATH.");
        }

        return new FixedSource(Endpoint.Parse(trimmed));
    }

    /// <summary>Parses a comma-separated list of sources.</summary>
    /// <exception cref="FormatException">An entry is not a source.</exception>
    public static IReadOnlyList<EndpointSource> ParseList(string? text, bool allowFile = true) =>
        [.. (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Parse(s, allowFile))];

    /// <summary>Resolves the source to the endpoints it names now.</summary>
    /// <exception cref="DiscoveryException">The source could not be resolved this time (the resolver did not answer, the file cannot be read).</exception>
    public abstract Task<IReadOnlyList<Endpoint>> ResolveAsync(DnsResolver resolver, CancellationToken cancellationToken);

    private static (string Head, string Prefix) SplitPath(string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, "/") : (rest[..slash], rest[slash..]);
    }

    /// <summary>One address, given as <c>host:port</c> or a URL.</summary>
    private sealed class FixedSource(Endpoint endpoint) : EndpointSource(endpoint.Name)
    {
        public override bool IsDynamic => false;

        public override Task<IReadOnlyList<Endpoint>> ResolveAsync(DnsResolver resolver, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Endpoint>>([endpoint]);
    }

    /// <summary>Every A and AAAA record of a name, each at the same port.</summary>
    private sealed class DnsSource(string text, string name, int port, string prefix) : EndpointSource(text)
    {
        public override bool IsDynamic => true;

        public override async Task<IReadOnlyList<Endpoint>> ResolveAsync(DnsResolver resolver, CancellationToken cancellationToken)
        {
            var addresses = await resolver.AddressesAsync(name, cancellationToken).ConfigureAwait(false);
            return [.. addresses.Select(a => Endpoint.At(a, port, path: prefix))];
        }
    }

    /// <summary>Every target of an SRV name, at the target's port, each target at each of its addresses.</summary>
    private sealed class SrvSource(string text, string name, string prefix) : EndpointSource(text)
    {
        public override bool IsDynamic => true;

        public override async Task<IReadOnlyList<Endpoint>> ResolveAsync(DnsResolver resolver, CancellationToken cancellationToken)
        {
            var targets = await resolver.ServicesAsync(name, cancellationToken).ConfigureAwait(false);
            return [.. targets.Select(t => Endpoint.At(t.Address, t.Port, path: prefix))];
        }
    }
}
