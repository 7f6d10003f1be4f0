using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>Answers the requests of each pm endpoint under one prefix, exactly as the wire protocol states.</summary>
internal sealed partial class ProcessListHandler
{
    private const int MaxCancelBodyBytes = 16 * 1024;

    private readonly ProcessList _list;
    private readonly ProcessListEndpointOptions _options;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly CancellationToken _stopping;
    private readonly EventStream _events;

    public ProcessListHandler(ProcessList list, ProcessListEndpointOptions options, TimeProvider time, string prefix, CancellationToken stopping)
    {
        _list = list;
        _stopping = stopping;
        _options = options;
        _time = time;
        _prefix = prefix.TrimEnd('/');
        _events = new EventStream(new EventHubs(list, options, time), options, time);
        _listings = new ListingSlots(options.MaxConcurrentListings);
    }

    /// <summary>The header that tells clients this server understands the protocol's extensions; Go servers never send it.</summary>
    public const string ExtensionsHeader = "X-Pm-Extensions";

    /// <summary>The header that tells clients, such as the dashboard, that kills are refused.</summary>
    public const string ReadOnlyHeader = "X-Pm-Read-Only";

    /// <summary>Answers <c>GET</c> and <c>HEAD</c> of the list, with its views: the dashboard, finished tasks, the live stream.</summary>
    public async Task ListAsync(HttpContext context)
    {
        if (await RouteAsync(context).ConfigureAwait(false) is not { Kind: ProcRouteKind.List })
        {
            return;
        }

        // The dashboard page holds no data and must load before it can ask for a token.
        if (_options.EnableDashboard && context.Request.Query["view"] == "ui")
        {
            await Dashboard.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        await ListViewAsync(context).ConfigureAwait(false);
    }

    /// <summary>Answers <c>GET</c> and <c>HEAD</c> of one task (an extension).</summary>
    public async Task TaskAsync(HttpContext context)
    {
        if (await RouteAsync(context).ConfigureAwait(false) is not { Kind: ProcRouteKind.Task, Id: { } id })
        {
            return;
        }

        if (!_list.TryGet(id, out var snapshot))
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, "no such process").ConfigureAwait(false);
            return;
        }

        await JsonAsync(context, WireMapping.ToWire(snapshot), PmJsonContext.Default.ProcDetail).ConfigureAwait(false);
    }

    /// <summary>Answers <c>GET</c> and <c>HEAD</c> of a task's history, running or recently finished.</summary>
    public async Task HistoryAsync(HttpContext context)
    {
        if (await RouteAsync(context).ConfigureAwait(false) is not { Kind: ProcRouteKind.History, Id: { } id })
        {
            return;
        }

        if (!_list.TryGetHistory(id, out var history))
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, "no such process").ConfigureAwait(false);
            return;
        }

        // A history may hold any number of entries; it is sent as a listing is.
        using var body = Listing(context);
        await HistoryResponseWriter.WriteAsync(body, history, _time.GetUtcNow()).ConfigureAwait(false);
    }

    /// <summary>Answers everything under the prefix that no other endpoint takes: CORS preflights, wrong methods, unknown paths.</summary>
    public async Task OtherAsync(HttpContext context)
    {
        if (await RouteAsync(context).ConfigureAwait(false) is not { } route)
        {
            return;
        }

        if (HttpMethods.IsOptions(context.Request.Method))
        {
            Preflight(context, route.Kind);
            return;
        }

        context.Response.Headers.Allow = AllowedMethods(route.Kind);
        await PlainAsync(context, StatusCodes.Status405MethodNotAllowed, "method not allowed").ConfigureAwait(false);
    }

    // Every endpoint parses the raw target the same way, so each id is percent-decoded exactly once, whatever routing
    // made of the path. Answers what cannot be a task; null then.
    private async Task<ProcRoute?> RouteAsync(HttpContext context)
    {
        context.Response.Headers[ExtensionsHeader] = "1";
        if (_options.ReadOnly)
        {
            context.Response.Headers[ReadOnlyHeader] = "1";
        }

        var route = ProcRoute.Parse(RawRest(context), _options.MaxIdLength);
        switch (route.Kind)
        {
            case ProcRouteKind.NotFound:
                await PlainAsync(context, StatusCodes.Status404NotFound, "404 page not found").ConfigureAwait(false);
                return null;
            case ProcRouteKind.BadEncoding:
                await PlainAsync(context, StatusCodes.Status400BadRequest, "bad percent-encoding in the task id").ConfigureAwait(false);
                return null;
            case ProcRouteKind.IdTooLong:
                await PlainAsync(context, StatusCodes.Status414UriTooLong, $"task ids are at most {_options.MaxIdLength} characters").ConfigureAwait(false);
                return null;
            default:
                return route;
        }
    }

    private static string AllowedMethods(ProcRouteKind kind) => kind == ProcRouteKind.Task ? "GET, HEAD, DELETE, OPTIONS" : "GET, HEAD, OPTIONS";

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    private static Task JsonAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    private ReadOnlySpan<char> RawRest(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            // Absolute-form targets ("http://host/procs/...") carry the path after the authority.
            var start = raw?.IndexOf("://", StringComparison.Ordinal) is >= 0 and var scheme ? raw.IndexOf('/', scheme + 3) : -1;
            raw = start >= 0 ? raw![start..] : (context.Request.PathBase + context.Request.Path).ToUriComponent();
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? raw.AsSpan(0, query) : raw.AsSpan();

        // Skip as many raw segments as the decoded base and prefix have; what remains is ours.
        var prefixSegments = CountSegments(context.Request.PathBase.Value) + CountSegments(_prefix);
        var position = 0;
        for (var i = 0; i < prefixSegments; i++)
        {
            var next = path[(position + 1)..].IndexOf('/');
            position = next < 0 ? path.Length : position + 1 + next;
        }

        return path[position..];
    }

    private static int CountSegments(string? path)
    {
        var count = 0;
        foreach (var segment in (path ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            count += segment.Length > 0 ? 1 : 0;
        }

        return count;
    }

    private static void Preflight(HttpContext context, ProcRouteKind kind)
    {
        var headers = context.Response.Headers;
        headers.Allow = AllowedMethods(kind);
        headers.AccessControlAllowMethods = kind == ProcRouteKind.Task ? "DELETE" : "GET";
        headers.AccessControlAllowHeaders = "Authorization, Content-Type, Accept";
        headers.AccessControlMaxAge = "600";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Answers <c>DELETE</c> of a task: a kill request, audited with who asked.</summary>
    public async Task KillAsync(HttpContext context)
    {
        if (await RouteAsync(context).ConfigureAwait(false) is not { Kind: ProcRouteKind.Task, Id: { } id })
        {
            return;
        }

        if (_options.ReadOnly)
        {
            await PlainAsync(context, StatusCodes.Status403Forbidden, "this pm interface is read-only").ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        if (request.ContentLength > MaxCancelBodyBytes)
        {
            await PlainAsync(context, StatusCodes.Status413PayloadTooLarge, $"the body may be at most {MaxCancelBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await PlainAsync(context, StatusCodes.Status413PayloadTooLarge, $"the body may be at most {MaxCancelBodyBytes} bytes").ConfigureAwait(false);
            return;
        }

        string? message = null;
        var abort = false;
        if (body.Length > 0)
        {
            if (!IsJson(request.ContentType))
            {
                await PlainAsync(context, StatusCodes.Status415UnsupportedMediaType, "the body must be application/json").ConfigureAwait(false);
                return;
            }

            if (!KillBody.TryRead(body, out message, out abort, out var error))
            {
                await PlainAsync(context, StatusCodes.Status400BadRequest, error!).ConfigureAwait(false);
                return;
            }
        }

        var user = context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : null;
        var remote = context.Connection.RemoteIpAddress is { } address
            ? address.ToString() + ":" + context.Connection.RemotePort.ToString(CultureInfo.InvariantCulture)
            : null;

        switch (_list.Kill(id, new KillRequest(message, remote, user) { Abort = abort }))
        {
            case KillResult.Requested:
                context.Response.StatusCode = StatusCodes.Status200OK;
                break;
            case KillResult.Forbidden:
                await PlainAsync(context, StatusCodes.Status403Forbidden, "forbidden: this task refuses cancellation").ConfigureAwait(false);
                break;
            default:
                await PlainAsync(context, StatusCodes.Status404NotFound, "no such process").ConfigureAwait(false);
                break;
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && (string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
            || (parsed.MediaType?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) ?? false));

    // Reads at most the allowed size; null means the body was larger.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxCancelBodyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total > MaxCancelBodyBytes ? null : buffer[..total];
    }

    private static StringValues Query(HttpContext context, string name) => context.Request.Query[name];
}
