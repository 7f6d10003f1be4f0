using Microsoft.Extensions.Logging;

namespace Pm.AspNetCore;

/// <summary>Configures the standalone pm listener.</summary>
public sealed class ProcessListServerOptions
{
    /// <summary>Gets or sets the address to listen on.</summary>
    /// <remarks>
    /// The default value is <c>http://127.0.0.1:8081</c>: loopback only, unlike Go's <c>ListenAndServe(":8081")</c>.
    /// Use port 0 for a port chosen by the system (read it back from <see cref="ProcessListServer.Address"/>), and
    /// <c>http://0.0.0.0:8081</c> to listen on every interface — then set <see cref="AccessToken"/> too.
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

    /// <summary>Gets or sets the bearer token every request must carry; <see langword="null"/> requires none.</summary>
    /// <remarks>
    /// The default value is <see langword="null"/>. Compared in constant time; a request without it gets 401 with
    /// <c>WWW-Authenticate: Bearer</c>. CORS preflight requests and the dashboard page itself need no token. Inside an
    /// application, use the framework instead: <c>MapProcessList(...).RequireAuthorization(...)</c>.
    /// </remarks>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string? AccessToken
    {
        get;
        set => field = value is null || value.Length > 0 ? value : throw new ArgumentException("The access token must not be empty.", nameof(value));
    }

    /// <summary>Gets the origins allowed to call the interface from a web page; <c>*</c> allows any.</summary>
    /// <remarks>
    /// Empty by default: no <c>Access-Control-Allow-Origin</c> header is sent, so web pages of other origins cannot read
    /// the list or kill tasks. The Go server always sent <c>*</c>, which lets any page a developer opens kill tasks on
    /// their machine; add <c>*</c> only on purpose.
    /// </remarks>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>Gets the options of the interface: read-only mode, the dashboard, limits of listings and of the live stream.</summary>
    public ProcessListEndpointOptions Endpoint { get; } = new();
}
