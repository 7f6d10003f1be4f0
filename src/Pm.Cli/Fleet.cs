using System.Collections.Concurrent;
using System.Diagnostics;
using Pm.Client;
using Pm.Protocol;

namespace Pm.Cli;

/// <summary>The servers a command talks to: one client per endpoint over one shared connection pool, at most a bounded number of calls in flight.</summary>
/// <remarks>
/// Each call has its own timeout, counted from when it is sent, not from when it waited for a free slot; so a server
/// that hangs holds one slot until its timeout and never delays the others' answers. Clients are made on first use.
/// </remarks>
internal sealed class Fleet : IDisposable
{
    /// <summary>The default number of calls in flight at once, across all endpoints.</summary>
    public const int DefaultConcurrency = 64;

    /// <summary>The largest answer read from one server: 64 MiB, some 300,000 tasks.</summary>
    public const int MaxListingBytes = 64 * 1024 * 1024;

    private readonly SocketsHttpHandler _handler;
    private readonly ConcurrentDictionary<Uri, (HttpClient Http, PmClient Client)> _clients = new();
    private readonly SemaphoreSlim _gate;
    private readonly string? _token;

    public Fleet(string? token, TimeSpan timeout, int concurrency = DefaultConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _token = token;
        Timeout = timeout;
        _gate = new SemaphoreSlim(concurrency, concurrency);
        _handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            MaxConnectionsPerServer = 4,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
    }

    /// <summary>Gets the time one call may take once sent.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Gets the bearer token sent to the servers, if any.</summary>
    public string? Token => _token;

    /// <summary>Gets the connection pool shared by every endpoint.</summary>
    public HttpMessageHandler Handler => _handler;

    /// <summary>Gets the bound on calls in flight across the fleet.</summary>
    public SemaphoreSlim Gate => _gate;

    /// <summary>Gets the client of <paramref name="endpoint"/>, made on first use.</summary>
    public PmClient ClientFor(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return _clients.GetOrAdd(endpoint.Address, address =>
        {
            // A listing larger than this is refused rather than held: memory stays bounded whatever a server sends.
            var http = new HttpClient(_handler, disposeHandler: false) { BaseAddress = address, Timeout = Timeout, MaxResponseContentBufferSize = MaxListingBytes };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("pm-dotnet-cli");
            return (http, new PmClient(http, new PmClientOptions { AccessToken = _token }));
        }).Client;
    }

    /// <summary>Lists the running tasks of every endpoint, concurrently within the fleet's bound.</summary>
    public async Task<EndpointState[]> FetchAllAsync(IReadOnlyList<Endpoint> endpoints, CancellationToken cancellationToken) =>
        await Task.WhenAll(endpoints.Select(e => FetchAsync(e, cancellationToken))).ConfigureAwait(false);

    /// <summary>Lists the running tasks of one endpoint; a failure is reported in the state, not thrown.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<EndpointState> FetchAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync(endpoint, c => c.GetTasksAsync(cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            return new EndpointState(endpoint, response, null, Stopwatch.GetTimestamp());
        }
        catch (PmClientException ex)
        {
            return new EndpointState(endpoint, null, ex.Message, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Runs one call against an endpoint within the fleet's bound on calls in flight.</summary>
    public async Task<T> CallAsync<T>(Endpoint endpoint, Func<PmClient, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var client = ClientFor(endpoint);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(client).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var (http, _) in _clients.Values)
        {
            http.Dispose();
        }

        _clients.Clear();
        _handler.Dispose();
        _gate.Dispose();
    }
}

/// <summary>What one endpoint last answered, and when (by this machine's monotonic clock).</summary>
internal sealed record EndpointState(Endpoint Endpoint, ProcResponse? Response, string? Error, long FetchedAt);
