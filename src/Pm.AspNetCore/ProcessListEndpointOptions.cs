using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pm.AspNetCore;

/// <summary>Configures the pm HTTP interface: what it allows and what it accepts.</summary>
/// <remarks>
/// Values are validated when they are set. Who may use the interface is the application's to decide, with its own
/// authentication, authorization and CORS; the standalone listener, which has no application around it, has
/// <see cref="ProcessListServerOptions.AccessToken"/> and <see cref="ProcessListServerOptions.AllowedOrigins"/>.
/// </remarks>
public sealed class ProcessListEndpointOptions
{
    private int _maxIdLength = 1024;
    private int _eventBufferSize = 4 * 1024 * 1024;
    private int? _maxEventSubscribersPerClient;

    /// <summary>Gets or sets a value indicating whether kills are refused with 403.</summary>
    /// <remarks>The default value is <see langword="false"/>.</remarks>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets a value indicating whether the web dashboard is served, at <c>&lt;prefix&gt;/?view=ui</c>.</summary>
    /// <remarks>
    /// The default value is <see langword="true"/>. The page is one self-contained file embedded in the assembly (no CDN,
    /// no external fonts); it reads the same endpoints as any client and asks for the access token when one is needed.
    /// </remarks>
    public bool EnableDashboard { get; set; } = true;

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

    /// <summary>Gets or sets how many bytes of frames may wait for one subscriber of the live stream before it is dropped.</summary>
    /// <remarks>
    /// The default value is 4 MiB. Frames are shared by all subscribers, so this bounds what a client that stops reading
    /// keeps alive, not a copy per client. A dropped subscriber gets a <c>dropped</c> event if it reads again; the
    /// server and its tasks are never slowed. A frame is always accepted when none is waiting.
    /// </remarks>
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

    /// <summary>Gets or sets the shortest time between two frames of the live stream.</summary>
    /// <remarks>
    /// The default value is 100 milliseconds: at most ten frames a second, each holding the latest state of the tasks
    /// that changed since the one before, so the stream's bandwidth depends on the running tasks, not on the request rate.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 10 milliseconds or more than a minute.</exception>
    public TimeSpan EventFrameInterval
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromMilliseconds(10));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMinutes(1));
            field = value;
        }
    } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets how many subscribers may follow the live stream at once.</summary>
    /// <remarks>
    /// The default value is 100. When all are taken, a new subscriber takes the slot of an idle one (see
    /// <see cref="EventIdleAfter"/>); when none is idle, it gets 503 with <c>Retry-After</c>. The subscribers of every frame
    /// rate count together.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxEventSubscribers
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 100;

    /// <summary>Gets or sets how many subscribers one client may hold on the live stream at once; more get 503 with <c>Retry-After</c>.</summary>
    /// <remarks>
    /// The default value is a quarter of <see cref="MaxEventSubscribers"/>, rounded up: 25 of the default 100. A client is
    /// its authenticated user when the request has one, else its remote address (behind a reverse proxy, the forwarded
    /// headers middleware makes it the client's own). So one user or one host can never hold every slot.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxEventSubscribersPerClient
    {
        get => _maxEventSubscribersPerClient ?? ((MaxEventSubscribers + 3) / 4);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxEventSubscribersPerClient = value;
        }
    }

    /// <summary>Gets or sets how long a subscriber follows the live stream before it counts as idle, and a new subscriber may take its slot.</summary>
    /// <remarks>
    /// <para>
    /// The default value is one minute. A subscriber sends nothing after its request, so a watching tool and a
    /// forgotten connection look the same: a subscriber is idle once it has been connected this long. When every slot
    /// (<see cref="MaxEventSubscribers"/>) is taken, a new subscriber takes the slot of the idle subscriber connected the
    /// longest, from the client holding the most slots; the subscriber it replaces gets an <c>evicted</c> event and its
    /// connection ends, and it may reconnect. A subscriber younger than this is never replaced, so tools that reconnect
    /// cannot take each other's slots in a loop.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than a day.</exception>
    public TimeSpan EventIdleAfter
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromDays(1));
            field = value;
        }
    } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long a subscriber may follow the live stream before it is evicted, whether its slot is needed or not.</summary>
    /// <remarks>
    /// The default value is 30 minutes. The subscriber gets an <c>evicted</c> event and its connection ends; a tool that
    /// still watches reconnects and gets a new snapshot, and a forgotten connection gives its slot back.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive or is longer than a day.</exception>
    public TimeSpan EventIdleTimeout
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromDays(1));
            field = value;
        }
    } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how long a write to a live stream subscriber may take before its connection is aborted.</summary>
    /// <remarks>The default value is 10 seconds. A client that stops reading is cut off after it and its memory released.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan EventWriteTimeout
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the interval of keep-alive comments on the live stream.</summary>
    /// <remarks>The default value is 15 seconds.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan EventKeepAliveInterval
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(15);

    /// <summary>Gets or sets how many large answers (listings, finished tasks, histories) may be written at once; more get 503 with <c>Retry-After</c>.</summary>
    /// <remarks>
    /// The default value is 16. Answers are written in chunks of 16 KiB as they are produced; one takes a place only
    /// once it outgrows its first chunk, and holds it until it is written or cut off, so small answers (a filtered or
    /// limited listing, most histories) are never refused, and clients that stop reading hold at most this many
    /// answers' chunks and snapshots together.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrentListings
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 16;

    /// <summary>Gets or sets the lowest rate at which a client must read a large answer; the connection of a slower one is aborted.</summary>
    /// <remarks>
    /// The default value is 16 KiB a second after a grace period of 5 seconds: an answer of 1 MiB must be read within
    /// 69 seconds of its first byte. The rate is an average from the first byte, checked only while a write waits for
    /// the client, so a client that never reads is cut off a few seconds after its buffers fill. <see langword="null"/>
    /// cuts off no one (the server's own limits, such as Kestrel's <c>MinResponseDataRate</c>, still apply).
    /// </remarks>
    public MinDataRate? MinListingDataRate { get; set; } = new(bytesPerSecond: 16 * 1024, gracePeriod: TimeSpan.FromSeconds(5));
}
