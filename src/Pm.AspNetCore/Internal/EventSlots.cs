using System.Globalization;

namespace Pm.AspNetCore.Internal;

/// <summary>The live stream's slots, shared by the hubs of one list: a limit in all, a limit per client, and idle subscribers replaced when all are taken.</summary>
/// <remarks>
/// A subscriber sends nothing after its request, so a watching tool and a forgotten connection cannot be told apart by
/// their traffic: a subscriber counts as idle once it has been connected for
/// <see cref="ProcessListEndpointOptions.EventIdleAfter"/>. When every slot is taken, a new subscriber takes the slot of
/// the idle subscriber connected the longest, from the client that holds the most slots; so readers that never let go
/// cannot lock out an operator, and one client's many connections go before another's one.
/// </remarks>
internal sealed class EventSlots(ProcessListEndpointOptions options, TimeProvider time)
{
    private readonly int _limit = options.MaxEventSubscribers;
    private readonly int _perClient = options.MaxEventSubscribersPerClient;
    private readonly TimeSpan _idleAfter = options.EventIdleAfter;
    private readonly Lock _lock = new();

    // Oldest first, so the idle ones are at the front.
    private readonly List<EventSubscriber> _taken = [];
    private readonly Dictionary<string, int> _perClientTaken = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for a subscriber, evicting an idle one if all are taken.</summary>
    /// <returns><see langword="null"/> when taken; else why not, in words for the 503's body.</returns>
    public string? TryTake(EventSubscriber subscriber)
    {
        lock (_lock)
        {
            var held = _perClientTaken.GetValueOrDefault(subscriber.Client);
            if (held >= _perClient)
            {
                return string.Create(CultureInfo.InvariantCulture, $"this client follows the live stream {held} times already, its maximum; retry later, or poll");
            }

            if (_taken.Count >= _limit)
            {
                if (Idlest() is not { } idle)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"the live stream has its maximum of {_limit} subscribers, none idle; retry later, or poll");
                }

                Remove(idle);
                idle.Evict(EventFormat.Replaced);
            }

            _taken.Add(subscriber);
            _perClientTaken[subscriber.Client] = held + 1;
            return null;
        }
    }

    /// <summary>Gives a subscriber's slot back; nothing if it was given back already (the subscriber was evicted).</summary>
    public void Release(EventSubscriber subscriber)
    {
        lock (_lock)
        {
            Remove(subscriber);
        }
    }

    // The idle subscriber connected the longest, of the client with the most slots.
    private EventSubscriber? Idlest()
    {
        EventSubscriber? idlest = null;
        var most = 0;
        foreach (var subscriber in _taken)
        {
            if (time.GetElapsedTime(subscriber.Joined) < _idleAfter)
            {
                break;
            }

            var held = _perClientTaken[subscriber.Client];
            if (held > most)
            {
                (idlest, most) = (subscriber, held);
            }
        }

        return idlest;
    }

    private void Remove(EventSubscriber subscriber)
    {
        if (_taken.Remove(subscriber))
        {
            var held = _perClientTaken[subscriber.Client] - 1;
            if (held == 0)
            {
                _perClientTaken.Remove(subscriber.Client);
            }
            else
            {
                _perClientTaken[subscriber.Client] = held;
            }
        }
    }
}
