using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Pm.AspNetCore.Internal;

/// <summary>Writes the live stream to one subscriber as Server-Sent Events: a snapshot, then the hub's frames.</summary>
/// <remarks>
/// Everything is written in chunks of at most <see cref="ChunkSize"/> bytes, each flushed before the next, so a client
/// that stops reading holds no more than a chunk and the server's output buffer; a flush that does not complete within
/// <see cref="ProcessListEndpointOptions.EventWriteTimeout"/> aborts the connection.
/// </remarks>
internal sealed class EventStream(EventHubs hubs, ProcessListEndpointOptions options, TimeProvider time)
{
    /// <summary>The header that tells the subscriber the time between two frames of its stream, in milliseconds.</summary>
    public const string FrameIntervalHeader = "X-Pm-Frame-Interval";

    private const int ChunkSize = 16 * 1024;

    public async Task RunAsync(HttpContext context, CancellationToken stopping)
    {
        var response = context.Response;
        TimeSpan? requested = null;
        if (context.Request.Query.TryGetValue("interval", out var text))
        {
            if (!ListQuery.TryParseDuration(text.ToString(), out var interval))
            {
                response.StatusCode = StatusCodes.Status400BadRequest;
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("interval must be a duration such as 1s, 500ms or 5s\n", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            requested = interval;
        }

        var hub = hubs.For(requested);
        var subscriber = hub.TryJoin(ClientOf(context), out var snapshot, out var snapshotTime, out var refusal);
        if (subscriber is null)
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.Headers.RetryAfter = "5";
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(refusal + "\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers[FrameIntervalHeader] = ((long)hub.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // Streams end when the client leaves or the server stops, so a live stream never holds up a shutdown.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = ended.Token;
        using var stall = time.CreateTimer(static state => ((HttpContext)state!).Abort(), context, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var idle = time.CreateTimer(static state => ((EventSubscriber)state!).Evict(EventFormat.IdleTimeout), subscriber, options.EventIdleTimeout, Timeout.InfiniteTimeSpan);
        var body = response.BodyWriter;
        try
        {
            await WriteSnapshotAsync(body, snapshot, snapshotTime, stall, aborted).ConfigureAwait(false);
            while (true)
            {
                bool more;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted))
                {
                    wait.CancelAfter(options.EventKeepAliveInterval);
                    try
                    {
                        more = await subscriber.WaitAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        await WriteAsync(body, EventFormat.KeepAlive, stall, aborted).ConfigureAwait(false);
                        continue;
                    }
                }

                if (!more)
                {
                    break;
                }

                while (subscriber.TryRead(out var frame))
                {
                    await WriteAsync(body, frame, stall, aborted).ConfigureAwait(false);
                }
            }

            // Dropped or evicted: the client learns why, so it reconnects rather than reports a broken connection.
            if (subscriber.LastEvent is { } last)
            {
                await WriteAsync(body, last, stall, aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The subscriber went away, or the server is stopping.
        }
        catch (IOException)
        {
            // The connection broke, or was aborted for stalling.
        }
        finally
        {
            hub.Leave(subscriber);
        }
    }

    // One user or one host holds at most its share of the slots; an address is compared as IPv4 when it is one.
    private static string ClientOf(HttpContext context)
    {
        if (context.User.Identity is { IsAuthenticated: true, Name: { } user })
        {
            return "user " + user;
        }

        var address = context.Connection.RemoteIpAddress;
        return "address " + (address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address);
    }

    private async Task WriteSnapshotAsync(PipeWriter body, EventView.Entry[] entries, DateTimeOffset serverTime, ITimer stall, CancellationToken cancellationToken)
    {
        body.Write(EventFormat.SnapshotStart);
        var buffered = EventFormat.SnapshotStart.Length;
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            var json = entries[i].Json;
            body.Write(json);
            buffered += json.Length + 1;
            if (buffered >= ChunkSize)
            {
                await FlushAsync(body, stall, cancellationToken).ConfigureAwait(false);
                buffered = 0;
            }
        }

        EventFormat.WriteSnapshotEnd(body, serverTime);
        await FlushAsync(body, stall, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(PipeWriter body, ReadOnlyMemory<byte> data, ITimer stall, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var chunk = data.Length > ChunkSize ? data[..ChunkSize] : data;
            body.Write(chunk.Span);
            data = data[chunk.Length..];
            await FlushAsync(body, stall, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(PipeWriter body, ITimer stall, CancellationToken cancellationToken)
    {
        stall.Change(options.EventWriteTimeout, Timeout.InfiniteTimeSpan);
        var result = await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        stall.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new IOException("The connection closed.");
        }
    }
}

/// <summary>
/// The live stream's hubs of one list, one per frame rate a subscriber may ask for: the server's own
/// <see cref="ProcessListEndpointOptions.EventFrameInterval"/>, once a second and once every five seconds.
/// </summary>
/// <remarks>
/// A fixed, small set: whatever subscribers ask, a change costs the task that made it at most one enqueue per hub in
/// use, and a hub with no subscriber costs nothing.
/// </remarks>
internal sealed class EventHubs
{
    private static readonly TimeSpan[] Rates = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    private readonly EventHub[] _hubs;

    public EventHubs(ProcessList list, ProcessListEndpointOptions options, TimeProvider time)
    {
        var slots = new EventSlots(options, time);
        _hubs = [.. new[] { options.EventFrameInterval }.Concat(Rates.Where(r => r > options.EventFrameInterval)).Select(i => new EventHub(list, options, time, i, slots))];
    }

    /// <summary>Gets the hub of the longest interval not longer than <paramref name="requested"/>; the server's own without a request or below it.</summary>
    public EventHub For(TimeSpan? requested)
    {
        var hub = _hubs[0];
        foreach (var candidate in _hubs)
        {
            if (requested >= candidate.Interval)
            {
                hub = candidate;
            }
        }

        return hub;
    }
}
