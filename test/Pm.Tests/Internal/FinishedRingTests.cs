using Pm.Internal;

namespace Pm.Tests.Internal;

public sealed class FinishedRingTests
{
    [Theory]
    [InlineData(1u)]
    [InlineData(3u)]
    [InlineData(7u)]
    [InlineData(1000u)]
    [InlineData(1024u)]
    [InlineData(999_983u)]
    [InlineData((uint)int.MaxValue)]
    public void Remainder_MatchesTheRemainderOperator(uint divisor)
    {
        var multiplier = FinishedRing.RemainderMultiplier(divisor);
        var random = new Random(1234);
        uint[] edges = [0, 1, divisor - 1, divisor, divisor + 1, int.MaxValue, (uint)int.MaxValue + 1, uint.MaxValue - 1, uint.MaxValue];
        foreach (var value in edges.Concat(Enumerable.Range(0, 10_000).Select(_ => (uint)random.NextInt64(0, 1L << 32))))
        {
            Assert.Equal(value % divisor, FinishedRing.Remainder(value, divisor, multiplier));
        }
    }
}
