using Pm.Demo;

// A small API whose requests Pm tracks: slow reports, a search that waits on a slow dependency, an export that
// honours cancellation and a billing run that forbids it. A load generator keeps a few of them running.
var load = !args.Contains("--no-load") && Environment.GetEnvironmentVariable("PM_DEMO_LOAD") is not ("0" or "false");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--no-load").ToArray());
var apiUrl = builder.Configuration["urls"] ?? "http://127.0.0.1:5080";
var pmUrl = builder.Configuration["pm-url"] ?? Environment.GetEnvironmentVariable("PM_DEMO_PM_URL") ?? "http://127.0.0.1:8081";
builder.WebHost.UseUrls(apiUrl);
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

builder.Services.AddProcessList();
builder.Services.AddProcessListServer(o => o.Url = pmUrl);
if (load)
{
    builder.Services.AddHttpClient<LoadGenerator>(c => c.BaseAddress = new Uri(apiUrl.Split(';')[0].TrimEnd('/') + "/"));
    builder.Services.AddHostedService(provider => provider.GetRequiredService<LoadGenerator>());
}

var app = builder.Build();
app.UseProcessTracking(o => o.KillGracePeriod = TimeSpan.FromSeconds(3));
app.MapProcessList("/procs");
app.MapDemoEndpoints();

var pm = pmUrl.TrimEnd('/');
var api = apiUrl.Split(';')[0].TrimEnd('/');
var banner = $$"""
    Pm demo is running.
      API:            {{api}}  (try /report, /search?q=shoes, /export?rows=2000, POST /billing/run)
      pm interface:   {{pm}}/procs/   (standalone listener, like Go's pm.ListenAndServe)
                      {{api}}/procs/   (the same list, mapped into the API)
      try:            curl {{pm}}/procs/
                      curl {{pm}}/procs/<id>/history
                      curl -X DELETE {{pm}}/procs/<id> -H 'Content-Type: application/json' -d '{"message":"too slow"}'
      load generator: {{(load ? "on (--no-load or PM_DEMO_LOAD=0 turns it off)" : "off")}}
    """;
app.Lifetime.ApplicationStarted.Register(() => DemoLog.Banner(app.Logger, banner));

app.Run();
