using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// Slow requests, deadlines and progress on a real server: the log line of a slow request names the dependency it
/// waits on, a deadline answers the client with the killed status code, and listings carry the alert and the progress.
/// </summary>
public sealed class WatchdogHttpTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RecordingLoggerProvider _logs = new();
    private TestApp? _dependency;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _dependency = await TestApp.StartAsync(app => app.MapGet("/items/{id}", async (HttpContext context) =>
        {
            _arrived.TrySetResult();
            await _release.Task.WaitAsync(context.RequestAborted);
            return "item";
        }));

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _dependency!.DisposeAsync();
    }

    [Fact]
    public async Task SlowRequest_IsLoggedNamingTheDependencyItWaitsOn_AndListedWithItsAlert()
    {
        await using var app = await StartAsync();
        var slow = new TaskCompletionSource<TaskEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = app.List.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Slow)
            {
                slow.TrySetResult(e);
            }
        });

        var response = app.Client.GetAsync("report", Ct);
        await _arrived.Task.WaitAsync(Ct);
        await slow.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var record = Assert.Single(_logs.Records, r => r.Message.Contains("is slow", StringComparison.Ordinal));
        Assert.Equal("Pm.ProcessList", record.Category);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Matches($@"^Task \S+ \(GET /report\) is slow: running for \d+ ms; \d+ ms in HTTP GET {_dependency!.Address.Authority}/items/7 \(in flight\)", record.Message);

        using var listing = JsonDocument.Parse(await app.Client.GetStringAsync("procs/", Ct));
        var proc = listing.RootElement.GetProperty("procs")[0];
        Assert.Equal("slow", proc.GetProperty("alert").GetString());
        Assert.Single(await ProcsAsync(app, "procs/?alert=slow"));
        Assert.Empty(await ProcsAsync(app, "procs/?alert=hung"));
        var bad = await app.Client.GetAsync("procs/?alert=late", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        _release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
    }

    [Fact]
    public async Task Deadline_KillsTheRequest_TheClientGetsTheKilledStatusCode_AndTheLogSaysWhy()
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync("stuck", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("killed: deadline exceeded\n", await response.Content.ReadAsStringAsync(Ct));
        var finished = Assert.Single(app.List.GetFinished());
        Assert.Equal(TaskOutcome.Killed, finished.Outcome);
        Assert.Contains(finished.Entries, e => e.Status == "[cancel request: deadline exceeded]");
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("(GET /stuck) exceeded its deadline after", StringComparison.Ordinal));
        Assert.Contains(_logs.Records, r => r.Message.Contains("(GET /stuck) ended killed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Progress_IsListed_WithTheDeadline()
    {
        await using var app = await StartAsync();
        var response = app.Client.GetAsync("import", Ct);
        await _arrived.Task.WaitAsync(Ct);

        var proc = Assert.Single(await ProcsAsync(app, "procs/"));
        var progress = proc.GetProperty("progress");
        Assert.Equal(250, progress.GetProperty("done").GetInt64());
        Assert.Equal(1000, progress.GetProperty("total").GetInt64());
        Assert.Equal("rows", progress.GetProperty("unit").GetString());
        Assert.True(proc.TryGetProperty("deadline", out var deadline));
        Assert.True(deadline.GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.False(proc.TryGetProperty("alert", out _));

        _release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
    }

    private static async Task<List<JsonElement>> ProcsAsync(TestApp app, string path)
    {
        using var document = JsonDocument.Parse(await app.Client.GetStringAsync(path, Ct));
        return [.. document.RootElement.GetProperty("procs").EnumerateArray().Select(p => p.Clone())];
    }

    private Task<TestApp> StartAsync() =>
        TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapProcessList("/procs");
                app.MapGet("/report", async (IHttpClientFactory factory) => await factory.CreateClient("dependency").GetStringAsync("items/7"))
                    .WithTaskOptions(new TaskOptions { SlowAfter = TimeSpan.FromMilliseconds(200) });
                app.MapGet("/stuck", async (HttpContext context) => await Task.Delay(Timeout.Infinite, context.RequestAborted))
                    .WithTaskOptions(new TaskOptions { Deadline = TimeSpan.FromMilliseconds(300) });
                app.MapGet("/import", async (HttpContext context, IHttpClientFactory factory) =>
                {
                    context.GetTrackedTask()!.ReportProgress(250, 1000, "rows");
                    return await factory.CreateClient("dependency").GetStringAsync("items/1");
                }).WithTaskOptions(new TaskOptions { Deadline = TimeSpan.FromMinutes(10) });
            },
            services =>
            {
                services.AddSingleton<ILoggerProvider>(_logs);
                services.AddSingleton(provider => new ProcessList(new ProcessListOptions
                {
                    LoggerFactory = provider.GetRequiredService<ILoggerFactory>(),
                    WatchdogInterval = TimeSpan.FromMilliseconds(50),
                }));
                services.AddHttpClient("dependency", c => c.BaseAddress = _dependency!.Address);
            });
}
