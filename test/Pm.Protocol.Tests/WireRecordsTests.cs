using System.Text.Json;

namespace Pm.Protocol.Tests;

public sealed class WireRecordsTests
{
    [Fact]
    public void ProcResponse_FromGoServer_ReadsNanosecondTimesAndAnyAttribute()
    {
        const string Go = """{"procs":[{"id":"req1","attrs":{"method":"GET","n":3,"nested":{"a":[1,2]}},"procTime":"2026-11-23T00:25:00.357486612Z","statusTime":"2026-11-23T00:25:01Z","status":"S11"}],"serverTime":"2026-11-23T00:25:02.5Z"}""";

        var response = JsonSerializer.Deserialize(Go, PmJsonContext.Default.ProcResponse)!;

        var proc = Assert.Single(response.Procs);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 25, 0, TimeSpan.Zero).AddTicks(3574866), proc.ProcTime);
        Assert.Equal(["method", "n", "nested"], proc.Attrs!.Select(a => a.Key));
        Assert.False(proc.Cancelling);
        Assert.Null(proc.TraceId);
    }

    [Fact]
    public void Attributes_ReadFromTheWire_AreWrittenBackAsTheyCame_AndParsedWhenAskedFor()
    {
        const string Attrs = """{"method":"GET","n":3.50,"nested":{"a":[1,2]},"s":"caf\u00e9"}""";
        var json = $$"""{"id":"req1","attrs":{{Attrs}},"procTime":"2026-11-23T00:25:00Z","statusTime":"2026-11-23T00:25:01Z","status":"S11"}""";
        var proc = JsonSerializer.Deserialize(json, PmJsonContext.Default.ProcDetail)!;

        // Passed on untouched (the number's form and the escape included), before and after the values are read.
        Assert.Equal(json, JsonSerializer.Serialize(proc, PmJsonContext.Default.ProcDetail));
        Assert.True(proc.Attrs!.TryGetValue("n", out var n));
        Assert.Equal(3.5, Assert.IsType<JsonElement>(n).GetDouble());
        Assert.Equal("café", ((JsonElement)proc.Attrs[3].Value!).GetString());
        Assert.Equal(4, proc.Attrs.Count);
        Assert.Equal(json, JsonSerializer.Serialize(proc, PmJsonContext.Default.ProcDetail));

        // Whitespace goes; nesting, escapes and the empty object stay as written.
        const string Spaced = """{"id":"x","attrs": { "a" : [ 1 , { "b" : null, "q\"": "\\" } , [] ] , "e" : { } },"procTime":"2026-11-23T00:25:00Z","statusTime":"2026-11-23T00:25:00Z","status":""}""";
        var spaced = JsonSerializer.Deserialize(Spaced, PmJsonContext.Default.ProcDetail)!;
        Assert.Contains("\"attrs\":{\"a\":[1,{\"b\":null,\"q\\\"\":\"\\\\\"},[]],\"e\":{}}", JsonSerializer.Serialize(spaced, PmJsonContext.Default.ProcDetail), StringComparison.Ordinal);
        Assert.Equal("\\", ((JsonElement)spaced.Attrs!.Items[0].Value!)[1].GetProperty("q\"").GetString());

        // Read by many threads at once, every reader sees all the values.
        var fresh = JsonSerializer.Deserialize(json, PmJsonContext.Default.ProcDetail)!;
        Parallel.For(0, 64, _ => Assert.Equal(["method", "n", "nested", "s"], fresh.Attrs!.Items.Select(a => a.Key)));
    }

    [Fact]
    public void Tasks_ReadTwiceUnchanged_AreEqual_AndAnyChangeMakesThemDiffer()
    {
        static ProcDetail Read(string attrs, string status = "S11") => JsonSerializer.Deserialize(
            $$"""{"id":"req1","attrs":{{attrs}},"procTime":"2026-11-23T00:25:00Z","statusTime":"2026-11-23T00:25:01Z","status":"{{status}}"}""",
            PmJsonContext.Default.ProcDetail)!;

        var first = Read("""{"method":"GET","n":3}""");
        var again = Read("""{"method":"GET","n":3}""");
        Assert.Equal(first, again);
        Assert.Equal(first.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(first, Read("""{"method":"GET","n":4}"""));
        Assert.NotEqual(first, Read("""{"method":"GET","n":3}""", "S12"));

        // Maps made from values compare their values; one made from values never equals one read from the wire.
        AttributeMap made = new([new("method", "GET"), new("n", 3)]);
        Assert.Equal(made, new AttributeMap([new("method", "GET"), new("n", 3)]));
        Assert.NotEqual(made, new AttributeMap([new("n", 3), new("method", "GET")]));
        Assert.NotEqual(made, first.Attrs);
    }

    [Fact]
    public void ProcDetail_AlertProgressAndDeadline_RoundTripAsExtensionFields_ThatGoClientsCanIgnore()
    {
        var time = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        var proc = new ProcDetail("import", null, time, time, "loading")
        {
            Alert = "slow",
            Progress = new ProcProgress(250, 1000, "rows", 30.5),
            Deadline = time.AddMinutes(5),
        };

        var json = JsonSerializer.Serialize(proc, PmJsonContext.Default.ProcDetail);

        Assert.Equal(
            """{"id":"import","procTime":"2026-11-23T08:00:00Z","statusTime":"2026-11-23T08:00:00Z","status":"loading","alert":"slow","progress":{"done":250,"total":1000,"unit":"rows","remaining":30.5},"deadline":"2026-11-23T08:05:00Z"}""",
            json);
        Assert.Equal(proc, JsonSerializer.Deserialize(json, PmJsonContext.Default.ProcDetail));

        var counting = new ProcDetail("count", null, time, time, "counting") { Progress = new ProcProgress(7) };
        var countingJson = JsonSerializer.Serialize(counting, PmJsonContext.Default.ProcDetail);
        Assert.Contains("\"progress\":{\"done\":7}", countingJson, StringComparison.Ordinal);
        Assert.Equal(counting, JsonSerializer.Deserialize(countingJson, PmJsonContext.Default.ProcDetail));
    }

    [Fact]
    public void ProcFrame_RoundTrips_WithItsDocumentedNames()
    {
        var time = new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        var frame = new ProcFrame(
            [new ProcDetail("a", null, time, time, "working", Cancelling: true)],
            [new FinishedProc("b", "killed", 1.5, time)],
            new FrameCounts(3, 2),
            time);

        var json = JsonSerializer.Serialize(frame, PmJsonContext.Default.ProcFrame);

        Assert.Equal(
            """{"procs":[{"id":"a","procTime":"2026-11-23T08:00:00Z","statusTime":"2026-11-23T08:00:00Z","status":"working","cancelling":true}],"finished":[{"id":"b","outcome":"killed","duration":1.5,"endTime":"2026-11-23T08:00:00Z"}],"counts":{"started":3,"finished":2},"serverTime":"2026-11-23T08:00:00Z"}""",
            json);
        var back = JsonSerializer.Deserialize(json, PmJsonContext.Default.ProcFrame)!;
        Assert.Equal(frame.Finished, back.Finished);
        Assert.Equal(frame.Counts, back.Counts);
        Assert.False(back.IsSnapshot);
    }

    [Fact]
    public void ProcResponse_WithNoTasks_WritesAnEmptyArrayNeverNull()
    {
        var json = JsonSerializer.Serialize(new ProcResponse([], DateTimeOffset.UnixEpoch), PmJsonContext.Default.ProcResponse);
        Assert.StartsWith("""{"procs":[]""", json, StringComparison.Ordinal);
    }
}
