using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Pm.Protocol;

namespace Pm.Client;

/// <summary>Talks to one pm server — .NET or Go — over HTTP: list, history, kill, and this project's extensions.</summary>
/// <remarks>
/// <para>
/// The three original calls (<see cref="GetTasksAsync"/> without a query, <see cref="GetHistoryAsync"/>,
/// <see cref="KillAsync"/>) work against Go servers too; the extensions fail against them with
/// <see cref="PmErrorKind.NotSupported"/>. Expected answers are results: an unknown task is <see langword="null"/> or
/// <see cref="KillResult.NotFound"/>. Failures are <see cref="PmClientException"/>s with a <see cref="PmErrorKind"/>;
/// cancelling a call's token throws <see cref="OperationCanceledException"/>, and the <see cref="HttpClient.Timeout"/>
/// is reported as <see cref="PmErrorKind.Transport"/>.
/// </para>
/// <para>Thread-safe. With <c>IHttpClientFactory</c>: <c>services.AddHttpClient&lt;PmClient&gt;(c =&gt; c.BaseAddress = …)</c>.</para>
/// </remarks>
/// <example>
/// <code>
/// var client = new PmClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:8081/") });
/// foreach (var proc in (await client.GetTasksAsync()).Procs) Console.WriteLine($"{proc.Id} {proc.Status}");
/// await client.KillAsync("req77", "too slow");
/// </code>
/// </example>
public sealed class PmClient
{
    private const string ExtensionsHeader = "X-Pm-Extensions";
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly PmClientOptions _options;
    private readonly string _prefix;
    private readonly Uri _base;

    /// <summary>Initializes a new instance of the <see cref="PmClient"/> class.</summary>
    /// <param name="httpClient">The client, with the server's address as <see cref="HttpClient.BaseAddress"/>.</param>
    /// <param name="options">The client's options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="httpClient"/> has no base address.</exception>
    public PmClient(HttpClient httpClient, PmClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress, such as http://127.0.0.1:8081/.", nameof(httpClient));
        }

        _http = httpClient;
        _options = options ?? new PmClientOptions();
        _prefix = _options.Prefix.Trim('/');
        var address = httpClient.BaseAddress.ToString();
        _base = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Gets the server's address.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Lists the running tasks, optionally filtered, sorted and limited.</summary>
    /// <param name="query">Filters, order and limit (extensions); <see langword="null"/> for the original call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The running tasks and the server's time.</returns>
    /// <exception cref="PmClientException">The call failed; a query sent to a Go server fails with <see cref="PmErrorKind.NotSupported"/>.</exception>
    public async Task<ProcResponse> GetTasksAsync(TaskQuery? query = null, CancellationToken cancellationToken = default)
    {
        var extended = query is { IsEmpty: false };
        using var response = await SendAsync(HttpMethod.Get, _prefix + "/" + (extended ? query!.ToQueryString() : string.Empty), null, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response);
        if (extended)
        {
            RequireExtensions(response, "filtering, sorting and limiting the list");
        }

        return await ReadAsync(response, PmJsonContext.Default.ProcResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the history of a running task or, on servers that retain them, of a recently finished one.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The history, or <see langword="null"/> if the server knows no such task.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="PmClientException">The call failed.</exception>
    public async Task<HistoryResponse?> GetHistoryAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        using var response = await SendAsync(HttpMethod.Get, TaskPath(id) + "/history", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response);
        return await ReadAsync(response, PmJsonContext.Default.HistoryResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets one running task (an extension).</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task, or <see langword="null"/> if no such task is running.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="PmClientException">The call failed; against a Go server, <see cref="PmErrorKind.NotSupported"/>.</exception>
    public async Task<ProcDetail?> GetTaskAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        using var response = await SendAsync(HttpMethod.Get, TaskPath(id), null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.MethodNotAllowed || !response.Headers.Contains(ExtensionsHeader))
        {
            throw NotSupported("getting one task");
        }

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(response);
        return await ReadAsync(response, PmJsonContext.Default.ProcDetail, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the recently finished tasks, newest first, with their outcomes (an extension).</summary>
    /// <param name="limit">The maximum number listed; <see langword="null"/> for all the server retains.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The finished tasks.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    /// <exception cref="PmClientException">The call failed; against a Go server, <see cref="PmErrorKind.NotSupported"/>.</exception>
    public async Task<FinishedResponse> GetFinishedAsync(int? limit = null, CancellationToken cancellationToken = default)
    {
        if (limit is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(limit));
        }

        var query = limit is { } l ? "/?view=finished&limit=" + l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "/?view=finished";
        using var response = await SendAsync(HttpMethod.Get, _prefix + query, null, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(response);
        RequireExtensions(response, "listing finished tasks");
        return await ReadAsync(response, PmJsonContext.Default.FinishedResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the server to kill a task, or to abort it at once.</summary>
    /// <param name="id">The task's id.</param>
    /// <param name="message">The message the task's history and cancellation carry; may be <see langword="null"/>.</param>
    /// <param name="abort">
    /// <see langword="true"/> to abort at once (an extension): a request's connection is cut without waiting for the
    /// server's grace period, and the history records <c>[abort request: message]</c>. A Go server only cancels.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// <see cref="KillResult.Requested"/>, <see cref="KillResult.NotFound"/>, or <see cref="KillResult.Forbidden"/> for a
    /// task that forbids kills or a read-only server.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is <see langword="null"/> or empty.</exception>
    /// <exception cref="PmClientException">The call failed.</exception>
    public async Task<KillResult> KillAsync(string id, string? message = null, bool abort = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        // As Go's client does: always a JSON body, an empty message when there is none.
        var body = JsonContent.Create(new CancelRequest(message ?? string.Empty) { Abort = abort }, PmJsonContext.Default.CancelRequest);
        using var response = await SendAsync(HttpMethod.Delete, TaskPath(id), body, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return KillResult.NotFound;
            case HttpStatusCode.Forbidden:
                return KillResult.Forbidden;
            default:
                EnsureSuccess(response);
                return KillResult.Requested;
        }
    }

    /// <summary>Follows the server's live stream (an extension): a snapshot of the running tasks, then a frame for each batch of changes.</summary>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>
    /// The frames. The first is a snapshot (<see cref="ProcFrame.IsSnapshot"/>): every running task, replacing what the
    /// caller had. In each later frame, remove the <see cref="ProcFrame.Finished"/> tasks first, then add or replace the
    /// <see cref="ProcFrame.Procs"/>, then apply the <see cref="ProcFrame.Updates"/> (a listed task's new alert or progress,
    /// alone) to the tasks held. The server may send a snapshot again at any time. The sequence ends when the
    /// server ends the stream, as when it evicts this subscriber (its idle slot went to another, or it was connected
    /// for the server's idle timeout): call again to follow on from a new snapshot.
    /// </returns>
    /// <exception cref="PmClientException">
    /// The call failed; against a Go server, <see cref="PmErrorKind.NotSupported"/>; with <see cref="PmErrorKind.Busy"/>
    /// when the stream has all the subscribers the server admits (<see cref="PmClientException.RetryAfter"/> says when to
    /// try again; <see cref="GetTasksAsync"/> still answers meanwhile); with <see cref="PmErrorKind.Transport"/> when the
    /// server dropped this client for falling behind or the connection broke.
    /// </exception>
    /// <example>
    /// <code>
    /// var tasks = new Dictionary&lt;string, ProcDetail&gt;();
    /// await foreach (var frame in client.WatchAsync(ct))
    /// {
    ///     if (frame.IsSnapshot) tasks.Clear();
    ///     foreach (var f in frame.Finished) tasks.Remove(f.Id);
    ///     foreach (var p in frame.Procs) tasks[p.Id] = p;
    ///     foreach (var u in frame.Updates ?? []) if (tasks.TryGetValue(u.Id, out var held)) tasks[u.Id] = u.ApplyTo(held);
    /// }
    /// </code>
    /// </example>
    public IAsyncEnumerable<ProcFrame> WatchAsync(CancellationToken cancellationToken = default) =>
        WatchCoreAsync(_prefix + "/?view=events", cancellationToken);

    /// <summary>Follows the server's live stream (an extension) with at most one frame per <paramref name="frameInterval"/>.</summary>
    /// <param name="frameInterval">
    /// The longest wait for changes the caller accepts: the server coalesces changes over the longest of its rates
    /// (its own frame interval, one second, five seconds) that does not exceed it. A watcher of many servers that
    /// refreshes once a second asks for one second, and gets each server's changes in one frame a second.
    /// </param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The frames, as <see cref="WatchAsync(CancellationToken)"/> returns them.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frameInterval"/> is not positive or is longer than an hour.</exception>
    /// <exception cref="PmClientException">The call failed, as for <see cref="WatchAsync(CancellationToken)"/>.</exception>
    public IAsyncEnumerable<ProcFrame> WatchAsync(TimeSpan frameInterval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(frameInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameInterval, TimeSpan.FromHours(1));
        var milliseconds = ((long)Math.Ceiling(frameInterval.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        return WatchCoreAsync(_prefix + "/?view=events&interval=" + milliseconds + "ms", cancellationToken);
    }

    private async IAsyncEnumerable<ProcFrame> WatchCoreAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        EnsureSuccess(response);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            throw NotSupported("streaming changes");
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        string? name = null;
        // An event's data is almost always one line: it is parsed as read, and a builder is made only for data of
        // several lines and dropped after that event, so a follower of many servers holds no buffer per stream.
        string? single = null;
        StringBuilder? data = null;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new PmClientException("The event stream broke off: " + ex.Message, ex) { Kind = PmErrorKind.Transport };
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length > 0)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    var value = line.AsSpan(5).TrimStart(' ');
                    if (single is null && data is null)
                    {
                        single = value.ToString();
                    }
                    else
                    {
                        data ??= new StringBuilder(single);
                        single = null;
                        data.Append(value);
                    }
                }

                continue;
            }

            // Evicted: the server ends this stream on purpose, and a new call follows on.
            if (name == "evicted")
            {
                yield break;
            }

            if (name is not null && Parse(name, data?.ToString() ?? single ?? string.Empty) is { } frame)
            {
                yield return frame;
            }

            name = null;
            single = null;
            data = null;
        }
    }

    // Events of other names are later extensions, skipped.
    private static ProcFrame? Parse(string name, string data)
    {
        try
        {
            switch (name)
            {
                case "snapshot":
                    var snapshot = JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcResponse) ?? throw new JsonException("empty snapshot");
                    return new ProcFrame(snapshot.Procs, [], FrameCounts.None, snapshot.ServerTime) { IsSnapshot = true };
                case "frame":
                    return JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcFrame) ?? throw new JsonException("empty frame");
                case "dropped":
                    throw new PmClientException("The server dropped the event stream because this client fell too far behind.") { Kind = PmErrorKind.Transport };
                default:
                    return null;
            }
        }
        catch (JsonException ex)
        {
            throw new PmClientException($"The server sent a malformed '{name}' event: {ex.Message}", ex) { Kind = PmErrorKind.Protocol };
        }
    }

    private static PmClientException NotSupported(string what) =>
        new($"This server does not support {what}; it is an extension that Go pm servers lack.") { Kind = PmErrorKind.NotSupported };

    private static void RequireExtensions(HttpResponseMessage response, string what)
    {
        if (!response.Headers.Contains(ExtensionsHeader))
        {
            throw NotSupported(what);
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = (int)response.StatusCode;
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new PmClientException("The server requires a valid bearer token (401 Unauthorized).") { Kind = PmErrorKind.Unauthorized, StatusCode = code },
            HttpStatusCode.ServiceUnavailable when RetryAfterOf(response) is { } wait => new PmClientException(
                string.Create(CultureInfo.InvariantCulture, $"The server is busy (503 Service Unavailable) and asks to retry in {wait.TotalSeconds:0.#} s."))
            {
                Kind = PmErrorKind.Busy, StatusCode = code, RetryAfter = wait,
            },
            HttpStatusCode.ServiceUnavailable => new PmClientException("The server is busy (503 Service Unavailable).") { Kind = PmErrorKind.Busy, StatusCode = code },
            _ => new PmClientException($"The server answered {code} {response.ReasonPhrase}.") { Kind = PmErrorKind.Http, StatusCode = code },
        };
    }

    // Retry-After is seconds, or a date read against the answer's own Date (never the client's clock); null when absent or past.
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } when delta >= TimeSpan.Zero => delta,
        { Date: { } date } when response.Headers.Date is { } sent && date >= sent => date - sent,
        _ => null,
    };

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("The body is null.");
        }
        catch (JsonException ex)
        {
            throw new PmClientException("The server's answer is not pm's JSON: " + ex.Message, ex) { Kind = PmErrorKind.Protocol, StatusCode = (int)response.StatusCode };
        }
        catch (NotSupportedException ex)
        {
            throw new PmClientException("The server's answer is not JSON: " + ex.Message, ex) { Kind = PmErrorKind.Protocol, StatusCode = (int)response.StatusCode };
        }
        catch (HttpRequestException ex)
        {
            throw new PmClientException("The answer broke off: " + ex.Message, ex) { Kind = PmErrorKind.Transport };
        }
    }

    private string TaskPath(string id) => _prefix + "/" + Uri.EscapeDataString(id);

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = content };
        request.Headers.Accept.Add(Json);
        if (_options.AccessToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            return await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new PmClientException($"{BaseAddress} could not be reached: {ex.Message}", ex) { Kind = PmErrorKind.Transport };
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PmClientException($"{BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0.#} s.", ex) { Kind = PmErrorKind.Transport };
        }
    }
}
