using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Pm.AspNetCore.Tests;

public sealed class ProcessListEndpointConcurrencyTests
{
    [Fact]
    public async Task ManyPollers_WhileTasksChurn_GetOnlyExpectedAnswers()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var ct = TestContext.Current.CancellationToken;
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var lifecycles = 0L;

        var churn = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    app.List.Run($"c{w}-{i++ % 50}", t =>
                    {
                        t.SetAttribute("i", i);
                        t.Status("one");
                        t.Status("two");
                    }, [new("worker", w)]);
                }
                catch (TaskKilledException)
                {
                }

                Interlocked.Increment(ref lifecycles);
            }
        })).ToArray();

        var pollers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (var n = 0; n < 150; n++)
            {
                var id = $"c{random.Next(2)}-{random.Next(50)}";
                var (method, path, allowed) = (n % 3) switch
                {
                    0 => (HttpMethod.Get, "procs/", new[] { HttpStatusCode.OK }),
                    1 => (HttpMethod.Get, $"procs/{id}/history", new[] { HttpStatusCode.OK, HttpStatusCode.NotFound }),
                    _ => (HttpMethod.Delete, $"procs/{id}", new[] { HttpStatusCode.OK, HttpStatusCode.NotFound }),
                };
                using var response = await app.Client.SendAsync(new HttpRequestMessage(method, path), ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (!allowed.Contains(response.StatusCode))
                {
                    failures.Add($"{method} {path} -> {(int)response.StatusCode} {body}");
                }
                else if (n % 3 == 0)
                {
                    var ids = JsonDocument.Parse(body).RootElement.GetProperty("procs").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
                    if (ids.Count != ids.Distinct().Count())
                    {
                        failures.Add("a listing holds a task twice");
                    }
                }
            }
        })).ToArray();

        await Task.WhenAll(pollers);
        await stop.CancelAsync();
        await Task.WhenAll(churn);

        Assert.Empty(failures);
        Assert.True(lifecycles > 0);
        Assert.Empty(app.List.GetAll());
    }
}
