using System.Net;
using System.Net.Http.Json;
using System.Text;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

/// <summary>The Go package's own HTTP test, ported, against the standalone listener.</summary>
public sealed class GoHttpServerTests
{
    private static async Task<ProcResponse> GetTasksAsync(HttpClient client) =>
        (await client.GetFromJsonAsync("procs/", PmJsonContext.Default.ProcResponse, TestContext.Current.CancellationToken))!;

    private static async Task<string[]> GetHistoryAsync(HttpClient client, string id) =>
        [.. (await client.GetFromJsonAsync($"procs/{id}/history", PmJsonContext.Default.HistoryResponse, TestContext.Current.CancellationToken))!.History.Select(h => h.Status)];

    [Fact]
    public async Task GoTestHttpServer_ListHistoryKill_BehaveAsTheOriginal()
    {
        using var list = new ProcessList();
        list.TaskOptions = new TaskOptions { SuppressKillException = true };
        await using var server = await ProcessListServer.StartAsync(list, new ProcessListServerOptions { Url = "http://127.0.0.1:0" }, TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = server.Address };
        // The headers Go's client sends.
        client.DefaultRequestHeaders.Add("Accept", "application/json");
        client.DefaultRequestHeaders.Add("User-Agent", "go-pm");

        var exits = new Dictionary<string, TaskCompletionSource>();
        var runs = new List<Task>();
        foreach (var (id, statuses) in new[] { ("req1", new[] { "S11", "S12", "S13" }), ("req2", new[] { "S21", "S22" }) })
        {
            var ready = new TaskCompletionSource();
            var exit = exits[id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            runs.Add(list.RunAsync(id, async task =>
            {
                foreach (var s in statuses)
                {
                    task.Status(s);
                }

                ready.SetResult();
                await exit.Task;
            }));
            await ready.Task;
        }

        var procs = await GetTasksAsync(client);
        Assert.Equal([("req1", "S13", false), ("req2", "S22", false)], procs.Procs.Select(p => (p.Id, p.Status, p.Cancelling)).Order());

        exits["req2"].SetResult();
        await runs[1];
        Assert.Equal([("req1", "S13")], (await GetTasksAsync(client)).Procs.Select(p => (p.Id, p.Status)));
        Assert.Equal(["init", "S11", "S12", "S13"], await GetHistoryAsync(client, "req1"));

        using var kill = new HttpRequestMessage(HttpMethod.Delete, "procs/req1")
        {
            Content = new StringContent("{\"message\":\"my message\"}\n", Encoding.UTF8, "application/json"),
        };
        using var killed = await client.SendAsync(kill, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, killed.StatusCode);
        Assert.Equal(["init", "S11", "S12", "S13", "[cancel request: my message]"], await GetHistoryAsync(client, "req1"));

        exits["req1"].SetResult();
        await runs[0];
        Assert.Empty((await GetTasksAsync(client)).Procs);
    }
}
