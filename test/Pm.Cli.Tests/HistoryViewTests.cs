using Pm.Protocol;

namespace Pm.Cli.Tests;

/// <summary>What <c>pm history</c> prints, rendered to a writer.</summary>
public sealed class HistoryViewTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static string Render(HistoryResponse history)
    {
        var writer = new StringWriter();
        HistoryView.Write(Terminal.Plain(writer), history, "req-1");
        return writer.ToString();
    }

    // Every line, as its words: what a table row says, whatever the padding.
    private static void HasRow(string output, params string[] words) =>
        Assert.True(output.Split('\n').Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).SequenceEqual(words)), output);

    [Fact]
    public void Write_NoCalls_NoKindColumnAndNoCallTables()
    {
        var output = Render(new HistoryResponse([new(T0, "init"), new(T0.AddSeconds(2), "reading")], T0.AddSeconds(5)));

        Assert.Contains("req-1  running  total 5.000s", output, StringComparison.Ordinal);
        Assert.Contains("time (UTC)", output, StringComparison.Ordinal);
        Assert.Contains("3.000s (so far)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("kind", output, StringComparison.Ordinal);
        Assert.DoesNotContain("dependency", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\x1b", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Calls_ShownFromTheirStartWithKindAndDuration_RolledUpPerKindAndDependency()
    {
        HistoryDetail[] entries =
        [
            new(T0, "init"),
            new(T0.AddSeconds(3), "HTTP GET inventory:5081/items/7 → 200") { Kind = "http", Target = "inventory:5081", Duration = 2 },
            new(T0.AddSeconds(3.5), "HTTP GET inventory:5081/items/8 → 200") { Kind = "http", Target = "inventory:5081", Duration = 2.4 },
            new(T0.AddSeconds(4), "SQL SELECT … → 2 rows") { Kind = "sql", Target = "shop", Duration = 0.5 },
            new(T0.AddSeconds(4), "ended"),
        ];
        var output = Render(new HistoryResponse(entries, T0.AddSeconds(9)) { Outcome = "ended", EndTime = T0.AddSeconds(4) });

        Assert.Contains("started (UTC)", output, StringComparison.Ordinal);
        HasRow(output, "2026-11-23", "08:00:00.000", "init", "4.000s");
        HasRow(output, "2026-11-23", "08:00:01.000", "http", "HTTP", "GET", "inventory:5081/items/7", "→", "200", "2.000s");
        HasRow(output, "2026-11-23", "08:00:01.100", "http", "HTTP", "GET", "inventory:5081/items/8", "→", "200", "2.400s");
        HasRow(output, "2026-11-23", "08:00:04.000", "ended");
        HasRow(output, "init", "4.000s", "100", "%");
        HasRow(output, "http", "2", "4.400s", "110", "%", "2.400s");
        HasRow(output, "sql", "1", "0.500s", "12", "%", "0.500s");
        HasRow(output, "http", "inventory:5081", "2", "4.400s", "2.400s");
        HasRow(output, "sql", "shop", "1", "0.500s", "0.500s");
        var order = new[] { "time per status", "time per kind", "time per dependency", "more than the total" }.Select(t => output.IndexOf(t, StringComparison.Ordinal)).ToList();
        Assert.True(order.All(i => i >= 0) && order.SequenceEqual(order.Order()), output);
        Assert.Contains("3 calls took 4.900s in all; at least one was in flight for 3.000s (75 % of the total)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("still in flight", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RunningTaskWithCalls_LastStatusSoFar_AndSaysInFlightCallsAreNotShown()
    {
        HistoryDetail[] entries =
        [
            new(T0, "init"),
            new(T0.AddSeconds(1), "HTTP GET a:1/ → failed: HttpRequestException") { Kind = "http", Duration = 0.25 },
            new(T0.AddSeconds(2), "retrying"),
        ];
        var output = Render(new HistoryResponse(entries, T0.AddSeconds(3)) { Cancelling = true });

        Assert.Contains("req-1  running, kill requested  total 3.000s", output, StringComparison.Ordinal);
        HasRow(output, "2026-11-23", "08:00:00.000", "init", "2.000s");
        HasRow(output, "2026-11-23", "08:00:02.000", "retrying", "1.000s", "(so", "far)");
        HasRow(output, "http", "(unknown)", "1", "0.250s", "0.250s");
        Assert.Contains("still in flight", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_Progress_ShownOverTime_WithoutCuttingTheOwnStatusOrCountingAsCalls()
    {
        HistoryDetail[] entries =
        [
            new(T0, "init"),
            new(T0.AddSeconds(1), "importing"),
            new(T0.AddSeconds(1), "progress 0 of 1,000 rows (0%)") { Kind = "progress" },
            new(T0.AddSeconds(5), "progress 400 of 1,000 rows (40%)") { Kind = "progress" },
            new(T0.AddSeconds(11), "progress 1,000 of 1,000 rows (100%)") { Kind = "progress" },
            new(T0.AddSeconds(12), "ended"),
        ];
        var output = Render(new HistoryResponse(entries, T0.AddSeconds(20)) { Outcome = "ended", EndTime = T0.AddSeconds(12) });

        Assert.Contains("progress over time", output, StringComparison.Ordinal);
        HasRow(output, "2026-11-23", "08:00:05.000", "5.000s", "progress", "400", "of", "1,000", "rows", "(40%)");
        HasRow(output, "importing", "11.0s", "92", "%");
        Assert.DoesNotContain("time per kind", output, StringComparison.Ordinal);
    }
}
