using Microsoft.EntityFrameworkCore;
using Pm;
using Pm.Demo;

// A small shop whose requests Pm tracks. Its endpoints query a SQLite database through EF Core and call an inventory
// service (a second app in this program) through IHttpClientFactory, with no pm code: pm shows each statement and
// outgoing request while it runs, and a kill stops it. A load generator keeps a few of them running.
var load = !args.Contains("--no-load") && Environment.GetEnvironmentVariable("PM_DEMO_LOAD") is not ("0" or "false");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--no-load").ToArray());
var apiUrl = builder.Configuration["urls"] ?? "http://127.0.0.1:5080";
var pmUrl = builder.Configuration["pm-url"] ?? Environment.GetEnvironmentVariable("PM_DEMO_PM_URL") ?? "http://127.0.0.1:8081";
var inventoryUrl = builder.Configuration["dependency-url"] ?? "http://127.0.0.1:5081";
var database = new ShopDatabase(builder.Configuration["db"] ?? ShopDatabase.DefaultPath);
builder.WebHost.UseUrls(apiUrl);
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

// EF Core logs each query a kill interrupts as an error, with its stack trace; pm's history says it better.
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);

// A request that refuses kills (the billing run) holds up a stop for at most this long.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));

// SQLite runs a statement on the calling thread, even through EF Core's async methods: each running query holds a
// thread-pool thread. Enough threads keep the pm interface answering at once while queries run.
ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
ThreadPool.SetMinThreads(Math.Max(workerThreads, 32), ioThreads);

builder.Services.AddProcessList();
builder.Services.AddProcessListServer(o => o.Url = pmUrl);
builder.Services.AddSingleton(database);
builder.Services.AddHostedService<ShopSeeder>();
builder.Services.AddDbContext<ShopDb>(o => o.UseSqlite(database.ConnectionString));
builder.Services.AddHttpClient<InventoryClient>(c => c.BaseAddress = new Uri(inventoryUrl.TrimEnd('/') + "/"));
if (load)
{
    builder.Services.AddHttpClient<LoadGenerator>(c => c.BaseAddress = new Uri(apiUrl.Split(';')[0].TrimEnd('/') + "/"));
    builder.Services.AddHostedService(provider => provider.GetRequiredService<LoadGenerator>());
}

var app = builder.Build();
app.UseProcessTracking(o => o.KillGracePeriod = TimeSpan.FromSeconds(3));
app.MapProcessList("/procs");
app.MapDemoEndpoints();

// On stop, kill what is still running: its queries and calls stop at once instead of holding up the stop.
var list = app.Services.GetRequiredService<ProcessList>();
app.Lifetime.ApplicationStopping.Register(() =>
{
    foreach (var task in list.GetAll())
    {
        list.Kill(task.Id, "the demo is stopping");
    }
});

var pm = pmUrl.TrimEnd('/');
var api = apiUrl.Split(';')[0].TrimEnd('/');
var banner = $$"""
    Pm demo is running.
      API:            {{api}}  (try /sales/monthly, /customers/top, /reports/regions, /stock/SKU-7,
                      /quote?customer=42&sku=SKU-7, /export?rows=2000, POST /billing/run)
      database:       {{database.Path}}  (SQLite; --db <path> to move it)
      inventory:      {{inventoryUrl.TrimEnd('/')}}  (the API's slow dependency; --dependency-url to move it)
      pm interface:   {{pm}}/  (the dashboard)
                      {{pm}}/procs/   (standalone listener, like Go's pm.ListenAndServe)
                      {{api}}/procs/   (the same list, mapped into the API)
      try:            curl {{pm}}/procs/
                      curl {{pm}}/procs/<id>/history
                      curl -X DELETE {{pm}}/procs/<id> -H 'Content-Type: application/json' -d '{"message":"too slow"}'
      load generator: {{(load ? "on (--no-load or PM_DEMO_LOAD=0 turns it off)" : "off")}}
    """;
app.Lifetime.ApplicationStarted.Register(() => DemoLog.Banner(app.Logger, banner));

// The inventory service starts first and stops last, so the shop's calls always find it.
await using var inventory = InventoryService.Build(inventoryUrl);
await inventory.StartAsync();
try
{
    await app.RunAsync();
}
finally
{
    await inventory.StopAsync();
}
