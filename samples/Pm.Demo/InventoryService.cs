using System.Globalization;

namespace Pm.Demo;

/// <summary>
/// The shop's inventory service: a separate small ASP.NET Core app on its own port, standing in for a remote
/// dependency. It answers slowly, and stops working on a request whose caller has gone away.
/// </summary>
internal static class InventoryService
{
    public static WebApplication Build(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // The demo's own host handles Ctrl+C and SIGTERM, and stops this app after it.
        builder.Services.AddSingleton<IHostLifetime, FollowerLifetime>();

        var app = builder.Build();
        app.MapGet("/items/{sku}", async (string sku, HttpContext context) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(500, 3000)), context.RequestAborted);
            return Results.Json(new StockItem(sku, Random.Shared.Next(0, 400), PriceCents(sku)));
        });
        return app;
    }

    // A product's price, in cents: the one the orders were seeded with.
    private static long PriceCents(string sku) =>
        sku.StartsWith("SKU-", StringComparison.Ordinal) && int.TryParse(sku.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? 500 + n * 7919L % 20000
            : 999;

    /// <summary>A host lifetime that ignores the process's signals: the app runs until it is stopped.</summary>
    private sealed class FollowerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The inventory service's answer for one product.</summary>
internal sealed record StockItem(string Sku, int InStock, long PriceCents);

/// <summary>The shop's client of the inventory service, created by <c>IHttpClientFactory</c>.</summary>
internal sealed class InventoryClient(HttpClient http)
{
    public async Task<StockItem> GetItemAsync(string sku) =>
        await http.GetFromJsonAsync<StockItem>("items/" + Uri.EscapeDataString(sku))
        ?? throw new InvalidOperationException("The inventory service answered nothing.");
}
