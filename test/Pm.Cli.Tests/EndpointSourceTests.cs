using System.Net;

namespace Pm.Cli.Tests;

/// <summary>The syntax of endpoint sources, of <c>--dns-server</c>, and of <c>--older-than</c>'s durations.</summary>
public sealed class EndpointSourceTests
{
    [Theory]
    [InlineData("127.0.0.1:8081", "127.0.0.1:8081", "http://127.0.0.1:8081/")]
    [InlineData(" https://pm.example:8443/admin ", "pm.example:8443", "https://pm.example:8443/admin")]
    public async Task Parse_FixedAddress_ResolvesToItself(string text, string name, string address)
    {
        var source = EndpointSource.Parse(text);

        var endpoint = Assert.Single(await source.ResolveAsync(new DnsResolver(), TestContext.Current.CancellationToken));
        Assert.False(source.IsDynamic);
        Assert.Equal(name, endpoint.Name);
        Assert.Equal(new Uri(address), endpoint.Address);
    }

    [Fact]
    public async Task Parse_DnsWithAnAddressAndAPrefix_KeepsThePrefix()
    {
        var source = EndpointSource.Parse("dns://[::1]:8081/admin/pm");

        var endpoint = Assert.Single(await source.ResolveAsync(new DnsResolver(), TestContext.Current.CancellationToken));
        Assert.True(source.IsDynamic);
        Assert.Equal("[::1]:8081", endpoint.Name);
        Assert.Equal(new Uri("http://[::1]:8081/admin/pm"), endpoint.Address);
    }

    [Theory]
    [InlineData("dns://name")]
    [InlineData("dns://name:0")]
    [InlineData("dns://:8081")]
    [InlineData("srv://_pm._tcp.example:8081")]
    [InlineData("srv://nodots")]
    [InlineData("ftp://host:21")]
    [InlineData("file:")]
    public void Parse_BadSource_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => EndpointSource.Parse(text));

    [Fact]
    public void ParseList_FileInsideAFile_IsRefused() =>
        Assert.Contains("cannot name another file", Assert.Throws<FormatException>(() => EndpointSource.ParseList("127.0.0.1:1, file:/x", allowFile: false)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("::1", "[::1]:53")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    public void ParseServer_AddressWithOptionalPort(string text, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), DnsResolver.ParseServer(text));

    [Theory]
    [InlineData("ns1.example", "ns1.example", 53)]
    [InlineData("localhost:5353", "localhost", 5353)]
    public void ParseServer_HostName_IsLookedUpLater(string text, string host, int port) =>
        Assert.Equal(new DnsEndPoint(host, port), DnsResolver.ParseServer(text));

    [Theory]
    [InlineData("dns server")]
    [InlineData("ns1.example:99999")]
    [InlineData("ns1.example:")]
    [InlineData("")]
    public void ParseServer_NotAnAddressOrName_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => DnsResolver.ParseServer(text));

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("30", 30)]
    [InlineData("500ms", 0.5)]
    [InlineData("1.5m", 90)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    public void ParseDuration_NumberWithUnit(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), TaskFilter.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("-5s")]
    [InlineData("5 minutes")]
    [InlineData("5hs")]
    [InlineData("NaN")]
    public void ParseDuration_NotADuration_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => TaskFilter.ParseDuration(text));
}
