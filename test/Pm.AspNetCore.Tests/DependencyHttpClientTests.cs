using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// Work that sends requests through an <see cref="HttpClient"/> it made itself, not the factory's: pm lists the call
/// from the handler's diagnostic events, and listening changes nothing that is sent.
/// </summary>
public sealed class DependencyHttpClientTests : IAsyncLifetime
{
    private static readonly HttpClient Plain = new();

    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string?> _traceParents = new();
    private TestApp? _dependency;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestApp Dependency => _dependency!;

    public async ValueTask InitializeAsync() =>
        _dependency = await TestApp.StartAsync(app => app.MapGet("/items/{id}", async (HttpContext context) =>
        {
            _traceParents.Enqueue(context.Request.Headers.TryGetValue("traceparent", out var value) ? value.ToString() : null);
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
    public async Task Call_ThroughAClientNotFromTheFactory_IsListedAndRecordedWithItsEnd()
    {
        using var list = new ProcessList();
        var target = Dependency.Address.Authority;
        var run = Task.Run(() => list.RunAsync("job", async _ => await Plain.GetStringAsync(new Uri(Dependency.Address, "items/7?key=k"))), Ct);
        await _arrived.Task.WaitAsync(Ct);
        Assert.Equal($"HTTP GET {target}/items/7", Assert.Single(list.GetAll()).Status);

        _release.SetResult();
        await run;
        Assert.True(list.TryGetHistory("job", out var history));
        var call = Assert.Single(history.Entries, e => e.Kind == CallKinds.Http);
        Assert.Equal($"HTTP GET {target}/items/7 → 200", call.Status);
        Assert.Equal(target, call.Target);
    }

    [Fact]
    public async Task Call_ThroughAClientNotFromTheFactory_SendsTheTraceHeadersItWouldSendWithoutPm()
    {
        using var list = new ProcessList();
        _release.SetResult();

        // No current activity: .NET sends no trace header, and watching the call must not make it send one.
        await Task.Run(
            async () =>
            {
                Activity.Current = null;
                await list.RunAsync("quiet", async _ => await Plain.GetStringAsync(new Uri(Dependency.Address, "items/1")));
            },
            Ct);

        // A current activity: .NET sends a child of it, as it does with no listener.
        using var parent = new Activity("work").SetIdFormat(ActivityIdFormat.W3C).Start();
        await list.RunAsync("traced", async _ => await Plain.GetStringAsync(new Uri(Dependency.Address, "items/2")));
        parent.Stop();

        Assert.Equal(2, _traceParents.Count);
        Assert.Null(_traceParents.First());
        var sent = Assert.IsType<string>(_traceParents.Last());
        Assert.StartsWith($"00-{parent.TraceId}-", sent, StringComparison.Ordinal);
        Assert.DoesNotContain(parent.SpanId.ToHexString(), sent, StringComparison.Ordinal);
        Assert.True(list.TryGetHistory("traced", out var history));
        Assert.Single(history.Entries, e => e.Kind == CallKinds.Http);
    }

    [Fact]
    public async Task Call_ThroughAFactoryClient_IsListedOnce()
    {
        await using var app = await TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapGet("/work", async (IHttpClientFactory factory) => await factory.CreateClient("dependency").GetStringAsync("items/7"));
            },
            services => services.AddHttpClient("dependency", c => c.BaseAddress = Dependency.Address));
        var response = app.Client.GetAsync("work", Ct);
        await _arrived.Task.WaitAsync(Ct);
        Assert.Equal($"HTTP GET {Dependency.Address.Authority}/items/7", Assert.Single(app.List.GetAll()).Status);

        _release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
        var id = Assert.Single(app.List.GetFinished()).Id;
        Assert.True(app.List.TryGetHistory(id, out var history));
        Assert.Single(history.Entries, e => e.Kind == CallKinds.Http);
    }
}
