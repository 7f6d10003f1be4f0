using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pm.Internal;

/// <summary>
/// Shows what an HTTP call of a task waits on — a connection from the pool, a DNS lookup, a socket's connect — from the
/// activities .NET starts for them.
/// </summary>
/// <remarks>
/// <para>
/// The listener samples those three kinds of activity inside a task whose list observes HTTP calls, and no others:
/// outside a task it answers <see cref="ActivitySamplingResult.None"/>, so no activity is created for it, and it never
/// asks for all data, so .NET sets no tags for it. The request's own activity and headers are untouched.
/// </para>
/// <para>
/// .NET starts the wait for a connection as an activity only while the pool's queue-time instrument
/// (<c>http.client.request.time_in_queue</c>) is enabled, so a meter listener enables that one instrument and ignores
/// its measurements: a request that finds no free connection pays for a timestamp and one measurement.
/// </para>
/// </remarks>
internal static class NetWaitObserver
{
    public const string ConnectionsSource = "Experimental.System.Net.Http.Connections";
    public const string NameResolutionSource = "Experimental.System.Net.NameResolution";
    public const string SocketsSource = "Experimental.System.Net.Sockets";

    private const string WaitForConnection = ConnectionsSource + ".WaitForConnection";
    private const string DnsLookup = NameResolutionSource + ".DnsLookup";
    private const string Connect = SocketsSource + ".Connect";
    private const string WaitProperty = "Pm.CallWait";

    private static ActivityListener? _activities;
    private static MeterListener? _meters;
    private static int _started;

    public static void EnsureStarted()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _activities = new ActivityListener
        {
            ShouldListenTo = static source => source.Name is ConnectionsSource or NameResolutionSource or SocketsSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> options) => Sample(options.Name),
            SampleUsingParentId = static (ref ActivityCreationOptions<string> options) => Sample(options.Name),
            ActivityStarted = Started,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.time_in_queue")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.Start();
    }

    private static ActivitySamplingResult Sample(string name) =>
        TrackedTask.Current is { } task && task.List.Dependencies.Http && Kind(name) is not null
            ? ActivitySamplingResult.PropagationData
            : ActivitySamplingResult.None;

    private static CallWaitKind? Kind(string name) => name switch
    {
        WaitForConnection => CallWaitKind.Connection,
        DnsLookup => CallWaitKind.Dns,
        Connect => CallWaitKind.Connect,
        _ => null,
    };

    // Called for activities other listeners sampled too: only those begun inside a task are the task's waits.
    private static void Started(Activity activity)
    {
        if (TrackedTask.Current is { } task && task.List.Dependencies.Http && Kind(activity.OperationName) is { } kind
            && task.NewestNetworkCall() is { } call && task.BeginWait(call, kind, activity) is { } wait)
        {
            activity.SetCustomProperty(WaitProperty, wait);
        }
    }

    private static void Stopped(Activity activity)
    {
        if (activity.GetCustomProperty(WaitProperty) is CallWait wait)
        {
            activity.SetCustomProperty(WaitProperty, null);
            wait.Task.EndWait(wait, activity.Duration);
        }
    }
}
