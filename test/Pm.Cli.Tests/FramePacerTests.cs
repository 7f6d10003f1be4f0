using System.Diagnostics;

namespace Pm.Cli.Tests;

/// <summary>When <c>pm top</c> draws: at once for a key, for new answers once the last frame's cost is paid back, and every second regardless.</summary>
public sealed class FramePacerTests
{
    private static long At(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);

    [Fact]
    public void IsDue_FirstFrameAndKeys_AtOnce()
    {
        var pacer = new FramePacer();
        Assert.True(pacer.IsDue(At(0), keyPressed: false, version: 1));
        pacer.Drawn(At(0), At(1), version: 1);
        Assert.True(pacer.IsDue(At(2), keyPressed: true, version: 1));
    }

    [Fact]
    public void IsDue_NewAnswers_WaitTwentyTimesTheLastFramesCost()
    {
        var pacer = new FramePacer();
        pacer.Drawn(At(0), At(20), version: 1);

        Assert.False(pacer.IsDue(At(399), keyPressed: false, version: 2));
        Assert.True(pacer.IsDue(At(400), keyPressed: false, version: 2));
        Assert.False(pacer.IsDue(At(400), keyPressed: false, version: 1));
    }

    [Fact]
    public void IsDue_CheapFrames_NoSoonerThanTheMinimum_AndWithoutNewsEverySecond()
    {
        var pacer = new FramePacer();
        pacer.Drawn(At(0), At(0.1), version: 1);
        Assert.False(pacer.IsDue(At(FramePacer.MinPeriod.TotalMilliseconds - 1), keyPressed: false, version: 2));
        Assert.True(pacer.IsDue(At(FramePacer.MinPeriod.TotalMilliseconds), keyPressed: false, version: 2));

        Assert.False(pacer.IsDue(At(999), keyPressed: false, version: 1));
        Assert.True(pacer.IsDue(At(1000), keyPressed: false, version: 1));

        // A frame that cost more than a second's share still leaves a frame a second.
        pacer.Drawn(At(0), At(200), version: 1);
        Assert.True(pacer.IsDue(At(1000), keyPressed: false, version: 2));
    }
}
