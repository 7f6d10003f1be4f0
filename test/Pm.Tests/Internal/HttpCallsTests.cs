using Pm.Internal;

namespace Pm.Tests.Internal;

/// <summary>An outgoing request's description and target: built from the URI without its user info or, by default, its query.</summary>
public sealed class HttpCallsTests
{
    [Theory]
    [InlineData("GET", "http://user:secret@inventory:5081/items/7?key=k", false, "HTTP GET inventory:5081/items/7", "inventory:5081")]
    [InlineData("GET", "http://inventory:5081/items/7?key=k", true, "HTTP GET inventory:5081/items/7?key=k", "inventory:5081")]
    [InlineData("POST", "https://shop.example/orders", false, "HTTP POST shop.example/orders", "shop.example")]
    [InlineData("PURGE", "http://[::1]:8080/cache/a%20b", false, "HTTP PURGE [::1]:8080/cache/a%20b", "[::1]:8080")]
    public void Describe_Request_NamesMethodAuthorityAndPath(string method, string address, bool query, string description, string target)
    {
        var uri = new Uri(address);
        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        var authority = HttpCalls.Authority(uri);

        Assert.Equal(target, authority);
        Assert.Equal(uri.Authority, authority);
        Assert.Equal(description, HttpCalls.Describe(request, uri, authority, new DependencyOptions { HttpQueryString = query }));
    }

    [Fact]
    public void Authority_ReadTwice_IsTheSameString()
    {
        var uri = new Uri("http://inventory:5081/items/7");
        Assert.Same(HttpCalls.Authority(uri), HttpCalls.Authority(new Uri("http://inventory:5081/other")));
    }
}
