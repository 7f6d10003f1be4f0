using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pm.Cli.Web;

namespace Pm.Cli.Tests.Web;

/// <summary>Who gets the page and its routes: this machine on loopback, or whoever presents the page token.</summary>
public sealed class PageAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Loopback_ServesThePageInFleetMode()
    {
        await using var fleet = await FleetHarness.StartAsync(1);

        using var page = await fleet.Client.GetAsync("", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<body data-mode=\"fleet\">", html, StringComparison.Ordinal);
        Assert.Contains("function pollFleet", html, StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:8090")]
    [InlineData("10.0.0.7")]
    public async Task Loopback_RefusesAHostHeaderNamingAnotherMachine(string host)
    {
        await using var fleet = await FleetHarness.StartAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Get, "fleet/procs");
        request.Headers.Host = host;

        using var response = await fleet.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task CrossSiteRequests_AreRefused()
    {
        await using var fleet = await FleetHarness.StartAsync(1);
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"fleet/hosts/{fleet.Name(0)}/procs/x");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await fleet.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task PageToken_IsRequiredForEverything_AsBasicPasswordOrBearer()
    {
        await using var fleet = await FleetHarness.StartAsync(1, options: FleetHarness.FastOptions with { PageToken = "page-secret" });

        using var bare = await fleet.Client.GetAsync("", Ct);
        using var wrong = await SendAsync(fleet, "", new AuthenticationHeaderValue("Bearer", "nope"));
        using var basic = await SendAsync(fleet, "", new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:page-secret"))));
        using var bearer = await SendAsync(fleet, "fleet/procs", new AuthenticationHeaderValue("Bearer", "page-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, bare.StatusCode);
        Assert.Equal("Basic", bare.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain("data-mode", await bare.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task NotLoopback_WithoutAPageToken_DoesNotStart()
    {
        var options = FleetHarness.FastOptions with { Listen = new IPEndPoint(IPAddress.Any, 0) };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            FleetServer.StartAsync(_ => Task.FromResult<IReadOnlyList<Endpoint>>([]), options, Ct));

        Assert.Contains("--page-token", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:8090", "127.0.0.1", 8090, false)]
    [InlineData("localhost:0", "127.0.0.1", 0, true)]
    [InlineData("[::]:9000", "::", 9000, false)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80, false)]
    public void ParseListen_ReadsAddressesWithPorts(string text, string address, int port, bool localhost)
    {
        var (endPoint, isLocalhost) = FleetOptions.ParseListen(text);

        Assert.Equal(IPAddress.Parse(address), endPoint.Address);
        Assert.Equal(port, endPoint.Port);
        Assert.Equal(localhost, isLocalhost);
    }

    [Theory]
    [InlineData("8090")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("example.com:80")]
    [InlineData("127.0.0.1:99999")]
    public void ParseListen_RefusesWhatIsNotAnAddressWithAPort(string text) =>
        Assert.Throws<FormatException>(() => FleetOptions.ParseListen(text));

    private static async Task<HttpResponseMessage> SendAsync(FleetHarness fleet, string path, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await fleet.Client.SendAsync(request, Ct);
    }
}
