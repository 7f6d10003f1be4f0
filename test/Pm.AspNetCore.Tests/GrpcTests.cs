using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pm.AspNetCore.Tests.Grpc;

namespace Pm.AspNetCore.Tests;

/// <summary>gRPC over HTTP/2 on loopback: services are tracked and killable; client calls are a task's calls.</summary>
public sealed class GrpcTests : IAsyncLifetime
{
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _server;
    private Uri? _address;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ProcessList ServerList => _server!.Services.GetRequiredService<ProcessList>();

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddProcessList();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(_started);
        _server = builder.Build();
        _server.UseProcessTracking();
        _server.MapGrpcService<SlowGreeter>();
        await _server.StartAsync(Ct);
        _address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _server!.StopAsync(CancellationToken.None);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Service_Killed_CancelsItsCallContextAndTheClientSeesCancelled()
    {
        using var channel = GrpcChannel.ForAddress(_address!);
        var call = new Greeter.GreeterClient(channel).SayHelloAsync(new HelloRequest { Name = "slow" }, cancellationToken: Ct);
        var id = await _started.Task.WaitAsync(Ct);
        var task = Assert.Single(ServerList.GetAll());
        Assert.Contains(task.Attributes, a => a.Key == "grpcMethod" && (string?)a.Value == "greet.Greeter/SayHello");

        // The client may see its call cancelled before the server's middleware has recorded how the task ended.
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = ServerList.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Finished && e.TaskId == id)
            {
                finished.TrySetResult();
            }
        });
        Assert.Equal(KillResult.Requested, ServerList.Kill(id, "stop"));

        var failure = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        await finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(ServerList.TryGetHistory(id, out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
    }

    [Fact]
    public async Task ClientCall_InsideATask_IsListedAsAGrpcCallAndAKillStopsIt()
    {
        var services = new ServiceCollection();
        services.AddProcessList();
        services.AddGrpcClient<Greeter.GreeterClient>(o => o.Address = _address);
        await using var provider = services.BuildServiceProvider();
        var list = provider.GetRequiredService<ProcessList>();
        var client = provider.GetRequiredService<Greeter.GreeterClient>();

        var run = list.RunAsync("caller", async _ => await client.SayHelloAsync(new HelloRequest { Name = "slow" }));
        await _started.Task.WaitAsync(Ct);
        var caller = Assert.Single(list.GetAll());
        Assert.Equal("gRPC greet.Greeter/SayHello", caller.Status);

        list.Kill("caller", "enough");

        var failure = await Assert.ThrowsAsync<RpcException>(() => run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        Assert.True(list.TryGetHistory("caller", out var history));
        Assert.Equal(TaskOutcome.Killed, history.Outcome);
        var entry = Assert.Single(history.Entries, e => e.Kind == CallKinds.Grpc);
        // An HTTP/2 call may also have waited for the connection to the server being set up.
        Assert.Matches(@"^gRPC greet\.Greeter/SayHello → killed(, waited \d+ ms for a connection)?$", entry.Status);
        Assert.Equal(_address!.Authority, entry.Target);
    }

    private sealed class SlowGreeter(TaskCompletionSource<string> started) : Greeter.GreeterBase
    {
        public override async Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
        {
            started.TrySetResult(context.GetHttpContext().GetTrackedTask()!.Id);
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new HelloReply { Message = "never" };
        }
    }
}
