using System.Collections.Concurrent;

namespace Pm.Internal;

/// <summary>
/// Lists the requests a task sends through an <see cref="HttpClient"/> that is not the factory's (<c>new
/// HttpClient()</c>, a gRPC channel's own), from the <c>HttpHandlerDiagnosticListener</c> events; such a call shows in
/// the status and the history but a kill cannot stop it.
/// </summary>
/// <remarks>
/// Only the plain <c>System.Net.Http.Request</c>, <c>Response</c> and <c>Exception</c> events are asked for, and only
/// inside a task: the <c>HttpRequestOut</c> activity events are refused, so the handler creates the same activity and
/// sends the same trace headers as with no listener. A request a factory client sends is already its task's call
/// (its handler is outermost and can stop it), so it is not listed again.
/// </remarks>
internal sealed class HttpClientObserver : IObserver<KeyValuePair<string, object?>>
{
    public const string ListenerName = "HttpHandlerDiagnosticListener";

    private const string RequestEvent = "System.Net.Http.Request";
    private const string ResponseEvent = "System.Net.Http.Response";
    private const string ExceptionEvent = "System.Net.Http.Exception";

    /// <summary>The requests listed, by the id the handler gives a request's two events; only inside tasks, while in flight.</summary>
    private static readonly ConcurrentDictionary<Guid, HttpRequestMessage> InFlight = new();

    /// <summary>The kill hook of the calls listed here: it stops nothing, and only lets them be found again.</summary>
    private static readonly Action<object?> Unstoppable = static _ => { };

    /// <summary>Whether an event is wanted: the plain request events, inside a task that observes HTTP calls.</summary>
    public static readonly Predicate<string> IsEnabled = static name =>
        name is RequestEvent or ResponseEvent or ExceptionEvent && TrackedTask.Current is { } task && task.List.Dependencies.Http;

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (TrackedTask.Current is not { } task || !task.List.Dependencies.Http || value.Value is not { } payload)
        {
            return;
        }

        switch (value.Key)
        {
            case RequestEvent when Payload.Read(payload, "Request") is HttpRequestMessage { RequestUri: { IsAbsoluteUri: true } uri } request
                && Payload.Read(payload, "LoggingRequestId") is Guid id:
                var authority = HttpCalls.Authority(uri);
                var description = HttpCalls.Describe(request, uri, authority, task.List.Dependencies);
                if (!task.HasCallInFlight(HttpCalls.CancelSource, description))
                {
                    InFlight[id] = request;
                    task.BeginCall(HttpCalls.IsGrpc(request) ? CallKinds.Grpc : CallKinds.Http, description, authority, Unstoppable, request);
                }

                break;
            case ExceptionEvent when Payload.Read(payload, "Request") is HttpRequestMessage request
                && Payload.Read(payload, "Exception") is Exception exception:
                task.FindCall(request, Unstoppable).Fail(exception);
                break;
            case ResponseEvent when Payload.Read(payload, "LoggingRequestId") is Guid id && InFlight.TryRemove(id, out var request):
                var call = task.FindCall(request, Unstoppable);
                if (Payload.Read(payload, "Response") is HttpResponseMessage response)
                {
                    call.End(StatusCodeText.Of((int)response.StatusCode));
                }
                else
                {
                    call.End(task.IsKillRequested ? "killed" : "cancelled");
                }

                break;
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
