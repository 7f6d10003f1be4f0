using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pm.Cli.Tests.Web;

/// <summary>
/// A server that speaks only what a Go pm server speaks: <c>GET /procs/</c> (whatever the query), the history and
/// <c>DELETE</c>, nanosecond times, no extension header and no live stream.
/// </summary>
internal sealed class GoServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GoTask> _tasks = new(StringComparer.Ordinal);

    private GoServer()
    {
    }

    public TestApp App { get; private set; } = null!;

    public string Name => $"127.0.0.1:{App.Address.Port}";

    public ConcurrentQueue<(string Id, string Body)> Kills { get; } = new();

    /// <summary>Gets or sets a value indicating whether listings are answered 503 with <c>Retry-After: 1</c>, as a server writing as many as it allows does.</summary>
    public bool Busy { get; set; }

    public static async Task<GoServer> StartAsync()
    {
        var server = new GoServer();
        server.App = await TestApp.StartAsync(app =>
        {
            app.MapGet("/procs/", (HttpResponse response) =>
            {
                if (server.Busy)
                {
                    response.Headers.RetryAfter = "1";
                    return Results.Text("busy\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                return Results.Text(server.ListJson(), "application/json");
            });
            app.MapGet("/procs/{id}/history", (string id) => server._tasks.TryGetValue(id, out var task)
                ? Results.Text($$"""{"history":[{"ts":"{{Time(task.Started)}}","status":"init"},{"ts":"{{Time(task.Changed)}}","status":"{{task.Status}}"}],"serverTime":"{{Time(DateTimeOffset.UtcNow)}}"}""", "application/json")
                : Results.Text("404 page not found\n{\"error\":\"no such process\"}", "text/plain", statusCode: 404));
            app.MapDelete("/procs/{id}", async (string id, HttpRequest request) =>
            {
                var body = (await new StreamReader(request.Body).ReadToEndAsync()).Trim();
                server.Kills.Enqueue((id, body));
                if (!server._tasks.TryGetValue(id, out var task))
                {
                    return Results.NotFound();
                }

                task.Cancelling = true;
                return Results.Ok();
            });
        });
        return server;
    }

    public void Start(string id, string status) =>
        _tasks[id] = new GoTask { Started = DateTimeOffset.UtcNow, Changed = DateTimeOffset.UtcNow, Status = status };

    public bool IsCancelling(string id) => _tasks.TryGetValue(id, out var task) && task.Cancelling;

    public ValueTask DisposeAsync() => App.DisposeAsync();

    // Go writes nine fractional digits.
    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    private string ListJson()
    {
        var json = new StringBuilder("{\"procs\":[");
        var first = true;
        foreach (var (id, task) in _tasks)
        {
            json.Append(first ? string.Empty : ",").Append(CultureInfo.InvariantCulture,
                $$"""{"id":"{{id}}","attrs":{"method":"GET"},"procTime":"{{Time(task.Started)}}","statusTime":"{{Time(task.Changed)}}","status":"{{task.Status}}"{{(task.Cancelling ? ",\"cancelling\":true" : string.Empty)}}}""");
            first = false;
        }

        return json.Append(CultureInfo.InvariantCulture, $"],\"serverTime\":\"{Time(DateTimeOffset.UtcNow)}\"}}").ToString();
    }

    private sealed class GoTask
    {
        public DateTimeOffset Started { get; init; }

        public DateTimeOffset Changed { get; init; }

        public required string Status { get; init; }

        public bool Cancelling { get; set; }
    }
}
