using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pm.AspNetCore.Internal;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

public sealed class ProcessListServerShutdownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddProcessListServer_HostDraining_KeepsAnsweringUntilTheDrainEnds(bool stopConcurrently)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            o.ServicesStopConcurrently = stopConcurrently;
        });
        builder.Services.AddProcessList().AddProcessListServer(o => o.Url = "http://127.0.0.1:0");
        var app = builder.Build();
        app.UseProcessTracking();
        var slow = new SlowRequest();
        app.MapGet("/slow", slow.HandleAsync);
        await app.StartAsync(Ct);
        await DrainAsync(app.Services, slow, () => app.StopAsync(CancellationToken.None));
        await app.DisposeAsync();
    }

    [Fact]
    public async Task AddProcessListServer_RegisteredAfterTheWebHost_StillStopsAfterTheDrain()
    {
        // A generic host registers its web server before the services configured after it, so it would stop last.
        var slow = new SlowRequest();
        using var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseKestrel(k => k.Listen(IPAddress.Loopback, 0))
                .ConfigureServices(s => s.AddRouting().AddProcessList())
                .Configure(a => a.UseRouting().UseProcessTracking().UseEndpoints(e => e.MapGet("/slow", slow.HandleAsync))))
            .ConfigureServices(s => s.AddProcessListServer(o => o.Url = "http://127.0.0.1:0"))
            .Build();
        await host.StartAsync(Ct);
        await DrainAsync(host.Services, slow, () => host.StopAsync(CancellationToken.None));
    }

    // Stops the host with a request running; while its server drains that request, the pm listener must still list
    // it; once the host has stopped, the listener must be closed.
    private static async Task DrainAsync(IServiceProvider services, SlowRequest slow, Func<Task> stop)
    {
        var appAddress = new Uri(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var pmAddress = services.GetServices<IHostedService>().OfType<ProcessListServerHostedService>().Single().Address!;
        using var http = new HttpClient();
        var request = http.GetStringAsync(new Uri(appAddress, "/slow"), Ct);
        await slow.Entered.Task.WaitAsync(Ct);
        var stopping = stop();

        // Once the application's server refuses new connections, it is draining the request still running.
        await EventStreamTests.EventuallyAsync(async () => !await AcceptsAsync(appAddress));
        Assert.False(request.IsCompleted);
        var procs = await http.GetFromJsonAsync(new Uri(pmAddress, "procs/"), PmJsonContext.Default.ProcResponse, Ct);
        Assert.Contains(procs!.Procs, p => p.Attrs?.TryGetValue("uri", out var uri) == true && uri?.ToString() == "/slow");

        slow.Release.SetResult();
        Assert.Equal("done", await request);
        await stopping;
        Assert.False(await AcceptsAsync(pmAddress));
    }

    [Theory]
    [InlineData("http://0.0.0.0:0", null, true)]
    [InlineData("http://0.0.0.0:0", "s3cret", false)]
    [InlineData("http://127.0.0.1:0", null, false)]
    public async Task StartAsync_ReachableFromOtherHostsWithoutToken_LogsAWarning(string url, string? token, bool warns)
    {
        using var logging = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logging));
        using var list = new ProcessList();
        var options = new ProcessListServerOptions { Url = url, LoggerFactory = factory };
        options.AccessToken = token;

        await using (await ProcessListServer.StartAsync(list, options, Ct))
        {
        }

        var warnings = logging.Records.Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        if (warns)
        {
            var warning = Assert.Single(warnings);
            Assert.Contains("http://0.0.0.0:0/procs", warning, StringComparison.Ordinal);
            Assert.Contains("kill them", warning, StringComparison.Ordinal);
            Assert.Contains("AccessToken", warning, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
        }
    }

    private static async Task<bool> AcceptsAsync(Uri address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A handler that holds its request until released.</summary>
    private sealed class SlowRequest
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<string> HandleAsync()
        {
            Entered.TrySetResult();
            await Release.Task;
            return "done";
        }
    }
}
