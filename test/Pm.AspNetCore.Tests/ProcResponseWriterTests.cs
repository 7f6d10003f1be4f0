using System.Buffers;
using System.Text;
using System.Text.Json;
using Pm.AspNetCore.Internal;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

public sealed class ProcResponseWriterTests
{
    [Fact]
    public void Write_ProducesExactlyWhatTheSerializerWritesForTheRecords()
    {
        using var list = new ProcessList();
        using var a = list.Start("a", [new("method", "GET"), new("n", 3), new("when", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc))]);
        using var b = list.Start("b", options: new TaskOptions { ForbidKill = true });
        using var c = list.Start("c <&>");
        a.Status("step \"1\"");
        list.Kill("c <&>", "m");
        var snapshots = list.GetAll().OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var now = new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero);

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ProcResponseWriter.Write(writer, snapshots, now);
        }

        var expected = JsonSerializer.Serialize(new ProcResponse([.. snapshots.Select(WireMapping.ToWire)], now), PmJsonContext.Default.ProcResponse);
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void ProcResponse_RoundTrips_ThroughTheContext()
    {
        var detail = new ProcDetail(
            "req77",
            new AttributeMap([new("host", "10.1.2.3:5555"), new("n", 5)]),
            new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 11, 23, 0, 25, 1, TimeSpan.Zero),
            "step 1",
            Cancelling: true) { TraceId = "abc", ForbidCancel = true };

        var json = JsonSerializer.Serialize(new ProcResponse([detail], detail.ProcTime), PmJsonContext.Default.ProcResponse);
        var back = JsonSerializer.Deserialize(json, PmJsonContext.Default.ProcResponse)!;

        var read = Assert.Single(back.Procs);
        Assert.Equal(("req77", "step 1", true, true, "abc"), (read.Id, read.Status, read.Cancelling, read.ForbidCancel, read.TraceId));
        Assert.Equal(detail.ProcTime, read.ProcTime);
        Assert.Equal(detail.StatusTime, read.StatusTime);
        Assert.True(read.Attrs!.TryGetValue("n", out var n));
        Assert.Equal(5, ((JsonElement)n!).GetInt32());
    }

    [Fact]
    public void ProcResponse_FromGoServer_IsRead()
    {
        // What a Go pm server writes: nanosecond times, string attributes, no extension fields.
        const string json = """
            {"procs":[{"id":"req1","attrs":{"host":"10.1.2.3:5555","method":"GET","uri":"/api/items/77"},
            "procTime":"2026-11-23T00:25:00.357486656Z","statusTime":"2026-11-23T00:25:01.358663811Z","status":"step 1","cancelling":true},
            {"id":"req2","procTime":"2026-11-23T00:25:00.1Z","statusTime":"2026-11-23T00:25:00.1Z","status":"init"}],
            "serverTime":"2026-11-23T00:25:02.000000001Z"}
            """;

        var response = JsonSerializer.Deserialize(json, PmJsonContext.Default.ProcResponse)!;

        Assert.Equal(["req1", "req2"], response.Procs.Select(p => p.Id));
        Assert.True(response.Procs[0].Cancelling);
        Assert.Null(response.Procs[1].Attrs);
        Assert.Equal(3, response.Procs[0].Attrs!.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 25, 2, TimeSpan.Zero), response.ServerTime);
    }
}
