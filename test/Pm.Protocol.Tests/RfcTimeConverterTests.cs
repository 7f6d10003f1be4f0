using System.Text;
using System.Text.Json;

namespace Pm.Protocol.Tests;

public sealed class RfcTimeConverterTests
{
    private static string Write(DateTimeOffset value) => Encoding.UTF8.GetString(RfcTimeConverter.Format(value, stackalloc byte[32]));

    private static DateTimeOffset Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return new RfcTimeConverter().Read(ref reader, typeof(DateTimeOffset), new JsonSerializerOptions());
    }

    [Theory]
    [InlineData(3574866, "2026-11-23T00:25:00.3574866Z")]
    [InlineData(3570000, "2026-11-23T00:25:00.357Z")]
    [InlineData(0, "2026-11-23T00:25:00Z")]
    [InlineData(1, "2026-11-23T00:25:00.0000001Z")]
    public void Format_TrimsTrailingZerosLikeGo(long ticks, string expected)
    {
        var value = new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero).AddTicks(ticks);
        Assert.Equal(expected, Write(value));
    }

    [Fact]
    public void Format_NonUtcOffset_WritesUtc()
    {
        var value = new DateTimeOffset(2026, 11, 23, 2, 25, 0, TimeSpan.FromHours(2));
        Assert.Equal("2026-11-23T00:25:00Z", Write(value));
    }

    [Theory]
    [InlineData("\"2026-11-23T00:25:00.357486656Z\"", 3574866)]
    [InlineData("\"2026-11-23T00:25:00.3Z\"", 3000000)]
    [InlineData("\"2026-11-23T00:25:00Z\"", 0)]
    [InlineData("\"2026-11-23T02:25:00.357486656+02:00\"", 3574866)]
    public void Read_GoTimestamps_KeepTickPrecision(string json, long ticks)
    {
        var expected = new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero).AddTicks(ticks);
        Assert.Equal(expected, Read(json));
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"yesterday\"")]
    public void Read_NotATime_ThrowsJsonException(string json) =>
        Assert.Throws<JsonException>(() => Read(json));
}
