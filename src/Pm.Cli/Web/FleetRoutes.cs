using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Pm.AspNetCore.Internal;
using Pm.Client;
using Pm.Protocol;

namespace Pm.Cli.Web;

/// <summary>
/// The routes of <c>pm web</c>: the page, and the <c>/fleet/</c> API through which it reaches every server.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term><c>GET /</c></term><description>the dashboard in its fleet mode</description></item>
/// <item><term><c>GET /fleet/procs</c></term><description>every endpoint's health and running tasks</description></item>
/// <item><term><c>GET /fleet/finished[?limit=N]</c></term><description>each .NET endpoint's recently finished tasks</description></item>
/// <item><term><c>GET /fleet/hosts/&lt;endpoint&gt;/procs/&lt;id&gt;/history</c></term><description>one task's history, from its endpoint</description></item>
/// <item><term><c>DELETE /fleet/hosts/&lt;endpoint&gt;/procs/&lt;id&gt;</c></term><description>a kill, sent to that endpoint only</description></item>
/// </list>
/// Paths are parsed raw, so an endpoint name or an id is one percent-decoded segment. Bad input gets a 4xx; a server
/// that fails gets 502 (504 when it did not answer in time), with the reason as plain text.
/// </remarks>
internal sealed partial class FleetRoutes(FleetMonitor monitor, FleetOptions options)
{
    private const int MaxIdLength = 1024;
    private const int DefaultFinishedLimit = 200;
    private const int MaxFinishedLimit = 1000;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = RawPath(context);
        switch (path)
        {
            case "/":
                if (await MethodsAsync(context, "GET, HEAD").ConfigureAwait(false))
                {
                    await Dashboard.WriteFleetAsync(context).ConfigureAwait(false);
                }

                return;
            case "/fleet/procs" or "/fleet/procs/":
                if (await MethodsAsync(context, "GET, HEAD").ConfigureAwait(false))
                {
                    await WriteProcsAsync(context).ConfigureAwait(false);
                }

                return;
            case "/fleet/finished" or "/fleet/finished/":
                if (await MethodsAsync(context, "GET, HEAD").ConfigureAwait(false))
                {
                    await WriteFinishedAsync(context).ConfigureAwait(false);
                }

                return;
        }

        if (path.StartsWith(HostsPrefix, StringComparison.Ordinal))
        {
            await TaskAsync(context, path[HostsPrefix.Length..]).ConfigureAwait(false);
            return;
        }

        await PlainAsync(context, StatusCodes.Status404NotFound, "404 page not found").ConfigureAwait(false);
    }

    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            raw = context.Request.Path.ToUriComponent();
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? raw[..query] : raw;
    }

    private static async Task<bool> MethodsAsync(HttpContext context, string allowed)
    {
        var method = context.Request.Method;
        foreach (var name in allowed.Split(", "))
        {
            if (string.Equals(method, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        context.Response.Headers.Allow = allowed;
        await PlainAsync(context, StatusCodes.Status405MethodNotAllowed, "method not allowed").ConfigureAwait(false);
        return false;
    }

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    private static async Task JsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            write(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes <c>{"endpoints":[{"name","state","via","lastSeen","latency","error","clockOffset","procs"}],"discoveryError","serverTime"}</c>.</summary>
    private Task WriteProcsAsync(HttpContext context)
    {
        var views = monitor.Watchers.Select(w => w.Snapshot()).ToList();
        var error = monitor.DiscoveryError;
        var now = options.Time.GetUtcNow();
        return JsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("endpoints");
            foreach (var view in views)
            {
                writer.WriteStartObject();
                writer.WriteString("name", view.Name);
                writer.WriteString("state", StateName(view.Health));
                WriteOptional(writer, "via", view.Via);
                if (view.LastSeen is { } seen)
                {
                    writer.WriteString("lastSeen", seen);
                }

                if (view.Latency is { } latency)
                {
                    writer.WriteNumber("latency", Math.Round(latency, 4));
                }

                WriteOptional(writer, "error", view.Error);
                writer.WriteNumber("clockOffset", Math.Round(view.ClockOffset, 4));
                writer.WriteStartArray("procs");
                foreach (var proc in view.Procs)
                {
                    JsonSerializer.Serialize(writer, proc, PmJsonContext.Default.ProcDetail);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteOptional(writer, "discoveryError", error);
            writer.WriteString("serverTime", now);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// Writes <c>{"endpoints":[{"name","clockOffset","finished":[…]} or {"name","error"}],"serverTime"}</c>, asking the
    /// .NET endpoints that are up at once, each within the timeout: one that is slow to answer only misses this list.
    /// </summary>
    private async Task WriteFinishedAsync(HttpContext context)
    {
        var limit = DefaultFinishedLimit;
        if (context.Request.Query["limit"] is { Count: > 0 } text
            && (!int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxFinishedLimit))
        {
            await PlainAsync(context, StatusCodes.Status400BadRequest, $"limit must be a whole number from 1 to {MaxFinishedLimit}").ConfigureAwait(false);
            return;
        }

        var watchers = monitor.Watchers.Where(w => w.HasExtensions).ToList();
        var answers = await Task.WhenAll(watchers.Select(w => FinishedOfAsync(w, limit, context.RequestAborted))).ConfigureAwait(false);
        await JsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("endpoints");
            for (var i = 0; i < watchers.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("name", watchers[i].Endpoint.Name);
                var (response, offset, error) = answers[i];
                if (response is null)
                {
                    writer.WriteString("error", error);
                }
                else
                {
                    writer.WriteNumber("clockOffset", Math.Round(offset, 4));
                    writer.WriteStartArray("finished");
                    foreach (var task in response.Finished)
                    {
                        JsonSerializer.Serialize(writer, task, PmJsonContext.Default.HistoryResponse);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("serverTime", options.Time.GetUtcNow());
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task<(FinishedResponse? Response, double Offset, string? Error)> FinishedOfAsync(EndpointWatcher watcher, int limit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            var response = await watcher.CallAsync((client, ct) => client.GetFinishedAsync(limit, ct), deadline.Token).ConfigureAwait(false);
            return (response, (options.Time.GetUtcNow() - response.ServerTime).TotalSeconds, null);
        }
        catch (PmClientException ex)
        {
            return (null, 0, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            return (null, 0, $"{watcher.Endpoint.Name} has just left the endpoint list");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, 0, $"{watcher.Endpoint.Name} did not answer within {options.Timeout.TotalSeconds:0.#} s");
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static string StateName(EndpointHealth health) => health switch
    {
        EndpointHealth.Up => "up",
        EndpointHealth.Slow => "slow",
        EndpointHealth.Down => "down",
        EndpointHealth.Unauthorized => "unauthorized",
        _ => "connecting",
    };
}
