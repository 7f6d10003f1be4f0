using System.Globalization;

namespace Pm.Demo;

/// <summary>Keeps a handful of requests running against the demo API, so there is always something to watch and kill.</summary>
internal sealed partial class LoadGenerator(HttpClient client, ILogger<LoadGenerator> logger) : BackgroundService
{
    private const int Concurrent = 5;

    private static readonly string[] Searches = ["shoes", "red socks", "umbrella", "coffee grinder", "desk lamp"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Give the server a moment to start listening.
        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        LogStarted(logger, Concurrent);
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(i => RunWorkerAsync(i, stoppingToken)));
    }

    private async Task RunWorkerAsync(int worker, CancellationToken stoppingToken)
    {
        var random = new Random(worker);
        while (!stoppingToken.IsCancellationRequested)
        {
            var seconds = (4 + random.NextDouble() * 8).ToString("F1", CultureInfo.InvariantCulture);
            using var request = random.Next(8) switch
            {
                0 or 1 => new HttpRequestMessage(HttpMethod.Get, $"report?seconds={seconds}"),
                2 or 3 or 4 => new HttpRequestMessage(HttpMethod.Get, $"search?q={Uri.EscapeDataString(Searches[random.Next(Searches.Length)])}&seconds={seconds}"),
                5 or 6 => new HttpRequestMessage(HttpMethod.Get, $"export?rows=5000&seconds={seconds}"),
                _ => new HttpRequestMessage(HttpMethod.Post, $"billing/run?seconds={seconds}"),
            };

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
