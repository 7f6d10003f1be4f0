using System.Net;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
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
        var database = Path.Combine(Path.GetTempPath(), "pm-bench-calls.db");
        await using (var db = new CallsDb(new DbContextOptionsBuilder<CallsDb>().UseSqlite($"Data Source={database}").Options))
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER)");
            await db.Database.ExecuteSqlRawAsync("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO items (price) SELECT i % 97 FROM n");
        }

        await using var dependency = await StartDependencyAsync(8096);
        await using var callsOn = await StartCallsAsync(8094, database, observe: true);
        await using var callsOff = await StartCallsAsync(8095, database, observe: false);
        Console.WriteLine("pm listener, 100 tasks:  http://127.0.0.1:8091/procs/");
        Console.WriteLine("hello, no tracking:      http://127.0.0.1:8092/hello");
        Console.WriteLine("hello, tracked:          http://127.0.0.1:8093/hello (its live stream: /procs/?view=events)");
        Console.WriteLine("one HTTP call + one SQLite query per request, tracked, calls observed: http://127.0.0.1:8094/order");
        Console.WriteLine("the same with call observation off:                             http://127.0.0.1:8095/order");
        Console.WriteLine("Ctrl+C or SIGTERM stops.");
        var stop = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
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

    private static async Task<WebApplication> StartDependencyAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/price/{id}", (int id) => id % 97);
        await app.StartAsync();
        return app;
    }

    // A tracked API whose handler calls the dependency through IHttpClientFactory and runs one query through EF Core,
    // with no pm code: what pm observes on its own.
    private static async Task<WebApplication> StartCallsAsync(int port, string database, bool observe)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddProcessList(o =>
        {
            o.Dependencies.Http = observe;
            o.Dependencies.Sql = observe;
        });
        builder.Services.AddHttpClient("prices", c => c.BaseAddress = new Uri("http://127.0.0.1:8096/"));
        builder.Services.AddDbContextPool<CallsDb>(o => o.UseSqlite($"Data Source={database}"));
        var app = builder.Build();
        app.UseProcessTracking();
        app.MapGet("/order", async (IHttpClientFactory http, CallsDb db) =>
        {
            var price = await http.CreateClient("prices").GetStringAsync("price/7");
            var count = await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM items WHERE price = 7").SingleAsync();
            return price + " " + count;
        });
        await app.StartAsync();
        return app;
    }

    private sealed class CallsDb(DbContextOptions<CallsDb> options) : DbContext(options);
}
