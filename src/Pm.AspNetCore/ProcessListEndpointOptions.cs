namespace Pm.AspNetCore;

/// <summary>Configures the pm HTTP interface: who may use it and what it accepts.</summary>
/// <remarks>Values are validated when they are set.</remarks>
public sealed class ProcessListEndpointOptions
{
    private int _maxIdLength = 1024;
    private int _eventBufferSize = 1024;

    /// <summary>Gets or sets the bearer token every request must carry; <see langword="null"/> requires none.</summary>
    /// <remarks>
    /// The default value is <see langword="null"/>. Compared in constant time; a request without it gets 401 with
    /// <c>WWW-Authenticate: Bearer</c>. CORS preflight requests need no token. For users and policies, use the
    /// framework instead: <c>MapProcessList(...).RequireAuthorization(...)</c>.
    /// </remarks>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public string? AccessToken
    {
        get;
        set => field = value is null || value.Length > 0 ? value : throw new ArgumentException("The access token must not be empty.", nameof(value));
    }

    /// <summary>Gets or sets a value indicating whether kills are refused with 403.</summary>
    /// <remarks>The default value is <see langword="false"/>.</remarks>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets a value indicating whether the web dashboard is served, at <c>&lt;prefix&gt;/?view=ui</c>.</summary>
    /// <remarks>
    /// The default value is <see langword="true"/>. The page is one self-contained file embedded in the assembly (no CDN,
    /// no external fonts); it reads the same endpoints as any client and asks for the access token when one is needed.
    /// </remarks>
    public bool EnableDashboard { get; set; } = true;

    /// <summary>Gets the origins allowed to call the interface from a web page; <c>*</c> allows any.</summary>
    /// <remarks>
    /// Empty by default: no <c>Access-Control-Allow-Origin</c> header is sent, so web pages of other origins cannot read
    /// the list or kill tasks. The Go server always sent <c>*</c>, which lets any page a developer opens kill tasks on
    /// their machine; add <c>*</c> only on purpose.
    /// </remarks>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>Gets or sets the longest task id accepted in a path, in characters; longer ids get 414.</summary>
    /// <remarks>The default value is 1,024.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxIdLength
    {
        get => _maxIdLength;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxIdLength = value;
        }
    }

    /// <summary>Gets or sets how many changes the live stream buffers per subscriber before dropping it.</summary>
    /// <remarks>The default value is 1,024. A slow subscriber is dropped; the server is never slowed.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int EventBufferSize
    {
        get => _eventBufferSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _eventBufferSize = value;
        }
    }

    /// <summary>Gets or sets the interval of keep-alive comments on the live stream.</summary>
    /// <remarks>The default value is 15 seconds.</remarks>
    public TimeSpan EventKeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
