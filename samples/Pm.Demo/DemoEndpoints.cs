using System.Globalization;

namespace Pm.Demo;

/// <summary>The demo API: endpoints that do multi-step work and report their status as they go.</summary>
internal static class DemoEndpoints
{
    public static void MapDemoEndpoints(this WebApplication app)
    {
        app.MapGet("/", () => Results.Text("Pm demo API: /report, /search?q=, /export?rows=, POST /billing/run; pm at /procs/\n"));

        app.MapGet("/report", async (HttpContext context, CancellationToken token, double? seconds) =>
        {
            var task = context.GetTrackedTask()!;
            var step = TimeSpan.FromSeconds(Math.Clamp(seconds ?? 6, 0.1, 120) / 3);
            task.SetAttribute("report", "quarterly sales");
            foreach (var status in new[] { "querying sales", "aggregating by region", "rendering pdf" })
            {
                task.Status(status);
                await Task.Delay(step, token);
            }

            return Results.Text("report ready\n");
        });

        app.MapGet("/search", async (HttpContext context, CancellationToken token, string? q, double? seconds) =>
        {
            var task = context.GetTrackedTask()!;
            task.SetAttribute("query", q ?? "");
            task.Status("parsing query");
            task.Status("waiting on inventory service");
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds ?? 8, 0.1, 120)), token);
            task.Status("ranking results");
            return Results.Json(new[] { q + " (1)", q + " (2)" });
        });

        app.MapGet("/export", async (HttpContext context, int? rows, double? seconds) =>
        {
            // Honours cancellation at every status update: a kill stops the export between two chunks.
            var task = context.GetTrackedTask()!;
            var total = Math.Clamp(rows ?? 2000, 1, 1_000_000);
            var pause = TimeSpan.FromSeconds(Math.Clamp(seconds ?? 10, 0.1, 300) / 20);
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync("id,name\n", context.RequestAborted);
            for (var done = 0; done < total;)
            {
                var chunk = Math.Min(Math.Max(total / 20, 1), total - done);
                task.Status(string.Create(CultureInfo.InvariantCulture, $"exported {done} of {total} rows"));
                for (var i = 0; i < chunk; i++)
                {
                    await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{done + i},item {done + i}\n"), context.RequestAborted);
                }

                done += chunk;
                await Task.Delay(pause, context.RequestAborted);
            }
        });

        app.MapPost("/billing/run", async (HttpContext context, double? seconds) =>
        {
            // Charging cards must not stop halfway: kills of this request are refused.
            var task = context.GetTrackedTask()!;
            foreach (var status in new[] { "locking accounts", "charging cards", "sending receipts" })
            {
                task.Status(status);
                await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(seconds ?? 6, 0.1, 120) / 3));
            }

            return Results.Text("billed\n");
        }).WithTaskOptions(new TaskOptions { ForbidKill = true });
    }
}
