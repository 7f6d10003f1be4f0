using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pm.AspNetCore;

namespace Pm.Tests.Http;

/// <summary>
/// A real server on a loopback port chosen by the OS, with a real client: an ASP.NET Core application, or the
/// standalone listener.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly Func<ValueTask> _stop;

    private TestApp(ProcessList list, Uri address, Func<ValueTask> stop, IServiceProvider? services = null)
    {
        Services = services ?? new ServiceCollection().BuildServiceProvider();
        List = list;
        Address = address;
        _stop = stop;
        Client = new HttpClient(new OutsideTasks()) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public ProcessList List { get; }

    /// <summary>Gets the application's services; none for the standalone listener.</summary>
    public IServiceProvider Services { get; }

    public static async Task<TestApp> StartAsync(Action<WebApplication> configure, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddProcessList();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        configure(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app.Services.GetRequiredService<ProcessList>(), new Uri(address + "/"), async () =>
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }, app.Services);
    }

    public static Task<TestApp> StartWithProcsAsync(Action<ProcessListEndpointOptions>? configure = null) =>
        StartAsync(app => app.MapProcessList("/procs", configure));

    /// <summary>Starts the standalone listener, on <c>/procs</c>, for a list of its own.</summary>
    public static async Task<TestApp> StartListenerAsync(Action<ProcessListServerOptions> configure)
    {
        var list = new ProcessList();
        var options = new ProcessListServerOptions { Url = "http://127.0.0.1:0" };
        configure(options);
        var server = await ProcessListServer.StartAsync(list, options, TestContext.Current.CancellationToken);
        return new TestApp(list, server.Address, async () =>
        {
            await server.DisposeAsync();
            list.Dispose();
        });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _stop();
    }

    /// <summary>
    /// Sends the test's own requests outside the flow that called it: they play an operator's tool, not calls of the
    /// tasks a test starts in its own flow, which pm would otherwise list as those tasks' calls.
    /// </summary>
    internal sealed class OutsideTasks() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using (ExecutionContext.SuppressFlow())
            {
                return Task.Run(() => base.SendAsync(request, cancellationToken), CancellationToken.None);
            }
        }
    }
}
