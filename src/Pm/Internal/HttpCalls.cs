namespace Pm.Internal;

/// <summary>How an outgoing HTTP request is listed: one rule for the factory's handler and for any other client.</summary>
internal static class HttpCalls
{
    /// <summary>The kill hook of a request sent by a client of <c>IHttpClientFactory</c>: it cancels the request's own token source.</summary>
    public static readonly Action<object?> CancelSource = static source => ((CancellationTokenSource)source!).Cancel();

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

        var path = options.HttpQueryString ? uri.PathAndQuery : uri.AbsolutePath;
        return options.Describe(string.Concat("HTTP ", request.Method.Method, " ", authority, path));
    }
}
