using System.Globalization;

namespace Pm.Demo;

/// <summary>
/// Keeps a handful of requests running against the demo shop, so there is always something to watch and kill: two
/// workers keep database queries running, one keeps calls to the inventory service in flight, one asks for quotes
/// (both in turn), and one mixes in exports and billing runs.
/// </summary>
internal sealed partial class LoadGenerator(HttpClient client, ShopDatabase database, IHostApplicationLifetime lifetime, ILogger<LoadGenerator> logger)
    : BackgroundService
{
    private const int Concurrent = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stops as soon as the demo does, before the server waits for the requests still running.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        await RunAsync(stopping.Token);
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await database.WaitAsync(stoppingToken);
        }
        catch (Exception)
        {
            // Stopping, or no database: nothing to load.
            return;
        }

        // Give the server a moment to start listening.
        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        LogStarted(logger, Concurrent);
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => RunWorkerAsync(i, stoppingToken)));
    }

    private static HttpRequestMessage NextRequest(int worker, Random random) => worker switch
    {
        0 or 1 => random.Next(3) switch
        {
            0 => Get(random.Next(3) == 0 ? "sales/monthly" : $"sales/monthly?year={2021 + random.Next(5)}"),
            1 => Get($"customers/top?n={5 + random.Next(20)}"),
            _ => Get("reports/regions"),
        },
        2 => Get($"stock/{Sku(random)}"),
        3 => Quote(random),
        _ => random.Next(4) switch
        {
            0 => Get($"export?rows=5000&seconds={(4 + random.NextDouble() * 8).ToString("F1", CultureInfo.InvariantCulture)}"),
            1 => new HttpRequestMessage(HttpMethod.Post, $"billing/run?seconds={(3 + random.NextDouble() * 3).ToString("F1", CultureInfo.InvariantCulture)}"),
            2 => Get($"stock/{Sku(random)}"),
            _ => Quote(random),
        },
    };

    private static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    private static HttpRequestMessage Quote(Random random) => Get($"quote?customer={1 + random.Next(ShopDatabase.Customers)}&sku={Sku(random)}");

    private static string Sku(Random random) => "SKU-" + (1 + random.Next(ShopDatabase.Products)).ToString(CultureInfo.InvariantCulture);

    private async Task RunWorkerAsync(int worker, CancellationToken stoppingToken)
    {
        var random = new Random(worker);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var request = NextRequest(worker, random);
            try
            {
                using var response = await client.SendAsync(request, stoppingToken);
                await response.Content.LoadIntoBufferAsync(stoppingToken);
            }
            catch (HttpRequestException)
            {
                // A killed request may be cut off; the next one starts anyway.
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Load generator keeps {Count} requests running")]
    private static partial void LogStarted(ILogger logger, int count);
}
