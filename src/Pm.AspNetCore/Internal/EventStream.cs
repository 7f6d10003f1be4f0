using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>Streams a list's changes to one subscriber as Server-Sent Events, through a bounded buffer.</summary>
/// <remarks>
/// The tracker hands each change to the buffer without waiting; when the buffer is full the subscriber is dropped
/// (it receives a <c>dropped</c> event and the stream ends), so a slow reader never slows the tasks it watches.
/// The stream opens with a <c>snapshot</c> event holding the running tasks, taken after subscribing so that no
/// change falls between the two.
/// </remarks>
internal sealed class EventStream(ProcessList list, ProcessListEndpointOptions options, TimeProvider time)
{
    private static readonly byte[] KeepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    public async Task RunAsync(HttpContext context, CancellationToken stopping)
    {
        var channel = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(options.EventBufferSize)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var dropped = false;
        using var subscription = list.Subscribe(change =>
        {
            if (!channel.Writer.TryWrite(change))
            {
                dropped = true;
                channel.Writer.TryComplete();
            }
        });

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // Streams end when the client leaves or the server stops, so a live stream never holds up a shutdown.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = ended.Token;
        try
        {
            var now = time.GetUtcNow();
            await WriteAsync(response, "snapshot", new ProcResponse([.. list.GetAll().Select(ProcDetail.From)], now), PmJsonContext.Default.ProcResponse, aborted).ConfigureAwait(false);

            while (!aborted.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                wait.CancelAfter(options.EventKeepAliveInterval);
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.Body.WriteAsync(KeepAlive, aborted).ConfigureAwait(false);
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                    continue;
                }

                if (!more)
                {
                    break;
                }

                while (channel.Reader.TryRead(out var change))
                {
                    await WriteAsync(response, EventName(change.Kind), ToWire(change), PmJsonContext.Default.ProcEvent, aborted).ConfigureAwait(false);
                }
            }

            if (dropped)
            {
                await response.WriteAsync("event: dropped\ndata: {\"reason\":\"the subscriber fell too far behind\"}\n\n", aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The subscriber went away.
        }
    }

    private static string EventName(TaskEventKind kind) => kind switch
    {
        TaskEventKind.Started => "started",
        TaskEventKind.Status => "status",
        TaskEventKind.Attribute => "attribute",
        TaskEventKind.Cancelling => "cancelling",
        _ => "finished",
    };

    private static async Task WriteAsync<T>(HttpResponse response, string name, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        // JSON written compactly has no raw newlines, so one data line holds the whole event.
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        await response.WriteAsync("event: " + name + "\ndata: ", cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        await response.WriteAsync("\n\n", cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private ProcEvent ToWire(TaskEvent change)
    {
        var wire = new ProcEvent(EventName(change.Kind), change.TaskId, change.Timestamp) { Text = change.Text };
        if (change.Kind == TaskEventKind.Finished)
        {
            return wire with { Outcome = HistoryResponse.OutcomeText(change.Outcome), Duration = change.Duration?.TotalSeconds };
        }

        return list.TryGet(change.TaskId, out var snapshot) ? wire with { Proc = ProcDetail.From(snapshot) } : wire;
    }
}
