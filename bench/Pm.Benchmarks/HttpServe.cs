using System.Net;
using Pm.AspNetCore;

namespace Pm.Benchmarks;

/// <summary>Servers for load tests from another process (wrk): the pm listener with 100 running tasks, and a hello-world API without and with request tracking.</summary>
internal static class HttpServe
{
    public static async Task RunAsync()
    {
        using var list = new ProcessList();
        for (var i = 0; i < 100; i++)
        {
            list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555")]).Status("step 1");
        }

        await using var pm = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:8091" });
        await using var plain = await StartHelloAsync(8092, tracked: false);
        await using var tracked = await StartHelloAsync(8093, tracked: true);
        Console.WriteLine("pm listener, 100 tasks:  http://127.0.0.1:8091/procs/");
        Console.WriteLine("hello, no tracking:      http://127.0.0.1:8092/hello");
        Console.WriteLine("hello, tracked:          http://127.0.0.1:8093/hello (its live stream: /procs/?view=events)");
        Console.WriteLine("Ctrl+C stops.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        await stop.Task;
    }

    private static async Task<WebApplication> StartHelloAsync(int port, bool tracked)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddProcessList();
        var app = builder.Build();
        if (tracked)
        {
            // The tracked API serves its own live stream too, for runs with subscribers watching it.
            app.UseProcessTracking();
            app.MapProcessList("/procs");
        }

        app.MapGet("/hello", () => "Hello, world!");
        await app.StartAsync();
        return app;
    }
}
