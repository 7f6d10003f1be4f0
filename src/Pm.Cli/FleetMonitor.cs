using Pm.Cli.Web;

namespace Pm.Cli;

/// <summary>Follows a changing set of endpoints for <c>pm top</c>, each on its own, and keeps what each last said.</summary>
/// <remarks>
/// Each endpoint has an <see cref="EndpointWatcher"/>, as in <c>pm web</c>: a .NET server is followed through its live
/// stream, which sends only what changed, and a Go server is polled every <see cref="Refresh"/>. So a large, quiet fleet
/// costs little, and the tool holds each task once for as long as it runs instead of a new copy of every listing at
/// every refresh. One endpoint never waits for another, so a down or hung endpoint is reported while the others keep
/// updating. <see cref="SetEndpoints"/> starts watchers for endpoints that joined and stops those of endpoints that
/// left; an endpoint that stops answering stays, shown down, until discovery drops it. Thread-safe.
/// </remarks>
internal sealed class FleetMonitor : IAsyncDisposable
{
    private readonly Fleet _fleet;
    private readonly FleetOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<Uri, EndpointWatcher> _watchers = [];
    private readonly List<Task> _leaving = [];
    private List<EndpointWatcher> _order = [];
    private TimeSpan _refresh;
    private FleetSnapshot? _frozen;
    private long _version;
    private bool _disposed;

    public FleetMonitor(Fleet fleet, TimeSpan refresh)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        _fleet = fleet;
        _refresh = refresh;
        _options = new FleetOptions { ServerToken = fleet.Token, Timeout = fleet.Timeout, PollInterval = refresh };
    }

    /// <summary>Gets or sets the delay between two polls of an endpoint without a live stream.</summary>
    public TimeSpan Refresh
    {
        get
        {
            lock (_lock)
            {
                return _refresh;
            }
        }

        set
        {
            lock (_lock)
            {
                _refresh = value;
                foreach (var watcher in _order)
                {
                    watcher.PollInterval = value;
                }
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether the view is paused: <see cref="Snapshot"/> keeps returning what it returned when paused.</summary>
    public bool Paused
    {
        get
        {
            lock (_lock)
            {
                return _frozen is not null;
            }
        }

        set
        {
            var frozen = value ? Take() : null;
            lock (_lock)
            {
                if (value != _frozen is not null)
                {
                    _frozen = frozen;
                    Interlocked.Increment(ref _version);
                }
            }
        }
    }

    /// <summary>Gets a number that changes each time an endpoint says something new or the followed set changes.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Gets the watcher of <paramref name="endpoint"/>, whose client sends one-off calls (kill, history); <see langword="null"/> when it is not followed.</summary>
    public EndpointWatcher? Find(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        lock (_lock)
        {
            return _watchers.GetValueOrDefault(endpoint.Address);
        }
    }

    /// <summary>Makes <paramref name="endpoints"/> the followed set, in this order; returns the endpoints that joined and those that left.</summary>
    public (IReadOnlyList<Endpoint> Joined, IReadOnlyList<Endpoint> Left) SetEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var joined = new List<Endpoint>();
        var left = new List<Endpoint>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var order = new List<EndpointWatcher>(endpoints.Count);
            var keep = new HashSet<Uri>();
            foreach (var endpoint in endpoints)
            {
                if (!keep.Add(endpoint.Address))
                {
                    continue;
                }

                if (!_watchers.TryGetValue(endpoint.Address, out var watcher))
                {
                    watcher = new EndpointWatcher(endpoint, _fleet.Handler, _options, _fleet.Gate, () => Interlocked.Increment(ref _version)) { PollInterval = _refresh };
                    _watchers.Add(endpoint.Address, watcher);
                    watcher.Start();
                    joined.Add(endpoint);
                }

                order.Add(watcher);
            }

            foreach (var gone in _watchers.Values.Where(w => !keep.Contains(w.Endpoint.Address)).ToList())
            {
                _watchers.Remove(gone.Endpoint.Address);
                _leaving.RemoveAll(t => t.IsCompleted);
                _leaving.Add(gone.DisposeAsync().AsTask());
                left.Add(gone.Endpoint);
            }

            _order = order;
            Interlocked.Increment(ref _version);
        }

        return (joined, left);
    }

    /// <summary>Reads what every endpoint last said, at one moment (or at the moment of the pause, while paused).</summary>
    public FleetSnapshot Snapshot()
    {
        lock (_lock)
        {
            if (_frozen is { } frozen)
            {
                return frozen;
            }
        }

        return Take();
    }

    public async ValueTask DisposeAsync()
    {
        List<Task> stopping;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            stopping = [.. _leaving, .. _watchers.Values.Select(w => w.DisposeAsync().AsTask())];
            _watchers.Clear();
            _order = [];
        }

        await Task.WhenAll(stopping).ConfigureAwait(false);
    }

    private FleetSnapshot Take()
    {
        List<EndpointWatcher> order;
        lock (_lock)
        {
            order = _order;
        }

        return new FleetSnapshot([.. order.Select(w => w.Endpoint)], [.. order.Select(w => w.Snapshot())], _options.Time.GetUtcNow());
    }
}

/// <summary>Every followed endpoint and what it last said, read at <paramref name="TakenAt"/> by this machine's clock.</summary>
internal sealed record FleetSnapshot(IReadOnlyList<Endpoint> Endpoints, IReadOnlyList<EndpointView> Views, DateTimeOffset TakenAt);
