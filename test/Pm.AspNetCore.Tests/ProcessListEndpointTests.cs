using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace Pm.AspNetCore.Tests;

/// <summary>Every row of the protocol table, the extensions, and hostile input, against MapProcessList on real Kestrel.</summary>
public sealed class ProcessListEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(
        TestApp app, HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        configure?.Invoke(request);
        var response = await app.Client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response);
    }

    internal static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement;

    [Fact]
    public async Task GetList_NoTasks_ReturnsEmptyArrayNeverNull()
    {
        await using var app = await TestApp.StartWithProcsAsync();

        var (status, body, response) = await SendAsync(app, HttpMethod.Get, "procs/");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Array, Json(body).GetProperty("procs").ValueKind);
        Assert.Equal(0, Json(body).GetProperty("procs").GetArrayLength());
        Assert.True(Json(body).TryGetProperty("serverTime", out _));
    }

    [Theory]
    [InlineData("procs")]
    [InlineData("procs/")]
    public async Task GetList_WithAndWithoutTrailingSlash_ListsTasks(string path)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");

        var (status, body, _) = await SendAsync(app, HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("a", Json(body).GetProperty("procs")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task GetList_ProcDetail_HasGoShapeAndOmitsEmptyFields()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var bare = app.List.Start("bare");
        using var full = app.List.Start("full", [new("method", "GET"), new("n", 7), new("ok", true), new("nothing", null)]);
        full.Status("step 1");
        app.List.Kill("full", "stop");

        var (_, body, _) = await SendAsync(app, HttpMethod.Get, "procs/");
        var procs = Json(body).GetProperty("procs").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);

        Assert.Equal(["id", "procTime", "statusTime", "status"], procs["bare"].EnumerateObject().Select(p => p.Name));
        Assert.Equal("init", procs["bare"].GetProperty("status").GetString());
        var attrs = procs["full"].GetProperty("attrs");
        Assert.Equal("GET", attrs.GetProperty("method").GetString());
        Assert.Equal(7, attrs.GetProperty("n").GetInt32());
        Assert.True(attrs.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, attrs.GetProperty("nothing").ValueKind);
        Assert.True(procs["full"].GetProperty("cancelling").GetBoolean());
        Assert.Equal("[cancel request: stop]", procs["full"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetList_Times_AreRfc3339UtcThatGoParses()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");

        var (_, body, _) = await SendAsync(app, HttpMethod.Get, "procs/");
        var times = new[] { Json(body).GetProperty("serverTime").GetString()!, Json(body).GetProperty("procs")[0].GetProperty("procTime").GetString()! };

        foreach (var time in times)
        {
            // What Go's time.Time.UnmarshalJSON accepts: RFC 3339 with optional fraction; ours is always UTC.
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$", time);
        }
    }

    [Fact]
    public async Task GetList_AttributeThatCannotSerialize_IsReportedAsTextAndOthersStillListed()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var bad = app.List.Start("bad", [new("self", new SelfReferencing()), new("thrower", new ThrowingProperty()), new("nan", double.NaN)]);
        using var good = app.List.Start("good", [new("when", new DateTime(2026, 11, 23, 0, 25, 0, DateTimeKind.Utc)), new("list", new[] { 1, 2 })]);

        var (status, body, _) = await SendAsync(app, HttpMethod.Get, "procs/");

        Assert.Equal(HttpStatusCode.OK, status);
        var procs = Json(body).GetProperty("procs").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal(JsonValueKind.String, procs["bad"].GetProperty("attrs").GetProperty("self").ValueKind);
        Assert.Equal("thrower", procs["bad"].GetProperty("attrs").GetProperty("thrower").GetString());
        Assert.Equal("NaN", procs["bad"].GetProperty("attrs").GetProperty("nan").GetString());
        Assert.Equal("2026-11-23T00:25:00Z", procs["good"].GetProperty("attrs").GetProperty("when").GetString());
        Assert.Equal(2, procs["good"].GetProperty("attrs").GetProperty("list").GetArrayLength());
    }

    [Fact]
    public async Task GetHistory_RunningTask_ReturnsEntriesOldestFirst()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");
        task.Status("one");
        task.Status("two");

        var (status, body, _) = await SendAsync(app, HttpMethod.Get, "procs/a/history");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["init", "one", "two"], Json(body).GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.True(Json(body).GetProperty("history")[0].TryGetProperty("ts", out _));
        Assert.False(Json(body).TryGetProperty("outcome", out _));
    }

    [Fact]
    public async Task GetHistory_TrailingSlashAndEncodedId_AreAccepted()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a/b c");

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "procs/a%2Fb%20c/history")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "procs/a%2Fb%20c/history/")).Status);
    }

    [Fact]
    public async Task GetHistory_UnknownId_Returns404WithPlainBody()
    {
        await using var app = await TestApp.StartWithProcsAsync();

        var (status, body, response) = await SendAsync(app, HttpMethod.Get, "procs/nope/history");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("{", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHistory_FinishedTask_IsRetainedWithOutcome()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var task = app.List.Start("done");
        app.List.Kill("done", "bye");
        task.Done(Assert.Throws<TaskKilledException>(task.ThrowIfKilled));

        var (status, body, _) = await SendAsync(app, HttpMethod.Get, "procs/done/history");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("killed", Json(body).GetProperty("outcome").GetString());
        Assert.Equal("killed: bye", Json(body).GetProperty("history").EnumerateArray().Last().GetProperty("status").GetString());
        Assert.True(Json(body).GetProperty("timeToHonour").GetDouble() >= 0);
    }

    [Fact]
    public async Task GetTask_ReturnsOneTaskOr404()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a", [new("k", "v")]);

        var (status, body, _) = await SendAsync(app, HttpMethod.Get, "procs/a");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("v", Json(body).GetProperty("attrs").GetProperty("k").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, HttpMethod.Get, "procs/b")).Status);
    }

    [Fact]
    public async Task GetFinished_ListsOutcomesNewestFirst()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        app.List.Start("first").Dispose();
        app.List.Start("second").Done(new InvalidOperationException());

        var (status, body, _) = await SendAsync(app, HttpMethod.Get, "procs/?view=finished");

        Assert.Equal(HttpStatusCode.OK, status);
        var finished = Json(body).GetProperty("finished").EnumerateArray().ToList();
        Assert.Equal(["second", "first"], finished.Select(f => f.GetProperty("id").GetString()));
        Assert.Equal(["aborted", "ended"], finished.Select(f => f.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task GetList_FilterSortLimit_SelectTasks()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var a = app.List.Start("a", [new("method", "GET")]);
        using var b = app.List.Start("b", [new("method", "POST")]);
        using var c = app.List.Start("c", [new("method", "GET")]);
        c.Status("Waiting on db");

        async Task<string[]> Ids(string query) =>
            [.. Json((await SendAsync(app, HttpMethod.Get, "procs/" + query)).Body).GetProperty("procs").EnumerateArray().Select(p => p.GetProperty("id").GetString()!)];

        Assert.Equal(["a", "c"], (await Ids("?attr.method=GET")).Order());
        Assert.Equal(["c"], await Ids("?status=db"));
        Assert.Equal(["c", "b", "a"], await Ids("?sort=-id"));
        Assert.Equal(["a", "b"], await Ids("?sort=id&limit=2"));
        Assert.Equal(["a", "b", "c"], await Ids("?sort=procTime"));
        Assert.Empty(await Ids("?minAge=1h"));
    }

    [Theory]
    [InlineData("procs/?limit=0")]
    [InlineData("procs/?limit=abc")]
    [InlineData("procs/?sort=bogus")]
    [InlineData("procs/?minAge=soon")]
    [InlineData("procs/?view=nothing")]
    [InlineData("procs/?view=finished&limit=-1")]
    public async Task GetList_BadQuery_Returns400(string path)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(app, HttpMethod.Get, path)).Status);
    }

    [Fact]
    public async Task Options_OnTask_Returns200WithAllowMethodsDelete()
    {
        await using var app = await TestApp.StartWithProcsAsync();

        var (status, _, response) = await SendAsync(app, HttpMethod.Options, "procs/a");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("DELETE", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }

    [Theory]
    [InlineData("PUT", "procs/a")]
    [InlineData("POST", "procs/a")]
    [InlineData("PATCH", "procs/a/history")]
    [InlineData("DELETE", "procs/a/history")]
    [InlineData("POST", "procs/")]
    [InlineData("DELETE", "procs/")]
    public async Task OtherMethods_Return405WithAllow(string method, string path)
    {
        await using var app = await TestApp.StartWithProcsAsync();

        var (status, _, response) = await SendAsync(app, new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.NotEmpty(response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("procs/a/b")]
    [InlineData("procs/a/history/x")]
    [InlineData("procs//history")]
    [InlineData("procs/a/histories")]
    public async Task OtherPaths_Return404(string path)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, HttpMethod.Get, path)).Status);
    }

    [Theory]
    [InlineData("procs/a%zz/history")]
    [InlineData("procs/%E0%A4%A/history")]
    [InlineData("procs/%FF%FE/history")]
    public async Task BadPercentEncoding_Returns400(string path)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await SendRawAsync(app, "GET /" + path + " HTTP/1.1")).Status);
    }

    [Fact]
    public async Task AbsurdlyLongId_Returns414()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        Assert.Equal(HttpStatusCode.RequestUriTooLong, (await SendAsync(app, HttpMethod.Get, "procs/" + new string('a', 2000) + "/history")).Status);
    }

    [Fact]
    public async Task Cors_Default_SendsNoAllowOrigin()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var (_, _, response) = await SendAsync(app, HttpMethod.Get, "procs/", configure: r => r.Headers.Add("Origin", "http://evil.example"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task ReadOnly_Delete_Returns403AndKillsNothing()
    {
        await using var app = await TestApp.StartWithProcsAsync(o => o.ReadOnly = true);
        using var task = app.List.Start("a");

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, HttpMethod.Delete, "procs/a")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "procs/")).Status);
        Assert.False(task.IsKillRequested);
    }

    [Fact]
    public async Task MapProcessList_WithoutAddProcessList_ThrowsClearError()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(() => app.MapProcessList());
        Assert.Contains("AddProcessList", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileRequests_NeverGet500AndServerKeepsServing()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var task = app.List.Start("a");
        string[] lines =
        [
            "GET /procs/%00/history HTTP/1.1",
            "GET /procs/%C0%AF/history HTTP/1.1",
            "GET /procs/..%2F..%2Fetc%2Fpasswd/history HTTP/1.1",
            "DELETE /procs/%25%25 HTTP/1.1",
            "GET /procs/?limit=99999999999999999999 HTTP/1.1",
            "GET /procs/?sort=&sort=id HTTP/1.1",
            "GET /procs/a/history?view=events HTTP/1.1",
            "TRACE /procs/a HTTP/1.1",
            "GET http://127.0.0.1/procs/a/history HTTP/1.1",
        ];

        foreach (var line in lines)
        {
            var (status, _) = await SendRawAsync(app, line);
            Assert.True((int)status is >= 200 and < 500, $"{line} -> {(int)status}");
        }

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "procs/a/history")).Status);
    }

    // HttpClient normalizes paths; a raw socket sends exactly what a hostile client would.
    private static async Task<(HttpStatusCode Status, string Response)> SendRawAsync(TestApp app, string requestLine)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(app.Address.Host, app.Address.Port, Ct);
        var stream = socket.GetStream();
        var request = Encoding.ASCII.GetBytes(requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request, Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync(Ct);
        var code = int.Parse(response.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return ((HttpStatusCode)code, response);
    }

    private sealed class SelfReferencing
    {
        public SelfReferencing Self => this;
    }

    private sealed class ThrowingProperty
    {
        private readonly string _message = "boom";

        public int Value => throw new InvalidOperationException(_message);

        public override string ToString() => "thrower";
    }
}
