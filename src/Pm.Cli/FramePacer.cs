using System.Diagnostics;

namespace Pm.Cli;

/// <summary>Decides when <c>pm top</c> draws its next frame, so drawing a large fleet never costs more than a small share of a core.</summary>
/// <remarks>
/// A key press is answered at once. New answers are drawn once the last frame's cost has been paid back twenty times
/// over (a frame of 50,000 tasks that took 20 ms is followed by one 400 ms later at the earliest, about 5 % of a
/// core), and never sooner than <see cref="MinPeriod"/>. Without news a frame is still drawn every
/// <see cref="MaxPeriod"/>, so ages keep moving.
/// </remarks>
internal sealed class FramePacer
{
    /// <summary>The shortest time between two frames drawn for new answers.</summary>
    public static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest time between two frames.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromSeconds(1);

    /// <summary>How many times a frame's cost must pass before the next frame for new answers.</summary>
    public const int CostFactor = 20;

    private long _drawnAt;
    private long _version = -1;
    private TimeSpan _pause = TimeSpan.Zero;

    /// <summary>Gets a value indicating whether a frame is due at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public bool IsDue(long now, bool keyPressed, long version)
    {
        if (keyPressed || _version < 0)
        {
            return true;
        }

        var since = Stopwatch.GetElapsedTime(_drawnAt, now);
        return since >= MaxPeriod || (version != _version && since >= _pause);
    }

    /// <summary>Records a frame that began at <paramref name="started"/> and ended at <paramref name="ended"/>, showing answers up to <paramref name="version"/>.</summary>
    public void Drawn(long started, long ended, long version)
    {
        _drawnAt = started;
        _version = version;
        var pause = Stopwatch.GetElapsedTime(started, ended) * CostFactor;
        _pause = pause < MinPeriod ? MinPeriod : pause > MaxPeriod ? MaxPeriod : pause;
    }
}
