using System.Diagnostics;
using Pm.Client;
using Pm.Protocol;

namespace Pm.Cli.Web;

/// <summary>
/// Follows one server's running tasks for <c>pm web</c>: through its live stream when it has one (a .NET server), by
/// polling its list otherwise (a Go server), and says how it is doing.
/// </summary>
/// <remarks>
/// Each watcher runs on its own, so a server that is down or slow never holds up the others. After a failure the
/// stream is tried again first, so a server replaced by one of the other kind is followed the right way. Every call
/// but the open-ended stream (polls, and the one-off calls of <see cref="CallAsync"/>) waits for a slot of the limiter
/// the fleet shares.
/// </remarks>
internal sealed class EndpointWatcher : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    /// <summary>The wait before a full live stream is tried again when the server does not say (a .NET server says 5 s).</summary>
    private static readonly TimeSpan StreamRetry = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait before a full live stream is tried again, whatever the server asks.</summary>
    private static readonly TimeSpan MaxStreamRetry = TimeSpan.FromMinutes(5);

    private readonly FleetOptions _options;
    private readonly SemaphoreSlim _limiter;
    private readonly HttpClient _http;
    private readonly HttpClient _streamHttp;
    private readonly PmClient _client;
    private readonly PmClient _streamClient;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action? _changed;
    private readonly Lock _gate = new();
    private Dictionary<string, ProcDetail> _procs = new(StringComparer.Ordinal);
    private Dictionary<string, ProcDetail> _spare = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;
    private EndpointHealth _health = EndpointHealth.Connecting;
    private string? _via;
    private string? _error;
    private DateTimeOffset? _lastSeen;
    private TimeSpan? _latency;
    private TimeSpan _clockOffset;
    private bool _streamOpen;
    private bool _streamFull;
    private long _pollTicks;

    /// <summary>Initializes a new instance of the <see cref="EndpointWatcher"/> class.</summary>
    /// <param name="endpoint">The server to follow.</param>
    /// <param name="handler">The connection pool shared by the fleet.</param>
    /// <param name="options">The timeouts and thresholds.</param>
    /// <param name="limiter">The bound on calls in flight across the fleet: polls, histories, kills, finished lists.</param>
    /// <param name="changed">Called, on the watcher's own thread, each time what it knows changes.</param>
    public EndpointWatcher(Endpoint endpoint, HttpMessageHandler handler, FleetOptions options, SemaphoreSlim limiter, Action? changed = null)
    {
        Endpoint = endpoint;
        _options = options;
        _limiter = limiter;
        _changed = changed;
        _pollTicks = options.PollInterval.Ticks;
        _http = CreateHttp(endpoint, handler, options.Timeout);
        // The stream's answer is open-ended: its own deadlines (the snapshot's, the silence's) bound it instead.
        _streamHttp = CreateHttp(endpoint, handler, Timeout.InfiniteTimeSpan);
        var clientOptions = new PmClientOptions { AccessToken = options.ServerToken };
        _client = new PmClient(_http, clientOptions);
        _streamClient = new PmClient(_streamHttp, clientOptions);
    }

    public Endpoint Endpoint { get; }

    /// <summary>Sends one call (a history, a kill, a finished list) once a slot of the fleet's limiter is free; the call is bounded by the timeout from when it is sent.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, while waiting or during the call.</exception>
    /// <exception cref="ObjectDisposedException">The watcher was let go (its endpoint left the list).</exception>
    public async Task<T> CallAsync<T>(Func<PmClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(_client, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Release();
        }
    }

    /// <summary>Gets a value indicating whether the server has this project's extensions (it has a live stream).</summary>
    public bool HasExtensions
    {
        get
        {
            lock (_gate)
            {
                return _via == "stream" || _streamFull;
            }
        }
    }

    /// <summary>Gets or sets the time between two polls of a server without a live stream; the next wait takes it.</summary>
    public TimeSpan PollInterval
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _pollTicks));
        set => Interlocked.Exchange(ref _pollTicks, value.Ticks);
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Takes what the page shows of this server: its health and its tasks as last known.</summary>
    public EndpointView Snapshot()
    {
        var now = _options.Time.GetUtcNow();
        lock (_gate)
        {
            return new EndpointView(
                Endpoint.Name,
                _health,
                _streamFull && _via == "polling" ? EndpointView.PollingStreamFull : _via,
                _streamOpen ? now : _lastSeen,
                _latency?.TotalSeconds,
                _error,
                _clockOffset.TotalSeconds,
                [.. _procs.Values]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _http.Dispose();
        _streamHttp.Dispose();
    }

    private static HttpClient CreateHttp(Endpoint endpoint, HttpMessageHandler handler, TimeSpan timeout)
    {
        var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = endpoint.Address, Timeout = timeout };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("pm-dotnet-cli");
        return http;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var polling = false;
        var failures = 0;
        var refusals = 0;
        var streamAgain = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            // A server whose stream is full is polled until the wait it asked for is over.
            var full = refusals > 0 && _options.Time.GetUtcNow() < streamAgain;
            try
            {
                if (polling || full)
                {
                    await PollAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await StreamAsync(cancellationToken).ConfigureAwait(false);
                    refusals = StreamAdmitted();
                }

                failures = 0;
                // Between polls; and after a stream the server closed, so one that closes at once is not hammered.
                await Task.Delay(PollInterval, _options.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (PmClientException ex) when (ex.Kind == PmErrorKind.NotSupported)
            {
                polling = true;
            }
            catch (PmClientException ex) when (ex.Kind == PmErrorKind.Busy && !polling && !full)
            {
                // The stream has all the subscribers the server admits, but its list still answers: the server is up,
                // polled at once and until the stream is tried again, after the server's Retry-After or longer at each
                // refusal in a row.
                refusals++;
                streamAgain = _options.Time.GetUtcNow() + StreamRetryDelay(refusals, ex.RetryAfter);
                lock (_gate)
                {
                    _streamFull = true;
                }
            }
            catch (PmClientException ex) when (ex.Kind == PmErrorKind.Busy)
            {
                // A poll turned away (the server is writing as many large listings as it allows): the server answered,
                // so it is slow, not down, and what the watcher holds stays; the next poll waits for the server's Retry-After.
                Busy(ex);
                var wait = ex.RetryAfter is { } asked && asked > PollInterval ? (asked < MaxBackoff ? asked : MaxBackoff) : PollInterval;
                try
                {
                    await Task.Delay(wait, _options.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever a server does, its watcher goes on; the failure is shown as the server's health.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(ex);
                if (!polling && !full)
                {
                    refusals = StreamAdmitted();
                }

                polling = false;
                failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, PollInterval.Ticks << Math.Min(failures - 1, 8)));
                try
                {
                    await Task.Delay(backoff, _options.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>How long to poll a server whose live stream refused this watcher <paramref name="refusals"/> times in a row before trying it again.</summary>
    /// <param name="refusals">The refusals in a row, from 1.</param>
    /// <param name="retryAfter">The wait the server asked for, if it said.</param>
    /// <returns>The server's wait, or 5 s, doubled at each refusal after the first up to 80 s, whichever is longer; at most 5 minutes.</returns>
    internal static TimeSpan StreamRetryDelay(int refusals, TimeSpan? retryAfter)
    {
        var backoff = TimeSpan.FromTicks(StreamRetry.Ticks << Math.Clamp(refusals - 1, 0, 4));
        var asked = retryAfter ?? StreamRetry;
        return asked > backoff ? (asked < MaxStreamRetry ? asked : MaxStreamRetry) : backoff;
    }

    // The stream was not refused as full (it opened, or failed otherwise): the refusals in a row start again from none.
    private int StreamAdmitted()
    {
        lock (_gate)
        {
            _streamFull = false;
        }

        return 0;
    }

    private async Task StreamAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        var started = Stopwatch.GetTimestamp();
        var first = true;
        // Changes come coalesced at the rate the view refreshes at (the server's own when faster), not at every server's own rate.
        var frames = _streamClient.WatchAsync(PollInterval, deadline.Token).GetAsyncEnumerator(deadline.Token);
        try
        {
            while (await frames.MoveNextAsync().ConfigureAwait(false))
            {
                deadline.CancelAfter(_options.StreamSilence);
                Apply(frames.Current, first ? Stopwatch.GetElapsedTime(started) : null);
                first = false;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(first
                ? $"{Endpoint.Name} did not answer within {_options.Timeout.TotalSeconds:0.#} s."
                : $"{Endpoint.Name}'s live stream was silent for {_options.StreamSilence.TotalSeconds:0.#} s.");
        }
        finally
        {
            lock (_gate)
            {
                _streamOpen = false;
            }

            await frames.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var (response, latency) = await CallAsync(
            static async (client, ct) =>
            {
                var started = Stopwatch.GetTimestamp();
                var answer = await client.GetTasksAsync(cancellationToken: ct).ConfigureAwait(false);
                return (answer, Stopwatch.GetElapsedTime(started));
            },
            cancellationToken).ConfigureAwait(false);
        Apply(new ProcFrame(response.Procs, [], FrameCounts.None, response.ServerTime) { IsSnapshot = true }, latency, polled: true);
    }

    private void Apply(ProcFrame frame, TimeSpan? latency, bool polled = false)
    {
        var now = _options.Time.GetUtcNow();
        lock (_gate)
        {
            // A task that comes again unchanged (every poll of a Go server lists them all) keeps the copy already held:
            // the new one dies young, and the tool holds each task once for as long as it does not change.
            if (frame.IsSnapshot)
            {
                (_procs, _spare) = (_spare, _procs);
                _procs.Clear();
                foreach (var proc in frame.Procs)
                {
                    _procs[proc.Id] = _spare.TryGetValue(proc.Id, out var held) && held.Equals(proc) ? held : proc;
                }

                _spare.Clear();
            }
            else
            {
                // Removals first: an id can end and start again within one frame.
                foreach (var finished in frame.Finished)
                {
                    _procs.Remove(finished.Id);
                }

                foreach (var proc in frame.Procs)
                {
                    _procs[proc.Id] = proc;
                }

                // A listed task's new alert or progress, alone.
                foreach (var update in frame.Updates ?? [])
                {
                    if (_procs.TryGetValue(update.Id, out var held))
                    {
                        _procs[update.Id] = update.ApplyTo(held);
                    }
                }
            }

            // Ages come from the server's own clock: the page adds this to the server's times to read them on its own.
            _clockOffset = now - frame.ServerTime;
            _lastSeen = now;
            _error = null;
            _via = polled ? "polling" : "stream";
            _streamOpen = !polled;
            if (latency is { } answered)
            {
                _latency = answered;
                _health = answered > _options.SlowAfter ? EndpointHealth.Slow : EndpointHealth.Up;
            }
            else if (_health is not (EndpointHealth.Up or EndpointHealth.Slow))
            {
                _health = EndpointHealth.Up;
            }
        }

        _changed?.Invoke();
    }

    private void Busy(PmClientException exception)
    {
        lock (_gate)
        {
            _health = EndpointHealth.Slow;
            _error = exception.Message;
            _streamOpen = false;
        }

        _changed?.Invoke();
    }

    private void Fail(Exception exception)
    {
        lock (_gate)
        {
            _health = exception is PmClientException { Kind: PmErrorKind.Unauthorized } ? EndpointHealth.Unauthorized : EndpointHealth.Down;
            _error = exception is PmClientException or TimeoutException ? exception.Message : $"{Endpoint.Name}: {exception.Message}";
            _streamOpen = false;
        }

        _changed?.Invoke();
    }
}
