using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pm.AspNetCore.Tests;

/// <summary>Kill requests over HTTP: Go's body, the audit of who asked, and every malformed body a client can send.</summary>
public sealed class ProcessListEndpointKillTests
{
    private static Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(
        TestApp app, HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null) =>
        ProcessListEndpointTests.SendAsync(app, method, path, content, configure);

    private static JsonElement Json(string body) => ProcessListEndpointTests.Json(body);

    [Theory]
    [InlineData("procs/a")]
    [InlineData("procs/a/")]
    public async Task Delete_WithGoClientBody_KillsAndReturnsEmpty200(string path)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");

        var (status, body, _) = await SendAsync(app, HttpMethod.Delete, path, new StringContent("{\"message\":\"m\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(body);
        Assert.True(task.IsKillRequested);
        Assert.True(task.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public async Task Delete_EmptyBodyOrNoMessage_KillsWithoutMessage()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var a = app.List.Start("a");
        using var b = app.List.Start("b");

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Delete, "procs/a")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Delete, "procs/b", new StringContent("{}", Encoding.UTF8, "application/json"))).Status);

        Assert.True(app.List.TryGetHistory("a", out var history));
        Assert.Equal("[cancel request]", history.Entries[^1].Status);
        Assert.True(app.List.TryGetHistory("b", out history));
        Assert.Equal("[cancel request]", history.Entries[^1].Status);
    }

    [Fact]
    public async Task Delete_WithAbort_RecordsAnAbortRequest()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");

        var (status, _, _) = await SendAsync(app, HttpMethod.Delete, "procs/a", new StringContent("{\"message\":\"now\",\"abort\":true}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(task.CancellationToken.IsCancellationRequested);
        Assert.True(app.List.TryGetHistory("a", out var history));
        Assert.Equal("[abort request: now]", history.Entries[^1].Status);
    }

    [Fact]
    public async Task Delete_RecordsWhoAskedAsExtraHistoryFields()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");
        await SendAsync(app, HttpMethod.Delete, "procs/a", new StringContent("{\"message\":\"m\"}", Encoding.UTF8, "application/json"));

        var (_, body, _) = await SendAsync(app, HttpMethod.Get, "procs/a/history");
        var entry = Json(body).GetProperty("history")[1];

        Assert.Equal("[cancel request: m]", entry.GetProperty("status").GetString());
        Assert.StartsWith("127.0.0.1:", entry.GetProperty("remoteAddr").GetString(), StringComparison.Ordinal);
        Assert.False(entry.TryGetProperty("user", out _));
    }

    [Fact]
    public async Task Delete_UnknownAndForbidden_Return404And403()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("locked", options: new TaskOptions { ForbidKill = true });

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, HttpMethod.Delete, "procs/nope")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, HttpMethod.Delete, "procs/locked")).Status);
        Assert.False(task.IsKillRequested);
    }

    [Fact]
    public async Task Delete_WrongContentType_Returns415AndKillsNothing()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");

        var (status, _, _) = await SendAsync(app, HttpMethod.Delete, "procs/a", new StringContent("message=m", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.False(task.IsKillRequested);
    }

    [Theory]
    [InlineData("{\"message\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"message\":42}")]
    [InlineData("not json")]
    public async Task Delete_MalformedJson_Returns400AndKillsNothing(string json)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");

        var (status, _, _) = await SendAsync(app, HttpMethod.Delete, "procs/a", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(task.IsKillRequested);
    }

    [Fact]
    public async Task Delete_BodyOver16KiB_Returns413AndKillsNothing()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");
        var big = "{\"message\":\"" + new string('x', 17 * 1024) + "\"}";

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(app, HttpMethod.Delete, "procs/a", new StringContent(big, Encoding.UTF8, "application/json"))).Status);

        // Chunked, so no Content-Length announces the size.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(app, HttpMethod.Delete, "procs/a", chunked, r => r.Headers.TransferEncodingChunked = true)).Status);
        Assert.False(task.IsKillRequested);
    }
}
