using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pm.AspNetCore.Internal;
using Pm.Client;
using Pm.Protocol;

namespace Pm.Cli.Web;

/// <summary>The routes to one task of one endpoint: its history, and its kill.</summary>
internal sealed partial class FleetRoutes
{
    private const string HostsPrefix = "/fleet/hosts/";
    private const int MaxKillBodyBytes = 16 * 1024;

    // rest: "<endpoint>/procs/<id>" or "<endpoint>/procs/<id>/history", still percent-encoded.
    private async Task TaskAsync(HttpContext context, string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !rest.AsSpan(slash).StartsWith("/procs/"))
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, "404 page not found").ConfigureAwait(false);
            return;
        }

        if (!ProcRoute.TryDecode(rest.AsSpan(0, slash), out var host))
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, "bad percent-encoding in the endpoint name").ConfigureAwait(false);
            return;
        }

        var route = ProcRoute.Parse(rest.AsSpan(slash + "/procs".Length), MaxIdLength);
        switch (route.Kind)
        {
            case ProcRouteKind.BadEncoding:
                await PlainAsync(context, StatusCodes.Status400BadRequest, "bad percent-encoding in the task id").ConfigureAwait(false);
                return;
            case ProcRouteKind.IdTooLong:
                await PlainAsync(context, StatusCodes.Status414UriTooLong, $"task ids are at most {MaxIdLength} characters").ConfigureAwait(false);
                return;
            case ProcRouteKind.History:
                if (await MethodsAsync(context, "GET, HEAD").ConfigureAwait(false) && await WatcherAsync(context, host).ConfigureAwait(false) is { } reader)
                {
                    await HistoryAsync(context, reader, route.Id!).ConfigureAwait(false);
                }

                return;
            case ProcRouteKind.Task:
                if (await MethodsAsync(context, "DELETE").ConfigureAwait(false) && await WatcherAsync(context, host).ConfigureAwait(false) is { } owner)
                {
                    await KillAsync(context, owner, route.Id!).ConfigureAwait(false);
                }

                return;
            default:
                await PlainAsync(context, StatusCodes.Status404NotFound, "404 page not found").ConfigureAwait(false);
                return;
        }
    }

    private async Task<EndpointWatcher?> WatcherAsync(HttpContext context, string host)
    {
        if (monitor.Find(host) is { } watcher)
        {
            return watcher;
        }

        await PlainAsync(context, StatusCodes.Status404NotFound, $"no such endpoint: {host}").ConfigureAwait(false);
        return null;
    }

    private static async Task HistoryAsync(HttpContext context, EndpointWatcher watcher, string id)
    {
        HistoryResponse? history;
        try
        {
            history = await watcher.CallAsync((client, ct) => client.GetHistoryAsync(id, ct), context.RequestAborted).ConfigureAwait(false);
        }
        catch (PmClientException ex)
        {
            await UpstreamFailedAsync(context, watcher, ex).ConfigureAwait(false);
            return;
        }
        catch (ObjectDisposedException)
        {
            await GoneAsync(context, watcher).ConfigureAwait(false);
            return;
        }

        if (history is null)
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, "no such process").ConfigureAwait(false);
            return;
        }

        await JsonAsync(context, writer => JsonSerializer.Serialize(writer, history, PmJsonContext.Default.HistoryResponse)).ConfigureAwait(false);
    }

    /// <summary>Sends a kill, with the page's message and abort flag (body <c>{"message":"…","abort":true}</c>, optional), to the one endpoint that owns the task.</summary>
    private static async Task KillAsync(HttpContext context, EndpointWatcher watcher, string id)
    {
        var request = context.Request;
        if (request.ContentLength > MaxKillBodyBytes || await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false) is not { } body)
        {
            await PlainAsync(context, StatusCodes.Status413PayloadTooLarge, $"the body may be at most {MaxKillBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        CancelRequest? kill = null;
        if (body.Length > 0)
        {
            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !string.Equals(type.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
            {
                await PlainAsync(context, StatusCodes.Status415UnsupportedMediaType, "the body must be application/json").ConfigureAwait(false);
                return;
            }

            try
            {
                kill = JsonSerializer.Deserialize(body, PmJsonContext.Default.CancelRequest);
            }
            catch (JsonException ex)
            {
                await PlainAsync(context, StatusCodes.Status400BadRequest, "malformed JSON body: " + ex.Message).ConfigureAwait(false);
                return;
            }
        }

        KillResult result;
        try
        {
            result = await watcher.CallAsync((client, ct) => client.KillAsync(id, kill?.Message, kill?.Abort ?? false, ct), context.RequestAborted).ConfigureAwait(false);
        }
        catch (PmClientException ex)
        {
            await UpstreamFailedAsync(context, watcher, ex).ConfigureAwait(false);
            return;
        }
        catch (ObjectDisposedException)
        {
            await GoneAsync(context, watcher).ConfigureAwait(false);
            return;
        }

        switch (result)
        {
            case KillResult.Requested:
                context.Response.StatusCode = StatusCodes.Status200OK;
                break;
            case KillResult.Forbidden:
                await PlainAsync(context, StatusCodes.Status403Forbidden, "forbidden: the task refuses kills, or the server is read-only").ConfigureAwait(false);
                break;
            default:
                await PlainAsync(context, StatusCodes.Status404NotFound, "no such process").ConfigureAwait(false);
                break;
        }
    }

    // The server, not the page, failed: 504 when it did not answer in time, 502 otherwise (down, refusing the tool's token, not pm).
    private static Task UpstreamFailedAsync(HttpContext context, EndpointWatcher watcher, PmClientException exception)
    {
        var timedOut = exception.Kind == PmErrorKind.Transport && exception.InnerException is OperationCanceledException or TimeoutException;
        var reason = exception.Kind == PmErrorKind.Unauthorized ? "the server refused the tool's token (--token)" : exception.Message;
        return PlainAsync(context, timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway, $"{watcher.Endpoint.Name}: {reason}");
    }

    // The endpoint left the list while the call was on its way.
    private static Task GoneAsync(HttpContext context, EndpointWatcher watcher) =>
        PlainAsync(context, StatusCodes.Status404NotFound, $"no such endpoint: {watcher.Endpoint.Name} (it has just left the endpoint list)");

    // Reads at most the allowed size; null means the body was larger.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxKillBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total > MaxKillBodyBytes ? null : buffer[..total];
    }
}
