namespace Pm.Cli.Web;

/// <summary>
/// Keeps one <see cref="EndpointWatcher"/> per endpoint of the fleet, asking the endpoint source again every discovery
/// interval: endpoints that appear are watched, endpoints that disappear are let go.
/// </summary>
/// <remarks>
/// The source is any function that lists the endpoints, so fixed lists and discovered ones (DNS, files) plug in alike.
/// A source that fails keeps the endpoints it listed last; the failure is shown on the page.
/// </remarks>
internal sealed class FleetMonitor : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<Endpoint>>> _discover;
    private readonly FleetOptions _options;
    private readonly SocketsHttpHandler _handler;
    private readonly SemaphoreSlim _limiter;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _discovering = new(1, 1);
    private volatile IReadOnlyList<EndpointWatcher> _watchers = [];
    private volatile string? _discoveryError;
    private Task _loop = Task.CompletedTask;

    public FleetMonitor(Func<CancellationToken, Task<IReadOnlyList<Endpoint>>> discover, FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(discover);
        ArgumentNullException.ThrowIfNull(options);
        _discover = discover;
        _options = options;
        _limiter = new SemaphoreSlim(options.MaxConcurrentRequests, options.MaxConcurrentRequests);
        // One connection pool for the fleet; a host that does not accept a connection fails within the timeout.
        _handler = new SocketsHttpHandler { ConnectTimeout = options.Timeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
    }

    /// <summary>Gets the endpoints watched, in the order the source listed them.</summary>
    public IReadOnlyList<EndpointWatcher> Watchers => _watchers;

    /// <summary>Gets why the source failed last time it was asked; <see langword="null"/> when it answered.</summary>
    public string? DiscoveryError => _discoveryError;

    /// <summary>Gets the limit shared by every call of the whole fleet but its open streams: polls, finished lists, histories, kills.</summary>
    public SemaphoreSlim Limiter => _limiter;

    public EndpointWatcher? Find(string name) => _watchers.FirstOrDefault(w => w.Endpoint.Name == name);

    /// <summary>Asks the source once, then every discovery interval in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Asks the source for the endpoints and brings the watchers in line with its answer.</summary>
    public async Task DiscoverAsync(CancellationToken cancellationToken)
    {
        await _discovering.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<Endpoint> endpoints;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.Timeout);
                endpoints = await _discover(timeout.Token).ConfigureAwait(false);
                _discoveryError = null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _discoveryError = $"the endpoint list was not ready within {_options.Timeout.TotalSeconds:0.#} s";
                return;
            }
#pragma warning disable CA1031 // A failing source keeps the endpoints it listed last; the page says why.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                _discoveryError = ex.Message;
                return;
            }

            await UpdateAsync(endpoints).ConfigureAwait(false);
        }
        finally
        {
            _discovering.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        var watchers = _watchers;
        _watchers = [];
        await Task.WhenAll(watchers.Select(w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
        _handler.Dispose();
        _limiter.Dispose();
        _discovering.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.DiscoveryInterval, _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await DiscoverAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task UpdateAsync(IReadOnlyList<Endpoint> endpoints)
    {
        var current = _watchers.ToDictionary(w => w.Endpoint.Name, StringComparer.Ordinal);
        var next = new List<EndpointWatcher>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            // One watcher per name: the page tells tasks apart by (endpoint, id).
            if (!seen.Add(endpoint.Name))
            {
                continue;
            }

            if (current.Remove(endpoint.Name, out var kept) && kept.Endpoint == endpoint)
            {
                next.Add(kept);
                continue;
            }

            if (kept is not null)
            {
                current[endpoint.Name] = kept;
            }

            var watcher = new EndpointWatcher(endpoint, _handler, _options, _limiter);
            watcher.Start();
            next.Add(watcher);
        }

        _watchers = next;
        await Task.WhenAll(current.Values.Select(w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
