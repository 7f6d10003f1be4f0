using System.Text.RegularExpressions;
using Pm.Cli.Web;
using Pm.Protocol;

namespace Pm.Cli.Tests;

/// <summary>The frames of <c>pm top</c>, rendered to a writer: what the tmux tests see, without a terminal.</summary>
public sealed partial class TopScreenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static TopScreenModel Model(string footer = "", IReadOnlyList<string>? overlay = null, double? latency = null)
    {
        var up = Endpoint.Parse("127.0.0.1:8081");
        var down = Endpoint.Parse("10.0.0.7:8081");
        ProcDetail[] procs = [new ProcDetail("req-1", null, Now.AddSeconds(-3), Now.AddSeconds(-1), "querying")];
        EndpointView[] views =
        [
            new(up.Name, EndpointHealth.Up, "stream", Now, 0.01, null, 0, procs),
            latency is { } slow
                ? new(down.Name, EndpointHealth.Slow, "polling", Now, slow, null, 0, [])
                : new(down.Name, EndpointHealth.Down, null, null, null, "could not be reached", 0, []),
        ];
        var rows = ProcRow.From(new FleetSnapshot([up, down], views, Now));
        return new TopScreenModel(views, rows, 0, TimeSpan.FromSeconds(1), "age", "", false, overlay, footer, 100, 20);
    }

    private static string[] Lines(TopScreenModel model)
    {
        var writer = new StringWriter();
        TopScreen.Render(writer, model);
        return [.. Ansi().Replace(writer.ToString(), string.Empty).Split("\r\n")];
    }

    [Fact]
    public void Render_EndpointThatTurnedAPollAway_SaysBusyWithItsTasksAsLastSeen()
    {
        var busy = Endpoint.Parse("127.0.0.1:8081");
        ProcDetail[] procs = [new ProcDetail("req-1", null, Now.AddSeconds(-3), Now.AddSeconds(-1), "querying")];
        EndpointView[] views = [new(busy.Name, EndpointHealth.Slow, "polling", Now, 0.01, "The server is busy (503 Service Unavailable).", 0, procs)];
        var rows = ProcRow.From(new FleetSnapshot([busy], views, Now));
        var lines = Lines(new TopScreenModel(views, rows, 0, TimeSpan.FromSeconds(1), "age", "", false, null, "", 100, 20));

        Assert.Contains("127.0.0.1:8081: busy: The server is busy (503 Service Unavailable)., 1 task as last seen", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HeaderEndpointsAndRows_CountedInWords()
    {
        var lines = Lines(Model());

        Assert.StartsWith("pm top  1 task on 2 endpoints  every 1 s  sort: age", lines[0], StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:8081: up, 1 task", lines[2], StringComparison.Ordinal);
        Assert.Contains("10.0.0.7:8081: DOWN: could not be reached", lines[3], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("req-1", StringComparison.Ordinal) && l.Contains("querying", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_FooterOnTheLastLine_AndEachLineErasedToItsEnd()
    {
        var writer = new StringWriter();
        TopScreen.Render(writer, Model(footer: "asked 127.0.0.1:8081 to kill req-1"));
        var frame = writer.ToString();

        Assert.StartsWith("\x1b[H", frame, StringComparison.Ordinal);
        Assert.Contains("\x1b[20;1H\x1b[7masked 127.0.0.1:8081 to kill req-1\x1b[0m", frame, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", frame.Replace("\x1b[K\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SlowEndpoint_SaysHowLongItsLastAnswerTook()
    {
        var lines = Lines(Model(latency: 2.5));
        Assert.Contains("10.0.0.7:8081: slow, answered in 2.500s, 0 tasks", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EndpointWhoseStreamIsFull_SaysUpStreamFull()
    {
        var model = Model();
        var full = model with { Views = [model.Views[0] with { Via = EndpointView.PollingStreamFull }, model.Views[1]] };

        Assert.Contains("127.0.0.1:8081: up (stream full), 1 task", Lines(full)[2], StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:8081: up, 1 task", Lines(model)[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Overlay_ReplacesTheTable()
    {
        var lines = Lines(Model(overlay: ["history of req-1", "  init"]));
        Assert.Contains("history of req-1", lines);
        Assert.DoesNotContain(lines, l => l.Contains("querying", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_ManyEndpoints_CountsThemAndListsOnlyThoseNotUp()
    {
        var endpoints = Enumerable.Range(1, 40).Select(i => Endpoint.Parse($"10.0.1.{i}:8081")).ToList();
        var views = endpoints.Select((e, i) => i switch
        {
            3 or 17 => new EndpointView(e.Name, EndpointHealth.Down, null, null, null, "could not be reached", 0, []),
            25 => new EndpointView(e.Name, EndpointHealth.Connecting, null, null, null, null, 0, []),
            30 => new EndpointView(e.Name, EndpointHealth.Slow, "polling", Now, 4, null, 0, []),
            _ => new EndpointView(e.Name, EndpointHealth.Up, "stream", Now, 0.01, null, 0, []),
        }).ToList();
        var model = new TopScreenModel(views, [], -1, TimeSpan.FromSeconds(1), "age", "", false, null, "", 100, 30);

        var lines = Lines(model);

        Assert.Contains("40 endpoints: 36 up, 2 down, 2 slow or connecting", lines[2], StringComparison.Ordinal);
        Assert.Contains("10.0.1.4:8081: DOWN", lines[3], StringComparison.Ordinal);
        Assert.Contains("10.0.1.18:8081: DOWN", lines[4], StringComparison.Ordinal);
        Assert.Contains("10.0.1.26:8081: connecting", lines[5], StringComparison.Ordinal);
        Assert.Contains("10.0.1.31:8081: slow", lines[6], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("10.0.1.1:8081", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_LongStatusWithSpaces_StaysOnItsRowsOneLine_CutWithAnEllipsis()
    {
        var up = Endpoint.Parse("127.0.0.1:8081");
        var status = "SQL SELECT \"o\".\"Id\", \"o\".\"AmountCents\", \"o\".\"CustomerId\" FROM \"Orders\" AS \"o\" WHERE \"o\".\"Id\" > 0";
        ProcDetail[] procs = [new ProcDetail("req-1", null, Now.AddSeconds(-3), Now.AddSeconds(-1), status), new ProcDetail("req-2", null, Now.AddSeconds(-2), Now, "short")];
        EndpointView[] views = [new(up.Name, EndpointHealth.Up, "stream", Now, 0.01, null, 0, procs)];
        var rows = ProcRow.From(new FleetSnapshot([up], views, Now));

        var lines = Lines(new TopScreenModel(views, rows, 0, TimeSpan.FromSeconds(1), "age", "", false, null, "", 160, 20));

        var row = Assert.Single(lines, l => l.Contains("req-1", StringComparison.Ordinal));
        Assert.Contains(status[..39] + "…", row, StringComparison.Ordinal);
        var next = lines[Array.IndexOf(lines, row) + 1];
        Assert.Contains("req-2", next, StringComparison.Ordinal);
    }

    [Fact]
    public void From_Snapshot_ReadsAgesOnTheServersClock_AndSkipsEndpointsThatAreDown()
    {
        var up = Endpoint.Parse("127.0.0.1:8081");
        var down = Endpoint.Parse("10.0.0.7:8081");

        // The server's clock is 10 s behind the tool's: a task it started 3 s ago by its own clock is 3 s old, not 13.
        ProcDetail[] procs = [new ProcDetail("req-1", null, Now.AddSeconds(-13), Now.AddSeconds(-11), "querying")];
        EndpointView[] views =
        [
            new(up.Name, EndpointHealth.Up, "stream", Now, 0.01, null, 10, procs),
            new(down.Name, EndpointHealth.Down, "stream", Now.AddMinutes(-1), 0.01, "could not be reached", 0, procs),
        ];

        var row = Assert.Single(ProcRow.From(new FleetSnapshot([up, down], views, Now)));
        Assert.Equal(up, row.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(3), row.Age);
        Assert.Equal(TimeSpan.FromSeconds(1), row.InStatus);
    }

    [Fact]
    public void Render_HostileServerText_ShownEscapedInEveryPart()
    {
        var up = Endpoint.Parse("127.0.0.1:8081");
        var down = Endpoint.Parse("10.0.0.7:8081");
        var attrs = new AttributeMap([new("a" + FormatTests.Hostile, "v" + FormatTests.Hostile)]);
        ProcDetail[] procs =
        [
            new ProcDetail("i" + FormatTests.Hostile, attrs, Now.AddSeconds(-3), Now.AddSeconds(-1), "s" + FormatTests.Hostile)
            {
                Alert = "slow" + FormatTests.Hostile,
                Progress = new ProcProgress(1, null, "u" + FormatTests.Hostile),
            },
        ];
        EndpointView[] views =
        [
            new(up.Name, EndpointHealth.Up, "stream", Now, 0.01, null, 0, procs),
            new(down.Name, EndpointHealth.Down, null, null, null, "e" + FormatTests.Hostile, 0, []),
        ];
        var rows = ProcRow.From(new FleetSnapshot([up, down], views, Now));
        var table = new TopScreenModel(views, rows, 0, TimeSpan.FromSeconds(1), "age", "f" + FormatTests.Hostile, false, null, "n" + FormatTests.Hostile, 400, 20);
        var overlay = table with { Overlay = ["h" + FormatTests.Hostile] };

        foreach (var model in new[] { table, overlay })
        {
            var writer = new StringWriter();
            TopScreen.Render(writer, model);
            var frame = writer.ToString();

            // The frame's own sequences (cursor, erase, colours) are CSI sequences it writes; none of the server's gets through.
            Assert.False(FormatTests.HasRawControl(frame), frame);
            Assert.Contains("n" + FormatTests.HostileShown, frame, StringComparison.Ordinal);
        }

        var text = string.Join("\n", Lines(table));
        foreach (var shown in new[] { "i", "s", "a", "v", "e", "f" })
        {
            Assert.Contains(shown + @"a\e[2Jb\u0007c", text, StringComparison.Ordinal);
        }

        Assert.Contains(@"1 ua\e[2Jb", text, StringComparison.Ordinal);
        Assert.Contains("h" + FormatTests.HostileShown, string.Join("\n", Lines(overlay)), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
