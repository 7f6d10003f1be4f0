using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Internal;

/// <summary>Tracks each request as a task whose token a kill cancels, and records how the request ended.</summary>
internal sealed class ProcessTrackingMiddleware(
    RequestDelegate next,
    ProcessList list,
    ProcessTrackingOptions options,
    ProcessListPrefixes prefixes,
    TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (IsExcluded(context.Request.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        var clientAborted = context.RequestAborted;
        var remote = context.Connection.RemoteIpAddress is { } ip
            ? ip + ":" + context.Connection.RemotePort.ToString(CultureInfo.InvariantCulture)
            : string.Empty;
        var traceId = Activity.Current?.TraceId.ToHexString();
        KeyValuePair<string, object?>[] attributes = traceId is null
            ? [new("method", request.Method), new("uri", request.Path.Value + request.QueryString.Value), new("host", remote)]
            : [new("method", request.Method), new("uri", request.Path.Value + request.QueryString.Value), new("host", remote), new("traceId", traceId)];

        var taskOptions = context.GetEndpoint()?.Metadata.GetMetadata<TaskOptions>() ?? options.TaskOptions;
        var task = list.Start(options.IdFactory?.Invoke(context) ?? context.TraceIdentifier, attributes, taskOptions, clientAborted);
        var feature = new TrackedTaskFeature(task);
        context.Features.Set<ITrackedTaskFeature>(feature);
        context.RequestAborted = task.CancellationToken;
        using var grace = options.KillGracePeriod == Timeout.InfiniteTimeSpan ? null : new KillGrace(context, task, options.KillGracePeriod, time);

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Ends(task, context, ex, options.KilledStatusCode))
        {
            // The request's own kill: answered here rather than reported by the server as an unhandled failure.
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = options.KilledStatusCode;
                context.Response.ContentType = "text/plain; charset=utf-8";
                var message = task.KillRequest?.Message;
                await context.Response.WriteAsync(string.IsNullOrEmpty(message) ? "killed\n" : "killed: " + message + "\n", clientAborted).ConfigureAwait(false);
            }

            return;
        }
        finally
        {
            context.RequestAborted = clientAborted;
        }

        task.SetAttribute("statusCode", context.Response.StatusCode);
        task.Done(clientAborted.IsCancellationRequested ? new OperationCanceledException(clientAborted) : null);
    }

    // Runs as an exception filter so the outcome is recorded before outer middleware sees the exception; true only
    // for the request's own kill, which is then answered instead of rethrown.
    private static bool Ends(TrackedTask task, HttpContext context, Exception exception, int killedStatusCode)
    {
        // Attributes freeze when the task ends, so the code is set first, from what the answer is about to be.
        var killed = task.IsCancelling && exception is OperationCanceledException;
        task.SetAttribute("statusCode", context.Response.HasStarted ? context.Response.StatusCode
            : killed ? killedStatusCode : StatusCodes.Status500InternalServerError);
        task.Done(exception);
        return exception is OperationCanceledException && task.Outcome == TaskOutcome.Killed;
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

    private sealed class TrackedTaskFeature(TrackedTask task) : ITrackedTaskFeature
    {
        public TrackedTask Task { get; } = task;
    }

    /// <summary>Aborts a killed request that is still running once the grace period is over.</summary>
    private sealed class KillGrace : IDisposable
    {
        private readonly HttpContext _context;
        private readonly TimeSpan _period;
        private readonly TimeProvider _time;
        private readonly CancellationTokenRegistration _registration;
        private ITimer? _timer;
        private int _done;

        public KillGrace(HttpContext context, TrackedTask task, TimeSpan period, TimeProvider time)
        {
            _context = context;
            _period = period;
            _time = time;
            _registration = task.CancellationToken.UnsafeRegister(static (state) =>
            {
                var (grace, task) = ((KillGrace, TrackedTask))state!;
                if (task.IsCancelling)
                {
                    grace.Arm();
                }
            }, (this, task));
        }

        public void Dispose()
        {
            Volatile.Write(ref _done, 1);
            _registration.Dispose();
            _timer?.Dispose();
        }

        private void Arm() => _timer = _time.CreateTimer(static state => ((KillGrace)state!).Abort(), this, _period, Timeout.InfiniteTimeSpan);

        private void Abort()
        {
            if (Volatile.Read(ref _done) == 0)
            {
                _context.Abort();
            }
        }
    }
}
