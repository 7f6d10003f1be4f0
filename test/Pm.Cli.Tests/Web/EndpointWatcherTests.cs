using Pm.Cli.Web;

namespace Pm.Cli.Tests.Web;

/// <summary>How a watcher waits before it tries a full live stream again.</summary>
public sealed class EndpointWatcherTests
{
    [Theory]
    [InlineData(1, 5.0, 5)]
    [InlineData(1, null, 5)]
    [InlineData(2, 5.0, 10)]
    [InlineData(3, 5.0, 20)]
    [InlineData(5, 5.0, 80)]
    [InlineData(9, 5.0, 80)]
    [InlineData(1, 30.0, 30)]
    [InlineData(3, 30.0, 30)]
    [InlineData(1, 86400.0, 300)]
    public void StreamRetryDelay_RefusalsInARow_HonourRetryAfterAndBackOff(int refusals, double? retryAfter, double expected)
    {
        var delay = EndpointWatcher.StreamRetryDelay(refusals, retryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : null);

        Assert.Equal(TimeSpan.FromSeconds(expected), delay);
    }
}
