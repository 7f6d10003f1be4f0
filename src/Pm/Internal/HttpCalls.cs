using System.Collections.Concurrent;
using System.Globalization;

namespace Pm.Internal;

/// <summary>How an outgoing HTTP request is listed: one rule for the factory's handler and for any other client.</summary>
internal static class HttpCalls
{
    /// <summary>The kill hook of a request sent by a client of <c>IHttpClientFactory</c>: it cancels the request's own token source.</summary>
    public static readonly Action<object?> CancelSource = static source => ((CancellationTokenSource)source!).Cancel();

    /// <summary>At most this many authorities are kept: a service calls a handful of dependencies, not thousands.</summary>
    private const int MaxAuthorities = 256;

    // "host:port" by host and port: Uri makes its authority anew on each read, while it keeps its host.
    private static readonly ConcurrentDictionary<(string Host, int Port), string> Authorities = new();

    /// <summary>Gets the request's authority, <c>host:port</c> (the port left out when it is the scheme's), without user info.</summary>
    public static string Authority(Uri uri)
    {
        var host = uri.Host;
        if (uri.IsDefaultPort)
        {
            return host;
        }

        var key = (host, uri.Port);
        if (Authorities.TryGetValue(key, out var authority))
        {
            return authority;
        }

        authority = string.Concat(host, ":", uri.Port.ToString(CultureInfo.InvariantCulture));
        if (Authorities.Count < MaxAuthorities)
        {
            Authorities.TryAdd(key, authority);
        }

        return authority;
    }

    /// <summary>Tells whether the request is a gRPC call.</summary>
    public static bool IsGrpc(HttpRequestMessage request) =>
        request.Content?.Headers.ContentType?.MediaType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>Describes a request as its status shows it: <c>HTTP GET inventory:5081/items/7</c>, or <c>gRPC</c> and its method.</summary>
    public static string Describe(HttpRequestMessage request, Uri uri, string authority, DependencyOptions options)
    {
        if (IsGrpc(request))
        {
            // A gRPC call's path is its method.
            return options.Describe(string.Concat("gRPC ", uri.AbsolutePath.AsSpan(1)));
        }

        // The path and query the handler sends (Uri keeps it once read), cut before the query unless it is kept.
        var path = uri.PathAndQuery.AsSpan();
        if (!options.HttpQueryString && path.IndexOf('?') is var query and >= 0)
        {
            path = path[..query];
        }

        return options.Describe(string.Concat(Prefix(request.Method), authority, path));
    }

    // "HTTP GET " and the like, made once for the common methods.
    private static string Prefix(HttpMethod method) =>
        method == HttpMethod.Get ? "HTTP GET "
        : method == HttpMethod.Post ? "HTTP POST "
        : method == HttpMethod.Put ? "HTTP PUT "
        : method == HttpMethod.Delete ? "HTTP DELETE "
        : method == HttpMethod.Patch ? "HTTP PATCH "
        : method == HttpMethod.Head ? "HTTP HEAD "
        : string.Concat("HTTP ", method.Method, " ");
}
