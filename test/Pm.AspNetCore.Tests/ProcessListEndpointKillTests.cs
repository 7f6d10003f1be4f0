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

    public static TheoryData<string, byte[]> HostileBodies()
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        var data = new TheoryData<string, byte[]>
        {
            { "truncated", Utf8("{\"message\":") },
            { "array", Utf8("[1,2]") },
            { "empty array", Utf8("[]") },
            { "string", Utf8("\"stop\"") },
            { "number", Utf8("42") },
            { "not json", Utf8("not json") },
            { "number for message", Utf8("{\"message\":42}") },
            { "huge number for message", Utf8("{\"message\":1e999999}") },
            { "boolean for message", Utf8("{\"message\":true}") },
            { "object for message", Utf8("{\"message\":{\"text\":\"m\"}}") },
            { "array for message", Utf8("{\"message\":[\"m\"]}") },
            { "string for abort", Utf8("{\"abort\":\"yes\"}") },
            { "number for abort", Utf8("{\"abort\":1}") },
            { "deep nesting", Utf8("{\"message\":" + new string('[', 5000) + new string(']', 5000) + "}") },
            { "deep nesting in an unknown property", Utf8("{\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}") },
            { "invalid UTF-8 in message", [.. Utf8("{\"message\":\""), 0xFF, 0xFE, .. Utf8("\"}")] },
            { "invalid UTF-8 outside strings", [0xC3, 0x28] },
            { "lone surrogate escape", Utf8("{\"message\":\"\\ud800\"}") },
            { "two byte order marks", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. Utf8("{}")] },
            { "trailing garbage", Utf8("{\"message\":\"m\"} x") },
            { "two objects", Utf8("{\"message\":\"a\"}{\"message\":\"b\"}") },
            { "comment", Utf8("{/* hi */\"message\":\"m\"}") },
            { "NUL byte", [0x00] },
            { "whitespace only", Utf8("  \n ") },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Delete_HostileBody_Returns400InTheWiresWordsAndKillsNothing(string shape, byte[] body)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var (status, text, _) = await SendAsync(app, HttpMethod.Delete, "procs/a", content);

        Assert.True(status == HttpStatusCode.BadRequest, $"{shape}: {(int)status} {text}");
        Assert.StartsWith("invalid kill request: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Pm.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("CancelRequest", text, StringComparison.Ordinal);
        Assert.False(task.IsKillRequested);
    }

    [Theory]
    [InlineData("{\"message\":\"m\"}", "[cancel request: m]")]
    [InlineData("null", "[cancel request]")]
    [InlineData("{\"message\":null,\"abort\":null,\"other\":[1,{\"a\":2}]}", "[cancel request]")]
    public async Task Delete_BodyAfterAUtf8ByteOrderMark_Kills(string json, string entry)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");
        var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var (status, text, _) = await SendAsync(app, HttpMethod.Delete, "procs/a", content);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {text}");
        Assert.True(app.List.TryGetHistory("a", out var history));
        Assert.Equal(entry, history.Entries[^1].Status);
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
