using System.Diagnostics;
using System.Net;

namespace Pm.Internal;

/// <summary>What a call in flight is waiting on, from an activity .NET starts: a connection, a DNS lookup, a connect.</summary>
/// <remarks>
/// The activity's display name, which .NET sets just after starting it, names what is looked up or connected to, so
/// the text is read from it when the status is shown. A call may wait on several at once (a connect inside a wait for
/// a connection, begun on another thread, in either order): the status names the most telling one.
/// </remarks>
internal sealed class CallWait(TrackedTask task, CallRecord call, CallWaitKind kind, Activity? activity, CallWait? outer)
{
    private const string DnsPrefix = "DNS lookup ";
    private const string ConnectPrefix = "socket connect ";

    public readonly TrackedTask Task = task;
    public readonly CallRecord Call = call;
    public readonly CallWaitKind Kind = kind;
    public readonly Activity? Activity = activity;
    /// <summary>The wait begun before this one, still going; changed under the task's gate.</summary>
    public CallWait? Outer = outer;


    /// <summary>Gets the wait the status names, of this one and those begun before it: a lookup or a connect over a wait for a connection.</summary>
    public CallWait Shown
    {
        get
        {
            for (var wait = this; wait is not null; wait = wait.Outer)
            {
                if (wait.Kind is CallWaitKind.Dns or CallWaitKind.Connect)
                {
                    return wait;
                }
            }

            return this;
        }
    }

    /// <summary>Gets the text the status shows in parentheses after the call's description.</summary>
    public string Text
    {
        get
        {
            var name = Activity?.DisplayName;
            return Kind switch
            {
                CallWaitKind.Connection => "waiting for connection",
                CallWaitKind.Dns => name is not null && name.StartsWith(DnsPrefix, StringComparison.Ordinal) ? name : DnsPrefix + Host(Call.Target),
                CallWaitKind.Connect => name is not null && name.StartsWith(ConnectPrefix, StringComparison.Ordinal)
                    ? "connecting " + EndPoint(name.AsSpan(ConnectPrefix.Length))
                    : "connecting",
                _ => "opening connection",
            };
        }
    }

    // The host of an authority such as "inventory:5081".
    private static string Host(string? authority) =>
        authority is null ? string.Empty : authority.LastIndexOf(':') is var colon and > 0 && authority.IndexOf(']', StringComparison.Ordinal) < colon ? authority[..colon] : authority;

    // A socket's end point as people write it: an IPv4 address mapped into IPv6 (a dual-mode socket's) as IPv4.
    private static string EndPoint(ReadOnlySpan<char> text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && IPAddress.TryParse(text[..colon].Trim("[]"), out var address))
        {
            var port = text[(colon + 1)..];
            return address.IsIPv4MappedToIPv6 ? string.Concat(address.MapToIPv4().ToString(), ":", port)
                : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? string.Concat("[", address.ToString(), "]:", port)
                : text.ToString();
        }

        return text.ToString();
    }
}
