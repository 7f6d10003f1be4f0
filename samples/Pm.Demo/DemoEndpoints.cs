using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Pm.Demo;

/// <summary>
/// The demo shop's API. Most endpoints only query the database or call the inventory service, with no pm code: pm
/// shows each statement and each outgoing request as the request's status while it runs, records it in the request's
/// history, and a kill stops it. The export and the billing run report steps of their own.
/// </summary>
internal static class DemoEndpoints
{
    public static void MapDemoEndpoints(this WebApplication app)
    {
        app.MapGet("/", () => Results.Text("""
            Pm demo shop: /sales/monthly?year=2024, /customers/top?n=10, /reports/regions, /stock/SKU-7,
            /quote?customer=42&sku=SKU-7, /export?rows=2000, POST /billing/run; pm at /procs/

            """));

        // The endpoints that read the database wait for it to be created on first run.
        var shop = app.MapGroup("").AddEndpointFilter(WaitForDatabaseAsync);

        // Revenue by month: an aggregate over every order.
        shop.MapGet("/sales/monthly", async (ShopDb db, int? year) =>
        {
            var months = await db.Orders
                .Where(o => year == null || o.OrderedOn.Year == year)
                .GroupBy(o => new { o.OrderedOn.Year, o.OrderedOn.Month })
                .Select(g => new { g.Key.Year, g.Key.Month, Orders = g.Count(), Cents = g.Sum(o => o.AmountCents) })
                .OrderBy(m => m.Year).ThenBy(m => m.Month)
                .ToListAsync();
            return months.Select(m => new { Month = $"{m.Year:D4}-{m.Month:D2}", m.Orders, Revenue = m.Cents / 100m });
        });

        // The customers who spent most.
        shop.MapGet("/customers/top", async (ShopDb db, int? n) =>
        {
            var top = await db.Orders
                .GroupBy(o => o.CustomerId)
                .Select(g => new { CustomerId = g.Key, Orders = g.Count(), Cents = g.Sum(o => o.AmountCents) })
                .OrderByDescending(t => t.Cents)
                .Take(Math.Clamp(n ?? 10, 1, 100))
                .Join(db.Customers, t => t.CustomerId, c => c.Id, (t, c) => new { c.Id, c.Name, c.Region, t.Orders, t.Cents })
                .OrderByDescending(t => t.Cents)
                .ToListAsync();
            return top.Select(t => new { t.Id, t.Name, t.Region, t.Orders, Revenue = t.Cents / 100m });
        });

        // The slow report: every order joined to its customer, grouped by region and product, counting distinct buyers.
        shop.MapGet("/reports/regions", async (ShopDb db) =>
        {
            var rows = await db.Orders
                .Join(db.Customers, o => o.CustomerId, c => c.Id, (o, c) => new { c.Region, o.Sku, o.CustomerId, o.AmountCents })
                .GroupBy(x => new { x.Region, x.Sku })
                .Select(g => new { g.Key.Region, g.Key.Sku, Buyers = g.Select(x => x.CustomerId).Distinct().Count(), Cents = g.Sum(x => x.AmountCents) })
                .OrderByDescending(r => r.Cents)
                .Take(20)
                .ToListAsync();
            return rows.Select(r => new { r.Region, r.Sku, r.Buyers, Revenue = r.Cents / 100m });
        }).WithTaskOptions(new TaskOptions { Deadline = TimeSpan.FromSeconds(60) });

        // A call to the inventory service, through a client of IHttpClientFactory.
        app.MapGet("/stock/{sku}", async (InventoryClient inventory, string sku) => await inventory.GetItemAsync(sku));

        // Both: the price from the inventory service, then the customer's spending and rank from the database, then a
        // step of the handler's own. The request's status follows each in turn.
        shop.MapGet("/quote", async (HttpContext context, InventoryClient inventory, ShopDb db, int? customer, string? sku) =>
        {
            var customerId = Math.Clamp(customer ?? 1, 1, ShopDatabase.Customers);
            var item = await inventory.GetItemAsync(sku ?? "SKU-1");
            var spent = await db.Orders.Where(o => o.CustomerId == customerId).SumAsync(o => o.AmountCents);
            var ahead = await db.Orders.GroupBy(o => o.CustomerId).Where(g => g.Sum(o => o.AmountCents) > spent).CountAsync();

            context.GetTrackedTask()!.Status("pricing the quote");
            var discount = ahead < ShopDatabase.Customers / 10 ? 10 : ahead < ShopDatabase.Customers * 3 / 10 ? 5 : 0;
            return Results.Json(new
            {
                Customer = customerId,
                item.Sku,
                item.InStock,
                Price = item.PriceCents / 100m,
                CustomerRank = ahead + 1,
                DiscountPercent = discount,
                Total = item.PriceCents * (100 - discount) / 10000m,
            });
        });

        shop.MapGet("/export", async (HttpContext context, ShopDb db, int? rows, double? seconds) =>
        {
            // Streams orders as CSV, a chunk at a time, and honours cancellation at every status update: a kill stops
            // the export between two chunks.
            var task = context.GetTrackedTask()!;
            var total = Math.Clamp(rows ?? 2000, 1, 1_000_000);
            var chunk = Math.Max(total / 20, 1);
            var pause = TimeSpan.FromSeconds(Math.Clamp(seconds ?? 10, 0.1, 300) / 20);
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync("id,customer,sku,date,quantity,amount\n", context.RequestAborted);
            var done = 0;
            task.Status("exporting orders");
            await foreach (var o in db.Orders.AsNoTracking().OrderBy(o => o.Id).Take(total).AsAsyncEnumerable())
            {
                // Every row: listings show the fraction and the time left; the history keeps one report a second.
                task.ReportProgress(done, total, "rows");
                if (done % chunk == 0)
                {
                    await Task.Delay(pause, context.RequestAborted);
                }

                await context.Response.WriteAsync(
                    string.Create(CultureInfo.InvariantCulture, $"{o.Id},{o.CustomerId},{o.Sku},{o.OrderedOn:yyyy-MM-dd},{o.Quantity},{o.AmountCents / 100m}\n"),
                    context.RequestAborted);
                done++;
            }

            task.ReportProgress(done, total, "rows");
        }).WithTaskOptions(new TaskOptions { SlowAfter = TimeSpan.FromMinutes(1), Deadline = TimeSpan.FromMinutes(5) });

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

    private static async ValueTask<object?> WaitForDatabaseAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var database = context.HttpContext.RequestServices.GetRequiredService<ShopDatabase>();
        if (!database.IsReady)
        {
            context.HttpContext.GetTrackedTask()?.Status("waiting for the database to be created");
            try
            {
                await database.WaitAsync(context.HttpContext.RequestAborted);
            }
            catch (Exception ex) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }

        return await next(context);
    }
}
