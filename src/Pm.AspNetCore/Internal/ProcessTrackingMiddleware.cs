using Pm.Internal;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Pm.AspNetCore.Internal;

/// <summary>Tracks each request as a task whose token a kill cancels, and records how the request ended.</summary>
internal sealed class ProcessTrackingMiddleware(
    RequestDelegate next,
    ProcessList list,
    ProcessTrackingOptions options,
    ProcessListPrefixes prefixes,
    TimeProvider time,
    ShutdownCutoff cutoff)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (IsExcluded(context.Request.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        var connection = context.Connection;
        var remote = connection.RemoteIpAddress is { } ip
            ? string.Create(CultureInfo.InvariantCulture, $"{ip}:{connection.RemotePort}")
            : string.Empty;
        var uri = request.QueryString.HasValue ? request.Path.Value + request.QueryString.Value : request.Path.Value;
        var traceId = Activity.Current?.TraceId.ToHexString();
        KeyValuePair<string, object?>[] attributes = traceId is null
            ? [new("method", request.Method), new("uri", uri), new("host", remote)]
            : [new("method", request.Method), new("uri", uri), new("host", remote), new("traceId", traceId)];
        var grpc = IsGrpc(request.ContentType);
        if (grpc)
        {
            // A gRPC call's path is its method: /package.Service/Method.
            attributes = [.. attributes, new("grpcMethod", request.Path.Value?.TrimStart('/'))];
        }

        var taskOptions = context.GetEndpoint()?.Metadata.GetMetadata<TaskOptions>() ?? options.TaskOptions;
        var lifetime = context.Features.Get<IHttpRequestLifetimeFeature>();

        // Linked from the start: a client that leaves cancels the task's token whether or not the handler reads it.
        var task = list.Start(options.IdFactory?.Invoke(context) ?? context.TraceIdentifier, attributes, taskOptions, lifetime?.RequestAborted ?? default);
        using var tracked = new RequestTask(context, task, lifetime, options.KillGracePeriod, time, grpc, cutoff);
        context.Features.Set<ITrackedTaskFeature>(tracked);
        context.Features.Set<IHttpRequestLifetimeFeature>(tracked);

        try
        {
            var handling = next(context);

            // A registration of the request's own on the cut-off's token, not a continuation on a task every request
            // shares: a shared task's continuations are one list, searched under a lock each time a request ends.
            if (!handling.IsCompleted)
            {
                await handling.WaitAsync(tracked.Cutoff).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!handling.IsCompleted)
            {
                // Cut off at shutdown: its handler is no longer waited for, so the server's drain ends within its
                // timeout. The cut-off's thread is left first, so thousands of requests unwind on every core; the
                // request is counted and its connection closed once, here or by its own callback on the cut-off.
                await Task.Yield();
                tracked.Abandon();
                _ = handling.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                task.Finish(TaskOutcome.Aborted);
                return;
            }

            await handling.ConfigureAwait(false);
        }
        catch (Exception ex) when (EndsKilled(task, context, ex, tracked.ClientGone, options.KilledStatusCode))
        {
            // The request's own kill: answered here rather than reported by the server as an unhandled failure.
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = options.KilledStatusCode;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(TrackedTask.KilledText(task.KillRequest?.Message) + "\n").ConfigureAwait(false);
            }

            return;
        }
        finally
        {
            context.Features.Set(lifetime);
        }

        // As text: Go's terminal viewer expects string attributes.
        task.SetAttribute("statusCode", StatusCodeText.Of(context.Response.StatusCode));

        // gRPC answers a failed call itself, with a status in the trailers, instead of letting the exception through;
        // after a kill, any status but OK is the kill's doing.
        if (grpc && task.IsKillRequested && GrpcStatus(context) != "0")
        {
            task.Finish(TaskOutcome.Killed);
            return;
        }

        task.Finish(exception: null, abandoned: tracked.ClientGone);
    }

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static string? GrpcStatus(HttpContext context) =>
        context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } trailers && trailers.TryGetValue("grpc-status", out var status)
            ? status.ToString()
            : context.Response.Headers.TryGetValue("grpc-status", out var header) ? header.ToString() : null;

    // Runs as an exception filter, so the outcome is recorded before outer middleware sees the exception. The outcome is
    // decided first, by the tracker's one rule, so the status code recorded is the one the client gets; true for a kill,
    // which is then answered instead of rethrown.
    private static bool EndsKilled(TrackedTask task, HttpContext context, Exception exception, bool clientGone, int killedStatusCode)
    {
        var outcome = task.Decide(exception, clientGone);
        task.SetAttribute("statusCode", StatusCodeText.Of(context.Response.HasStarted ? context.Response.StatusCode
            : outcome == TaskOutcome.Killed ? killedStatusCode : StatusCodes.Status500InternalServerError));
        task.Finish(outcome);
        return outcome == TaskOutcome.Killed;
    }


    private bool IsExcluded(PathString path)
    {
        foreach (var prefix in prefixes.All)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var excluded in options.ExcludedPaths)
        {
            if (path.StartsWithSegments(excluded, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gives the handler its task, makes the request's abort token the task's, and cuts off a killed request that outlives the grace period.</summary>
    private sealed class RequestTask : ITrackedTaskFeature, IHttpRequestLifetimeFeature, IDisposable
    {
        // HTTP/2's CANCEL (RFC 9113, section 7) and HTTP/3's H3_REQUEST_CANCELLED (RFC 9114, section 8.1).
        private const int Http2Cancel = 0x8;
        private const int Http3RequestCancelled = 0x10c;

        private readonly HttpContext _context;
        private readonly IHttpRequestLifetimeFeature? _inner;
        private readonly TimeSpan _grace;
        private readonly TimeProvider _time;
        private readonly CancellationTokenRegistration _registration;
        private readonly CancellationTokenRegistration _shutdown;
        private readonly ShutdownCutoff _cutoff;
        private CancellationToken? _replaced;
        private ITimer? _timer;
        private int _done;
        private int _cut;
        private int _abandoned;

        public RequestTask(HttpContext context, TrackedTask task, IHttpRequestLifetimeFeature? inner, TimeSpan grace, TimeProvider time, bool grpc, ShutdownCutoff cutoff)
        {
            _cutoff = cutoff;
            Cutoff = cutoff.Token;
            _shutdown = Cutoff.UnsafeRegister(static state => ((RequestTask)state!).Abandon(), this);
            Task = task;
            _context = context;
            _inner = inner;
            _grace = grace;
            _time = time;
            if (grace != Timeout.InfiniteTimeSpan)
            {
                _registration = task.CancellationToken.UnsafeRegister(static state => ((RequestTask)state!).OnCancelled(), this);
            }

            // An abort request cuts the request off at once, whatever the grace period. So does any kill of a gRPC call:
            // resetting its stream is how gRPC cancels, and its client then sees Cancelled — done before the token
            // falls, since the server would otherwise answer the handler's cancellation as Unknown first.
            task.OnAbort(static state => ((RequestTask)state!).CutOff(), this, onEveryKill: grpc);
        }

        public TrackedTask Task { get; }

        /// <summary>Gets a value indicating whether the client went away.</summary>
        public bool ClientGone => _inner?.RequestAborted.IsCancellationRequested == true;

        public CancellationToken RequestAborted
        {
            get => _replaced ?? Task.CancellationToken;
            set => _replaced = value;
        }

        /// <summary>Gets the token that falls at the shutdown's cut-off, the one this request registered on.</summary>
        public CancellationToken Cutoff { get; }

        public void Abort() => (_inner ?? throw new InvalidOperationException("The server cannot abort this request.")).Abort();

        public void Dispose()
        {
            Volatile.Write(ref _done, 1);
            _registration.Dispose();
            _shutdown.Dispose();
            _timer?.Dispose();
        }

        private void OnCancelled()
        {
            // The token also falls when the client leaves; only a kill starts the grace period, and an abort needs none.
            if (Task.IsKillRequested && !Task.IsAbortRequested)
            {
                _timer = _time.CreateTimer(static state => ((RequestTask)state!).CutOff(), this, _grace, Timeout.InfiniteTimeSpan);
            }
        }

        // By the request's callback within the cut-off's cancellation, or by the middleware once it leaves the cut-off's
        // thread, whichever comes first; the callback runs unless the middleware already did this and let it go, so the
        // count is whole when the cancellation returns and the cut-off logs it.
        public void Abandon()
        {
            if (Volatile.Read(ref _done) == 0 && Interlocked.Exchange(ref _abandoned, 1) == 0)
            {
                _cutoff.Abandoned(Task.ForbidsKill);
                CutOff();
            }
        }

        private void CutOff()
        {
            if (Volatile.Read(ref _done) != 0 || Interlocked.Exchange(ref _cut, 1) != 0)
            {
                return;
            }

            // Over HTTP/2 and HTTP/3 the stream is reset with CANCEL, which a gRPC client reports as Cancelled; over
            // HTTP/1.1 the connection is closed.
            if (_context.Features.Get<IHttpResetFeature>() is { } reset)
            {
                reset.Reset(HttpProtocol.IsHttp3(_context.Request.Protocol) ? Http3RequestCancelled : Http2Cancel);
            }
            else
            {
                _context.Abort();
            }
        }
    }
}
