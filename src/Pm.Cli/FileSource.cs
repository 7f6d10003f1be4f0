namespace Pm.Cli;

/// <summary>A file of sources, one or more a line (comma-separated), <c>#</c> starting a comment; read again at each resolution.</summary>
/// <remarks>
/// Its lines may be any source but another file. <see cref="HasChanged"/> tells, from the file's size and time of
/// last write, whether it changed since it was last read, so a long-running command can resolve again at once.
/// </remarks>
internal sealed class FileSource(string text, string path) : EndpointSource(text)
{
    private readonly string _path = Path.GetFullPath(path);
    private readonly Lock _lock = new();
    private (DateTime Written, long Length)? _read;

    public override bool IsDynamic => true;

    /// <summary>Tells whether the file changed (or appeared, or went away) since it was last read.</summary>
    public bool HasChanged()
    {
        var stamp = Stamp();
        lock (_lock)
        {
            return stamp != _read;
        }
    }

    public override async Task<IReadOnlyList<Endpoint>> ResolveAsync(DnsResolver resolver, CancellationToken cancellationToken)
    {
        var stamp = Stamp();
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(_path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Remember(stamp);
            throw new DiscoveryException($"{Text}: cannot read {_path}: {ex.Message}", ex);
        }

        Remember(stamp);
        var sources = new List<EndpointSource>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            try
            {
                sources.AddRange(ParseList(hash < 0 ? line : line[..hash], allowFile: false));
            }
            catch (FormatException ex)
            {
                throw new DiscoveryException($"{_path} line {i + 1}: {ex.Message}", ex);
            }
        }

        var resolved = await Task.WhenAll(sources.Select(s => s.ResolveAsync(resolver, cancellationToken))).ConfigureAwait(false);
        return [.. resolved.SelectMany(r => r)];
    }

    private void Remember((DateTime Written, long Length)? stamp)
    {
        lock (_lock)
        {
            _read = stamp;
        }
    }

    private (DateTime Written, long Length)? Stamp()
    {
        var info = new FileInfo(_path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }
}
