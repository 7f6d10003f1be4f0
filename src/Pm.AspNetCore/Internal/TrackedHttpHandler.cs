using System.Diagnostics.CodeAnalysis;
using Pm.Internal;

namespace Pm.AspNetCore.Internal;

/// <summary>
/// The outermost handler of every <c>IHttpClientFactory</c> client: inside a task, it lists the request as the task's
/// call and gives the request a token that a kill of the task cancels, so that the kill aborts it.
/// </summary>
internal sealed class TrackedHttpHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        return Tracks(request, out var task, out var uri)
            ? SendTrackedAsync(task, uri, request, cancellationToken)
            : base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!Tracks(request, out var task, out var uri))
        {
            return base.Send(request, cancellationToken);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = Begin(task, uri, request, linked);
        try
        {
            var response = base.Send(request, linked.Token);
            call.End(StatusCodeText.Of((int)response.StatusCode));
            return response;
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }
    }

    // Outside any task, or with HTTP observation off, the request goes on untouched.
    private static bool Tracks(HttpRequestMessage request, [NotNullWhen(true)] out TrackedTask? task, [NotNullWhen(true)] out Uri? uri)
    {
        task = TrackedTask.Current;
        uri = request.RequestUri;
        return task is not null && task.List.Dependencies.Http && uri is { IsAbsoluteUri: true };
    }

    private async Task<HttpResponseMessage> SendTrackedAsync(TrackedTask task, Uri uri, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = Begin(task, uri, request, linked);
        try
        {
            var response = await base.SendAsync(request, linked.Token).ConfigureAwait(false);
            call.End(StatusCodeText.Of((int)response.StatusCode));
            return response;
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }
    }

    // The call's kill hook cancels the request's own token source, linked to the caller's token only: cheaper than
    // linking the task's token too, and a kill before the call begins still reaches it (the hook then runs at once).
    // The hook never runs once the call has ended, which happens before the source is disposed.
    private static TaskCall Begin(TrackedTask task, Uri uri, HttpRequestMessage request, CancellationTokenSource source)
    {
        // Read once, for the description and the target.
        var authority = HttpCalls.Authority(uri);
        var kind = HttpCalls.IsGrpc(request) ? CallKinds.Grpc : CallKinds.Http;
        return task.BeginCall(kind, HttpCalls.Describe(request, uri, authority, task.List.Dependencies), authority, HttpCalls.CancelSource, source);
    }
}
