using System.Text.Json;

namespace Pm.AspNetCore.Tests;

public sealed class EventStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(string Name, JsonElement Data)> NextAsync(StreamReader reader)
    {
        string? name = null;
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                return (name, JsonDocument.Parse(line[6..]).RootElement);
            }
        }

        throw new EndOfStreamException();
    }

    [Fact]
    public async Task Events_StreamSnapshotThenEveryChange()
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var existing = app.List.Start("existing");
        using var response = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        var snapshot = await NextAsync(reader);
        Assert.Equal("snapshot", snapshot.Name);
        Assert.Equal("existing", snapshot.Data.GetProperty("procs")[0].GetProperty("id").GetString());

        var task = app.List.Start("t", [new("k", 1)]);
        task.Status("working");
        task.SetAttribute("k", 2);
        app.List.Kill("t", "stop");
        task.Done(Assert.Throws<TaskKilledException>(task.CheckCancel));

        var events = new List<(string Name, JsonElement Data)>();
        for (var i = 0; i < 5; i++)
        {
            events.Add(await NextAsync(reader));
        }

        Assert.Equal(["started", "status", "attribute", "cancelling", "finished"], events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal("t", e.Data.GetProperty("id").GetString()));
        Assert.Equal("working", events[1].Data.GetProperty("text").GetString());
        Assert.Equal("stop", events[3].Data.GetProperty("text").GetString());
        Assert.Equal("killed", events[4].Data.GetProperty("outcome").GetString());
        Assert.Equal("killed: stop", events[4].Data.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Events_SlowSubscriber_IsDroppedAndTasksAreNotSlowed()
    {
        await using var app = await TestApp.StartWithProcsAsync(o => o.EventBufferSize = 4);
        using var response = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.Equal("snapshot", (await NextAsync(reader)).Name);

        // Far more changes than the buffer holds, made without reading: none of them may block.
        using (var task = app.List.Start("burst"))
        {
            for (var i = 0; i < 50_000; i++)
            {
                task.Status("s" + i);
            }
        }

        (string Name, JsonElement Data) last;
        do
        {
            last = await NextAsync(reader);
        }
        while (last.Name != "dropped");

        Assert.Contains("behind", last.Data.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(string.IsNullOrWhiteSpace(await reader.ReadToEndAsync(Ct)), "the stream goes on after dropping");
    }
}
