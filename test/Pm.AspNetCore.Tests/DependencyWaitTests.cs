using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// An HTTP call that is slow before its request is even sent says why: it waits for a connection from a pool that has
/// none free, or its connect gets no answer. The waits come from the activities .NET starts, seen inside tasks only.
/// </summary>
public sealed class DependencyWaitTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _headers = new();
    private TestApp? _dependency;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestApp Dependency => _dependency!;

    public async ValueTask InitializeAsync() =>
        _dependency = await TestApp.StartAsync(app => app.MapGet("/items/{id}", async (HttpContext context) =>
        {
            _headers.Enqueue(string.Join(",", context.Request.Headers.Keys.Order()));
            _arrived.TrySetResult();
            await _release.Task.WaitAsync(context.RequestAborted);
            return "item";
        }));

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await Dependency.DisposeAsync();
    }

    [Fact]
    public async Task Call_ToAPoolWithNoFreeConnection_StatusSaysWaitingForConnectionAndTheEntryNotesTheWait()
    {
        await using var app = await StartCallerAsync(Dependency.Address, new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        var target = Dependency.Address.Authority;
        var log = new ConcurrentQueue<string>();
        using var dbg = app.List.Subscribe(e => log.Enqueue($"{e.TaskId} {e.Kind} {e.Text}"));
        var first = app.Client.GetAsync("work", Ct);
        await _arrived.Task.WaitAsync(Ct);

        // The first call waited too, for the connection it made; the second waits for the first to give it back.
        var firstId = Assert.Single(app.List.GetAll()).Id;
        var waiting = StatusEvent(app.List, $"HTTP GET {target}/items/7 (waiting for connection)", firstId);
        var second = app.Client.GetAsync("work", Ct);
        var id = await waiting;
        Assert.Equal($"HTTP GET {target}/items/7 (waiting for connection)", Assert.Single(app.List.GetAll(), t => t.Id == id).Status);

        // The wait is noted once it lasted 10 ms: the time itself is what is tested here.
        await Task.Delay(50, Ct);
        _release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.True(app.List.TryGetHistory(id, out var history));
        var call = Assert.Single(history.Entries, e => e.Kind == CallKinds.Http);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(call.Status, $@"^HTTP GET {target}/items/7 → 200, waited \d+ ms for a connection$"), id + "\n" + string.Join("\n", log));

        // Watching the waits sent nothing new: no trace headers, no other headers than without pm.
        Assert.All(_headers, h => Assert.DoesNotContain("traceparent", h, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Call_ToAnAddressThatDoesNotAnswer_StatusSaysConnectingUntilTheKillAbortsIt()
    {
        // A listener whose one-place backlog is full: the kernel drops further connection requests unanswered.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(0);
        var endPoint = (IPEndPoint)silent.LocalEndPoint!;
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await filler.ConnectAsync(endPoint, Ct);

        await using var app = await StartCallerAsync(new Uri($"http://{endPoint}/"), new SocketsHttpHandler());
        var log = new ConcurrentQueue<string>();
        using var dbg = app.List.Subscribe(e => log.Enqueue($"{e.Timestamp:ss.fff} {e.TaskId} {e.Kind} {e.Text}"));
        var connecting = StatusEvent(app.List, $"HTTP GET {endPoint}/items/7 (connecting)");
        var response = app.Client.GetAsync("work", Ct);
        var id = await connecting;
        var listed = await ListedStatus(app.List, id, $"HTTP GET {endPoint}/items/7 (connecting {endPoint})");
        Assert.True(listed == $"HTTP GET {endPoint}/items/7 (connecting {endPoint})", listed + "\n" + string.Join("\n", log));

        Assert.Equal(KillResult.Requested, app.List.Kill(id, "no answer"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await response.WaitAsync(TimeSpan.FromSeconds(10), Ct)).StatusCode);
        Assert.True(app.List.TryGetHistory(id, out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        Assert.Equal($"HTTP GET {endPoint}/items/7 → killed", Assert.Single(history.Entries, e => e.Kind == CallKinds.Http).Status);
    }

    [Fact]
    public async Task Call_OutsideAnyTask_StartsNoActivityOfPms()
    {
        await using var app = await StartCallerAsync(Dependency.Address, new SocketsHttpHandler { MaxConnectionsPerServer = 1 });
        var port = ":" + Dependency.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var seen = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("Experimental.System.Net", StringComparison.Ordinal),
            ActivityStopped = a =>
            {
                // Other tests' calls, in tasks, run at the same time: only this dependency's count.
                if (a.DisplayName.EndsWith(port, StringComparison.Ordinal))
                {
                    _headers.Enqueue("activity " + a.DisplayName);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(seen);

        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        var first = factory.CreateClient("dependency").GetStringAsync("items/1", Ct);
        await _arrived.Task.WaitAsync(Ct);
        var second = factory.CreateClient("dependency").GetStringAsync("items/2", Ct);
        _release.SetResult();
        Assert.Equal("item", await first);
        Assert.Equal("item", await second);

        // The listener above samples nothing itself: any activity it saw would have been created for pm.
        Assert.DoesNotContain(_headers, h => h.StartsWith("activity ", StringComparison.Ordinal));
    }

    // Completes with the id of the first task, but the one excepted, whose status event has exactly this text.
    private static async Task<string> StatusEvent(ProcessList list, string text, string? except = null)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = list.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Status && e.Text == text && e.TaskId != except)
            {
                seen.TrySetResult(e.TaskId);
            }
        });
        return await seen.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    // The event tells of the wait as it begins; .NET names the end point on the activity just after, with no signal
    // of its own, so the listed status is read until it does.
    private static async Task<string> ListedStatus(ProcessList list, string id, string text)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? status;
        while ((status = list.GetAll().FirstOrDefault(t => t.Id == id)?.Status) != text && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10, Ct);
        }

        return status ?? "(ended)";
    }

    private static Task<TestApp> StartCallerAsync(Uri dependency, SocketsHttpHandler handler) =>
        TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapGet("/work", async (IHttpClientFactory factory) =>
                    await factory.CreateClient("dependency").GetStringAsync("items/7"));
            },
            services => services.AddHttpClient("dependency", c => c.BaseAddress = dependency)
                .ConfigurePrimaryHttpMessageHandler(() => handler));
}
