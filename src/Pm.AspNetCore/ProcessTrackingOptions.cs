using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore;

/// <summary>Configures request tracking: which requests become tasks, with what ids, and how kills end them.</summary>
public sealed class ProcessTrackingOptions
{
    private TimeSpan _killGracePeriod = TimeSpan.FromSeconds(5);
    private int _killedStatusCode = StatusCodes.Status503ServiceUnavailable;

    /// <summary>Gets the path prefixes whose requests are not tracked, such as health checks.</summary>
    /// <remarks>Empty by default; the prefixes of <c>MapProcessList</c> are always excluded.</remarks>
    public IList<PathString> ExcludedPaths { get; } = [];

    /// <summary>Gets or sets the function that makes a request's task id; it must be unique among running requests.</summary>
    /// <remarks>The default value uses <see cref="HttpContext.TraceIdentifier"/>.</remarks>
    public Func<HttpContext, string>? IdFactory { get; set; }

    /// <summary>Gets or sets the options of request tasks; <see langword="null"/> uses the list's.</summary>
    /// <remarks>The default value is <see langword="null"/>.</remarks>
    public TaskOptions? TaskOptions { get; set; }

    /// <summary>Gets or sets how long a killed request may go on before its connection is aborted.</summary>
    /// <remarks>
    /// The default value is 5 seconds. A kill cancels the handler's token at once; a handler that ignores it is cut
    /// off after this period. <see cref="Timeout.InfiniteTimeSpan"/> never aborts. A kill request with
    /// <see cref="KillRequest.Abort"/> cuts the request off at once, whatever this period.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative and not infinite.</exception>
    public TimeSpan KillGracePeriod
    {
        get => _killGracePeriod;
        set
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The grace period must not be negative.");
            }

            _killGracePeriod = value;
        }
    }

    /// <summary>Gets or sets the status code answered when a kill ends a request before its response started.</summary>
    /// <remarks>The default value is 503.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a 4xx or 5xx code.</exception>
    public int KilledStatusCode
    {
        get => _killedStatusCode;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 400);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 599);
            _killedStatusCode = value;
        }
    }
}
