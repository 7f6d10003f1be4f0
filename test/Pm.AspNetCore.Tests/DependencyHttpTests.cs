using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// A handler that passes no token and writes no status calls a real HTTP dependency through <c>IHttpClientFactory</c>:
/// pm lists the call, records its end, and a kill aborts it.
/// </summary>
public sealed class DependencyHttpTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestApp? _dependency;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestApp Dependency => _dependency!;

    public async ValueTask InitializeAsync() =>
        _dependency = await TestApp.StartAsync(app => app.MapGet("/items/{id}", async (HttpContext context) =>
        {
            context.RequestAborted.Register(() => _aborted.TrySetResult());
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
    public async Task Request_CallingADependency_StatusNamesTheCallWithoutItsQueryAndHistoryRecordsItsEnd()
    {
        await using var app = await StartCallerAsync();
        var response = app.Client.GetAsync("work", Ct);
        await _arrived.Task.WaitAsync(Ct);

        var task = Assert.Single(app.List.GetAll());
        var target = Dependency.Address.Authority;
        Assert.Equal($"HTTP GET {target}/items/7", task.Status);

        _release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
        var history = TrackedTaskHistory(app.List, task.Id);
        var call = Assert.Single(history.Entries, e => e.Kind == CallKinds.Http);
        Assert.Equal($"HTTP GET {target}/items/7 → 200", call.Status);
        Assert.Equal(target, call.Target);
        Assert.True(call.Duration > TimeSpan.Zero);
        Assert.Equal(TaskOutcome.Ended, history.Outcome);
    }

    [Fact]
    public async Task Kill_WhileTheCallIsInFlight_AbortsItAndTheRequestEndsKilled()
    {
        await using var app = await StartCallerAsync();
        var response = app.Client.GetAsync("work", Ct);
        await _arrived.Task.WaitAsync(Ct);
        var id = Assert.Single(app.List.GetAll()).Id;

        Assert.Equal(KillResult.Requested, app.List.Kill(id, "stop"));

        await _aborted.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var answer = await response;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal("killed: stop\n", await answer.Content.ReadAsStringAsync(Ct));
        var history = TrackedTaskHistory(app.List, id);
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        Assert.EndsWith("→ killed", Assert.Single(history.Entries, e => e.Kind == CallKinds.Http).Status);
    }

    [Fact]
    public async Task Request_HttpObservationOff_NeitherListsNorStopsTheCall()
    {
        await using var app = await StartCallerAsync(o => o.Dependencies.Http = false);
        var response = app.Client.GetAsync("work", Ct);
        await _arrived.Task.WaitAsync(Ct);
        var id = Assert.Single(app.List.GetAll()).Id;
        Assert.Equal("init", Assert.Single(app.List.GetAll()).Status);

        _release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await response).StatusCode);
        Assert.DoesNotContain(TrackedTaskHistory(app.List, id).Entries, e => e.Kind is not null);
    }

    [Fact]
    public async Task Call_OutsideAnyTask_GoesThroughUntouched()
    {
        await using var app = await StartCallerAsync();
        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        var call = factory.CreateClient("dependency").GetStringAsync("items/1", Ct);
        await _arrived.Task.WaitAsync(Ct);
        Assert.Empty(app.List.GetAll());
        _release.SetResult();
        Assert.Equal("item", await call);
        Assert.Empty(app.List.GetFinished());
    }

    private static TaskHistory TrackedTaskHistory(ProcessList list, string id) =>
        list.TryGetHistory(id, out var history) ? history : throw new InvalidOperationException($"no history for {id}");

    private Task<TestApp> StartCallerAsync(Action<ProcessListOptions>? configure = null) =>
        TestApp.StartAsync(
            app =>
            {
                app.UseProcessTracking();
                app.MapGet("/work", async (IHttpClientFactory factory) =>
                    await factory.CreateClient("dependency").GetStringAsync("items/7?secret=s3"));
            },
            services =>
            {
                if (configure is not null)
                {
                    services.AddSingleton(_ =>
                    {
                        var options = new ProcessListOptions();
                        configure(options);
                        return new ProcessList(options);
                    });
                }

                services.AddHttpClient("dependency", c => c.BaseAddress = Dependency.Address);
            });
}
