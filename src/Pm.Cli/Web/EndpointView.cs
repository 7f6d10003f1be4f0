using Pm.Protocol;

namespace Pm.Cli.Web;

/// <summary>What the page is shown of one server: its health and its running tasks as last known.</summary>
/// <param name="Name">The endpoint's name, the page's host column.</param>
/// <param name="Health">How the server is doing.</param>
/// <param name="Via"><c>stream</c>, <c>polling</c>, or <see cref="PollingStreamFull"/>; <see langword="null"/> before the first answer.</param>
/// <param name="LastSeen">When it last answered (now, while its live stream is open), by the tool's clock.</param>
/// <param name="Latency">Seconds its last measured answer took.</param>
/// <param name="Error">Why it is down or unauthorized.</param>
/// <param name="ClockOffset">Seconds to add to the server's times to read them on the tool's clock.</param>
/// <param name="Procs">Its running tasks when it last answered; kept, and marked stale by the page, while it is down.</param>
internal sealed record EndpointView(
    string Name,
    EndpointHealth Health,
    string? Via,
    DateTimeOffset? LastSeen,
    double? Latency,
    string? Error,
    double ClockOffset,
    IReadOnlyList<ProcDetail> Procs)
{
    /// <summary>The <see cref="Via"/> of a .NET server whose live stream has all the subscribers it admits: it is polled, and its stream tried again later.</summary>
    public const string PollingStreamFull = "polling (stream full)";

    /// <summary>Gets a value indicating whether the server is polled because its live stream is full.</summary>
    public bool StreamFull => Via == PollingStreamFull;
}
