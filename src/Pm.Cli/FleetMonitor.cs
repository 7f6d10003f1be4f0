using System.Diagnostics;

namespace Pm.Cli;

/// <summary>Polls a changing set of endpoints, each in a loop of its own, and keeps what each last answered.</summary>
/// <remarks>
/// One endpoint's loop never waits for another's, so a down or hung endpoint is reported while the others keep
/// updating. <see cref="SetEndpoints"/> starts loops for endpoints that joined and stops those of endpoints that left;
/// an endpoint that stops answering stays, with its error, until discovery drops it. Thread-safe.
/// </remarks>
internal sealed class FleetMonitor(Fleet fleet, TimeSpan refresh) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<Uri, Member> _members = [];
    private List<Member> _order = [];
    private long _refreshTicks = refresh.Ticks;
    private long _version;
    private volatile bool _paused;
    private bool _disposed;

    /// <summary>Gets or sets the delay between an endpoint's answer and its next poll.</summary>
    public TimeSpan Refresh
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _refreshTicks));
        set => Interlocked.Exchange(ref _refreshTicks, value.Ticks);
    }

    /// <summary>Gets or sets a value indicating whether polling is paused (the last answers stay).</summary>
    public bool Paused
    {
        get => _paused;
        set => _paused = value;
    }

    /// <summary>Gets a number that changes each time an endpoint answers or the polled set changes.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Makes <paramref name="endpoints"/> the polled set, in this order; returns the endpoints that joined and those that left.</summary>
    public (IReadOnlyList<Endpoint> Joined, IReadOnlyList<Endpoint> Left) SetEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var joined = new List<Endpoint>();
        var left = new List<Endpoint>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var order = new List<Member>(endpoints.Count);
            var keep = new HashSet<Uri>();
            foreach (var endpoint in endpoints)
            {
                if (!keep.Add(endpoint.Address))
                {
                    continue;
                }

                if (!_members.TryGetValue(endpoint.Address, out var member))
                {
                    member = new Member(endpoint, CancellationTokenSource.CreateLinkedTokenSource(_stop.Token));
                    _members.Add(endpoint.Address, member);
                    member.Loop = PollAsync(member);
                    joined.Add(endpoint);
                }

                order.Add(member);
            }

            foreach (var gone in _members.Values.Where(m => !keep.Contains(m.Endpoint.Address)).ToList())
            {
                _members.Remove(gone.Endpoint.Address);
                gone.Stop.Cancel();
                left.Add(gone.Endpoint);
            }

            _order = order;
            Interlocked.Increment(ref _version);
        }

        return (joined, left);
    }

    /// <summary>Reads every endpoint's last answer and how long its poll in flight has waited, at one moment.</summary>
    public FleetSnapshot Snapshot()
    {
        List<Member> order;
        lock (_lock)
        {
            order = _order;
        }

        var now = Stopwatch.GetTimestamp();
        return new FleetSnapshot(
            [.. order.Select(m => m.Endpoint)],
            [.. order.Select(m => Volatile.Read(ref m.State))],
            [.. order.Select(m => Interlocked.Read(ref m.PendingSince) is var since and > 0 ? Stopwatch.GetElapsedTime(since, now) : TimeSpan.Zero)]);
    }

    public async ValueTask DisposeAsync()
    {
        Task[] loops;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loops = [.. _members.Values.Select(m => m.Loop!)];
            _members.Clear();
            _order = [];
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(loops).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PollAsync(Member member)
    {
        // Let SetEndpoints finish before the first poll, so a loop never runs ahead of its registration.
        await Task.Yield();
        var token = member.Stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (!_paused)
                {
                    Interlocked.Exchange(ref member.PendingSince, Stopwatch.GetTimestamp());
                    var state = await fleet.FetchAsync(member.Endpoint, token).ConfigureAwait(false);
                    Interlocked.Exchange(ref member.PendingSince, 0);
                    Volatile.Write(ref member.State, state);
                    Interlocked.Increment(ref _version);
                }

                await Task.Delay(Refresh, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The endpoint left, or the monitor stopped, while a poll or a delay was in flight.
        }
        catch (ObjectDisposedException) when (token.IsCancellationRequested)
        {
            // The fleet was disposed while this loop was being stopped.
        }
        finally
        {
            member.Stop.Dispose();
            lock (_lock)
            {
                // Its client goes once its last call has ended, unless the endpoint has joined again meanwhile.
                if (!_members.ContainsKey(member.Endpoint.Address))
                {
                    fleet.Forget(member.Endpoint);
                }
            }
        }
    }

    /// <summary>One polled endpoint: its loop and what it last answered.</summary>
    private sealed class Member(Endpoint endpoint, CancellationTokenSource stop)
    {
        public Endpoint Endpoint { get; } = endpoint;

        public CancellationTokenSource Stop { get; } = stop;

        public Task? Loop { get; set; }

        // Fields, for Volatile and Interlocked.
        public EndpointState? State;
        public long PendingSince;
    }
}

/// <summary>Every polled endpoint, its last answer (<see langword="null"/> before the first) and how long its poll in flight has waited.</summary>
internal sealed record FleetSnapshot(IReadOnlyList<Endpoint> Endpoints, IReadOnlyList<EndpointState?> States, IReadOnlyList<TimeSpan> Waiting);
