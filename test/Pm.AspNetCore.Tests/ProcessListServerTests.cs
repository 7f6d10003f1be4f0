using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

public sealed class ProcessListServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ProcessListServerOptions Loopback(Action<ProcessListServerOptions>? configure = null)
    {
        var options = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public void Options_Default_BindLoopbackOn8081()
    {
        var options = new ProcessListServerOptions();
        Assert.Equal("http://127.0.0.1:8081", options.Url);
        Assert.Equal("/procs", options.Prefix);
        Assert.Throws<ArgumentException>("value", () => options.Url = "127.0.0.1:8081");
        Assert.Throws<ArgumentException>("value", () => options.Url = "https://127.0.0.1:8081");
    }

    [Fact]
    public async Task StartAsync_PortZero_ReportsBoundLoopbackAddress()
    {
        using var list = new ProcessList();
        await using var server = await ProcessListServer.StartAsync(list, Loopback(), Ct);

        Assert.Equal("127.0.0.1", server.Address.Host);
        Assert.NotEqual(0, server.Address.Port);
    }

    [Fact]
    public async Task StartAsync_ServesListWithEndpointOptions()
    {
        using var list = new ProcessList();
        using var task = list.Start("a");
        await using var server = await ProcessListServer.StartAsync(list, Loopback(o =>
        {
            o.Prefix = "/pm";
            o.AccessToken = "t";
            o.Endpoint.ReadOnly = true;
        }), Ct);
        using var client = new HttpClient { BaseAddress = server.Address };

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("pm/", Ct)).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t");
        var procs = await client.GetFromJsonAsync("pm/", PmJsonContext.Default.ProcResponse, Ct);
        Assert.Equal("a", Assert.Single(procs!.Procs).Id);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("pm/a", Ct)).StatusCode);
    }

    [Fact]
    public async Task StopAsync_WithOpenEventStream_StopsPromptlyAndFreesThePort()
    {
        using var list = new ProcessList();
        var server = await ProcessListServer.StartAsync(list, Loopback(), Ct);
        using var client = new HttpClient { BaseAddress = server.Address };
        using var stream = await client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);

        await server.StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(4), Ct);
        await server.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("procs/", Ct));
        await using var again = await ProcessListServer.StartAsync(list, Loopback(o => o.Url = $"http://127.0.0.1:{server.Address.Port}"), Ct);
        Assert.Equal(server.Address.Port, again.Address.Port);
    }

    [Fact]
    public async Task AddProcessListServer_RunsForTheHostsLifetime()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddProcessList();
        builder.Services.AddProcessListServer(o => o.Url = "http://127.0.0.1:0");
        using var host = builder.Build();
        await host.StartAsync(Ct);
        var list = host.Services.GetRequiredService<ProcessList>();
        using var task = list.Start("hosted");

        var server = host.Services.GetServices<IHostedService>().Single();
        var address = ((Internal.ProcessListServerHostedService)server).Address!;
        using var client = new HttpClient { BaseAddress = address };
        var procs = await client.GetFromJsonAsync("procs/", PmJsonContext.Default.ProcResponse, Ct);

        Assert.Equal("hosted", Assert.Single(procs!.Procs).Id);
        await host.StopAsync(Ct);
    }

    private static Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(
        TestApp app, HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null) =>
        ProcessListEndpointTests.SendAsync(app, method, path, content, configure);

    [Fact]
    public async Task Cors_ListenerOrigins_AllowOnlyThose()
    {
        await using var app = await TestApp.StartListenerAsync(o => o.AllowedOrigins.Add("http://dash.example"));

        var (_, _, allowed) = await SendAsync(app, HttpMethod.Get, "procs/", configure: r => r.Headers.Add("Origin", "http://dash.example"));
        var (_, _, other) = await SendAsync(app, HttpMethod.Get, "procs/", configure: r => r.Headers.Add("Origin", "http://evil.example"));
        var (_, _, preflight) = await SendAsync(app, HttpMethod.Options, "procs/a", configure: r => r.Headers.Add("Origin", "http://dash.example"));

        Assert.Equal("http://dash.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal("http://dash.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Cors_ListenerStar_SendsStarLikeGo()
    {
        await using var app = await TestApp.StartListenerAsync(o => o.AllowedOrigins.Add("*"));
        var (_, _, response) = await SendAsync(app, HttpMethod.Get, "procs/nope/history");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task BearerToken_ListenerMissingOrWrong_Returns401WithChallenge()
    {
        await using var app = await TestApp.StartListenerAsync(o => o.AccessToken = "s3cret");
        using var task = app.List.Start("a");

        var (missing, _, missingResponse) = await SendAsync(app, HttpMethod.Get, "procs/");
        var (wrong, _, wrongResponse) = await SendAsync(app, HttpMethod.Delete, "procs/a", configure: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "guess"));
        var (right, _, _) = await SendAsync(app, HttpMethod.Get, "procs/", configure: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret"));
        var (preflight, _, _) = await SendAsync(app, HttpMethod.Options, "procs/a");

        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.StartsWith("Bearer", missingResponse.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Contains("invalid_token", wrongResponse.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.False(task.IsKillRequested);
        Assert.Equal(HttpStatusCode.OK, right);
        Assert.Equal(HttpStatusCode.OK, preflight);
    }
}
