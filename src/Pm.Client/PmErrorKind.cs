namespace Pm.Client;

/// <summary>Tells the failures a <see cref="PmClient"/> reports apart.</summary>
public enum PmErrorKind
{
    /// <summary>The server could not be reached, or did not answer in time.</summary>
    Transport,

    /// <summary>The server requires a valid bearer token (401).</summary>
    Unauthorized,

    /// <summary>The server does not support this call: a Go pm server knows only list, history and kill.</summary>
    NotSupported,

    /// <summary>The server answered something that is not the pm protocol.</summary>
    Protocol,

    /// <summary>The server answered with an unexpected HTTP status; see <see cref="PmClientException.StatusCode"/>.</summary>
    Http,

    /// <summary>
    /// The server is at capacity for this call (503 Service Unavailable), such as a live stream that has all the
    /// subscribers it admits; try again after <see cref="PmClientException.RetryAfter"/>, or poll meanwhile.
    /// </summary>
    Busy,
}
