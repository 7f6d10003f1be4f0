namespace Pm.Cli.Web;

/// <summary>How one server of the fleet is doing, as the page shows it.</summary>
internal enum EndpointHealth
{
    /// <summary>Not answered yet.</summary>
    Connecting,

    /// <summary>Answering.</summary>
    Up,

    /// <summary>Answering, but its last answer (a poll, or the live stream's snapshot) took longer than the slow threshold.</summary>
    Slow,

    /// <summary>Not reachable, timed out, or answering with something other than pm's JSON.</summary>
    Down,

    /// <summary>Refusing the tool's bearer token.</summary>
    Unauthorized,
}
