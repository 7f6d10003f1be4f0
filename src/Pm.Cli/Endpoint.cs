namespace Pm.Cli;

/// <summary>One pm server to talk to: <c>host:port</c>, or a full <c>http://</c> URL.</summary>
internal sealed record Endpoint(string Name, Uri Address)
{
    public static Endpoint Parse(string text)
    {
        var trimmed = text.Trim();
        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new FormatException($"'{text}' is not an endpoint; use host:port or http://host:port.");
        }

        return new Endpoint(trimmed.Contains("://", StringComparison.Ordinal) ? uri.Authority : trimmed, uri);
    }

    public static IReadOnlyList<Endpoint> ParseList(string? text)
    {
        var parts = (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return [.. parts.Select(Parse)];
    }
}
