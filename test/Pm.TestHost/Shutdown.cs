using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pm;

/// <summary>A web application stopped by SIGTERM while requests that refuse kills are running.</summary>
internal static class Shutdown
{
    public static async Task<int> RunAsync(int requests, bool ignoreToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        // As the templates' appsettings.json has it: the framework's per-request lines are not logged.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddProcessList();

        var app = builder.Build();
        app.UseProcessTracking();
        app.MapProcessList("/procs");

        // A handler whose endpoint refuses kills, and that waits on its request's token or on nothing at all.
        app.MapGet("/stuck", async (HttpContext context) => await Task.Delay(Timeout.Infinite, ignoreToken ? CancellationToken.None : context.RequestAborted))
            .WithTaskOptions(new TaskOptions { ForbidKill = true, SlowAfter = null, HungAfter = null });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var list = app.Services.GetRequiredService<ProcessList>();

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        var calls = Enumerable.Range(0, requests).Select(_ => Task.Run(async () =>
        {
            try
            {
                using var response = await client.GetAsync("/stuck");
            }
            catch (HttpRequestException)
            {
                // Cut off at shutdown.
            }
        })).ToList();
        while (list.GetAll().Count < requests)
        {
            await Task.Delay(20);
        }

        Console.WriteLine("ready " + address);
        // Where the time goes, for whoever reads the output: from the signal to the host stopped, then disposed.
        var clock = new System.Diagnostics.Stopwatch();
        app.Lifetime.ApplicationStopping.Register(clock.Start);
        await app.WaitForShutdownAsync();
        Console.WriteLine($"stopped {clock.Elapsed.TotalSeconds:0.00} s");
        await app.DisposeAsync();
        Console.WriteLine($"disposed {clock.Elapsed.TotalSeconds:0.00} s");
        return 0;
    }
}
