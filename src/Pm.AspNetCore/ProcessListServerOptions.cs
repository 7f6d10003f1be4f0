using Microsoft.Extensions.Logging;

namespace Pm.AspNetCore;

/// <summary>Configures the standalone pm listener.</summary>
public sealed class ProcessListServerOptions
{
    /// <summary>Gets or sets the address to listen on.</summary>
    /// <remarks>
    /// The default value is <c>http://127.0.0.1:8081</c>: loopback only, unlike Go's <c>ListenAndServe(":8081")</c>.
    /// Use port 0 for a port chosen by the system (read it back from <see cref="ProcessListServer.Address"/>), and
    /// <c>http://0.0.0.0:8081</c> to listen on every interface — then set <see cref="ProcessListEndpointOptions.AccessToken"/> too.
    /// </remarks>
    /// <exception cref="ArgumentException">The value is not an absolute http URL.</exception>
    public string Url
    {
        get;
        set => field = Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
            ? value
            : throw new ArgumentException("The URL must be an absolute http:// URL such as http://127.0.0.1:8081.", nameof(value));
    } = "http://127.0.0.1:8081";

    /// <summary>Gets or sets the path prefix of the interface.</summary>
    /// <remarks>The default value is <c>/procs</c>, as on Go servers.</remarks>
    public string Prefix { get; set; } = "/procs";

    /// <summary>Gets or sets the logger factory the listener logs to; <see langword="null"/> logs nothing.</summary>
    /// <remarks>
    /// The default value is <see langword="null"/>; <c>AddProcessListServer</c> uses the host's. The listener logs a
    /// warning when it starts on an address other hosts can reach without an access token.
    /// </remarks>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets the access options of the interface: bearer token, read-only mode, CORS origins.</summary>
    public ProcessListEndpointOptions Endpoint { get; } = new();
}
