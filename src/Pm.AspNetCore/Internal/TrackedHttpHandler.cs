using System.Globalization;

namespace Pm.AspNetCore.Internal;

/// <summary>
/// The outermost handler of every <c>IHttpClientFactory</c> client: inside a task, it lists the request as the task's
/// call and links the request to the task's token, so that a kill aborts the request.
/// </summary>
internal sealed class TrackedHttpHandler : DelegatingHandler
{
    private static readonly string[] StatusTexts = CreateStatusTexts();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Outside any task, or with HTTP observation off, the request goes on untouched.
        var task = TrackedTask.Current;
        return task is null || !task.List.Dependencies.Http || request.RequestUri is not { IsAbsoluteUri: true } uri
            ? base.SendAsync(request, cancellationToken)
            : SendTrackedAsync(task, uri, request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var task = TrackedTask.Current;
        if (task is null || !task.List.Dependencies.Http || request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            return base.Send(request, cancellationToken);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, task.CancellationToken);
        var call = Begin(task, uri, request);
        try
        {
            var response = base.Send(request, linked.Token);
            call.End(StatusText((int)response.StatusCode));
            return response;
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }
    }

    internal static string Describe(HttpRequestMessage request, Uri uri, DependencyOptions options)
    {
        if (IsGrpc(request))
        {
            // A gRPC call's path is its method.
            return options.Describe(string.Concat("gRPC ", uri.AbsolutePath.AsSpan(1)));
        }

        var path = options.HttpQueryString ? uri.PathAndQuery : uri.AbsolutePath;
        return options.Describe(string.Concat("HTTP ", request.Method.Method, " ", uri.Authority, path));
    }

    private static bool IsGrpc(HttpRequestMessage request) =>
        request.Content?.Headers.ContentType?.MediaType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private async Task<HttpResponseMessage> SendTrackedAsync(TrackedTask task, Uri uri, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, task.CancellationToken);
        var call = Begin(task, uri, request);
        try
        {
            var response = await base.SendAsync(request, linked.Token).ConfigureAwait(false);
            call.End(StatusText((int)response.StatusCode));
            return response;
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }
    }

    private static TaskCall Begin(TrackedTask task, Uri uri, HttpRequestMessage request) =>
        task.BeginCall(IsGrpc(request) ? CallKinds.Grpc : CallKinds.Http, Describe(request, uri, task.List.Dependencies), uri.Authority);


    private static string StatusText(int status) =>
        (uint)(status - 100) < (uint)StatusTexts.Length ? StatusTexts[status - 100] : status.ToString(CultureInfo.InvariantCulture);

    private static string[] CreateStatusTexts()
    {
        var texts = new string[500];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = (i + 100).ToString(CultureInfo.InvariantCulture);
        }

        return texts;
    }
}
