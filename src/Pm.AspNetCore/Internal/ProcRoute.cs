namespace Pm.AspNetCore.Internal;

/// <summary>Names what a path under the pm prefix addresses.</summary>
internal enum ProcRouteKind
{
    NotFound,
    List,
    Task,
    History,
    BadEncoding,
    IdTooLong,
}

/// <summary>Parses the part of a raw request path after the pm prefix into the protocol's three shapes.</summary>
/// <remarks>
/// Works on the raw, still percent-encoded path, so that <c>/procs/a%2Fb/history</c> is the task <c>a/b</c> and
/// every id is decoded exactly once.
/// </remarks>
internal readonly record struct ProcRoute(ProcRouteKind Kind, string? Id = null)
{
    public static ProcRoute Parse(ReadOnlySpan<char> rest, int maxIdLength)
    {
        // rest is what follows the prefix: "", "/", "/id", "/id/", "/id/history", "/id/history/".
        if (rest.IsEmpty || rest is "/")
        {
            return new(ProcRouteKind.List);
        }

        if (rest[0] != '/')
        {
            return new(ProcRouteKind.NotFound);
        }

        rest = rest[1..];
        var slash = rest.IndexOf('/');
        var rawId = slash < 0 ? rest : rest[..slash];
        var tail = slash < 0 ? [] : rest[(slash + 1)..];
        if (rawId.IsEmpty)
        {
            return new(ProcRouteKind.NotFound);
        }

        ProcRouteKind kind;
        if (tail.IsEmpty)
        {
            kind = ProcRouteKind.Task;
        }
        else if (tail is "history" or "history/")
        {
            kind = ProcRouteKind.History;
        }
        else
        {
            return new(ProcRouteKind.NotFound);
        }

        if (rawId.Length > maxIdLength * 3)
        {
            return new(ProcRouteKind.IdTooLong);
        }

        if (!TryDecode(rawId, out var id))
        {
            return new(ProcRouteKind.BadEncoding);
        }

        return id.Length > maxIdLength ? new(ProcRouteKind.IdTooLong) : new(kind, id);
    }

    public static bool TryDecode(ReadOnlySpan<char> raw, out string decoded)
    {
        decoded = string.Empty;
        if (!raw.Contains('%'))
        {
            decoded = raw.ToString();
            return true;
        }

        var bytes = new byte[raw.Length];
        var count = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%')
            {
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                {
                    return false;
                }

                bytes[count++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                i += 2;
            }
            else if (c > 0x7F)
            {
                // Raw targets are ASCII; anything else is not a well-formed request path.
                return false;
            }
            else
            {
                bytes[count++] = (byte)c;
            }
        }

        try
        {
            decoded = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, count);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
