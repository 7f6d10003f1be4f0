using System.Diagnostics;
using System.Globalization;
using Pm.Internal;

namespace Pm;

public sealed partial class TrackedTask
{
    /// <summary>A wait for a busy pool's connection shorter than this is not noted in the call's result.</summary>
    private const long NotedWaitTicks = 10 * TimeSpan.TicksPerMillisecond;

    /// <summary>Finds the newest HTTP or gRPC call in flight: the one a wait for a connection, a lookup or a connect is for.</summary>
    /// <remarks>With several such calls in flight at once, the wait is shown on the newest.</remarks>
    internal CallRecord? NewestNetworkCall()
    {
        CallRecord? found = null;
        SpinGate.Enter(ref _gate);
        for (var i = _callCount - 1; i >= 0; i--)
        {
            if (_calls![i] is { Kind: CallKinds.Http or CallKinds.Grpc } call)
            {
                found = call;
                break;
            }
        }

        SpinGate.Exit(ref _gate);
        return found;
    }

    /// <summary>Shows that <paramref name="call"/> waits, until <see cref="EndWait"/>; <see langword="null"/> if the call has ended.</summary>
    internal CallWait? BeginWait(CallRecord call, CallWaitKind kind, Activity? activity)
    {
        CallWait? wait = null;
        SpinGate.Enter(ref _gate);
        if (((TaskFlags)_flags & TaskFlags.Finished) == 0 && IsInFlightUnderGate(call))
        {
            wait = new CallWait(this, call, kind, activity, call.Wait);
            call.Wait = wait;

            // A lookup or connect for the call means the connection it waits for is one it makes.
            if (kind is CallWaitKind.Dns or CallWaitKind.Connect)
            {
                call.DurationTicks = -1;
            }
        }

        SpinGate.Exit(ref _gate);
        if (wait is not null && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Status, Id, _list.NowTicks(), call.Status);
        }

        return wait;
    }

    /// <summary>Ends a wait; a wait for a busy pool's connection adds its time to the call's.</summary>
    internal void EndWait(CallWait wait, TimeSpan elapsed)
    {
        var call = wait.Call;
        var ended = false;
        SpinGate.Enter(ref _gate);
        if (IsInFlightUnderGate(call))
        {
            // Takes the wait out of the call's waits, wherever it is among them: they may end in any order.
            CallWait? newer = null;
            for (var w = call.Wait; w is not null; newer = w, w = w.Outer)
            {
                if (ReferenceEquals(w, wait))
                {
                    if (newer is null)
                    {
                        call.Wait = w.Outer;
                    }
                    else
                    {
                        newer.Outer = w.Outer;
                    }

                    ended = true;
                    break;
                }
            }

            // The time spent making a new connection is the call's duration, and its steps were in the status; the
            // time spent waiting for another call to give a connection back is what the entry notes.
            if (wait.Kind == CallWaitKind.Connection && call.DurationTicks >= 0)
            {
                call.DurationTicks += elapsed.Ticks;
            }
        }

        SpinGate.Exit(ref _gate);
        if (ended && _list.HasObservers)
        {
            _list.Publish(TaskEventKind.Status, Id, _list.NowTicks(), call.Status);
        }
    }

    // A call's result with, after a wait for a connection long enough to matter, how long it waited.
    private static string? WaitNote(string? result, long waitTicks)
    {
        if (waitTicks < NotedWaitTicks)
        {
            return result;
        }

        var waited = TimeSpan.FromTicks(waitTicks);
        var text = waited.TotalSeconds >= 1
            ? waited.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : ((int)waited.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms";
        return result is null ? "waited " + text + " for a connection" : result + ", waited " + text + " for a connection";
    }

    /// <summary>Tells whether a call with this kill hook and description is in flight, such as a factory client's request.</summary>
    internal bool HasCallInFlight(Action<object?> onKill, string description)
    {
        var found = false;
        SpinGate.Enter(ref _gate);
        for (var i = 0; i < _callCount && !found; i++)
        {
            found = ReferenceEquals(_calls![i]!.OnKill, onKill) && _calls[i]!.Description == description;
        }

        SpinGate.Exit(ref _gate);
        return found;
    }

    private bool IsInFlightUnderGate(CallRecord call)
    {
        for (var i = 0; i < _callCount; i++)
        {
            if (ReferenceEquals(_calls![i], call))
            {
                return true;
            }
        }

        return false;
    }
}
