using System.Text.RegularExpressions;
using Pm.Protocol;

namespace Pm.Cli.Tests;

/// <summary>The frames of <c>pm top</c>, rendered to a writer: what the tmux tests see, without a terminal.</summary>
public sealed partial class TopScreenTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private static TopScreenModel Model(string footer = "", IReadOnlyList<string>? overlay = null, TimeSpan? waiting = null)
    {
        var up = Endpoint.Parse("127.0.0.1:8081");
        var down = Endpoint.Parse("10.0.0.7:8081");
        var procs = new ProcResponse([new ProcDetail("req-1", null, Now.AddSeconds(-3), Now.AddSeconds(-1), "querying")], Now);
        EndpointState?[] states = [new EndpointState(up, procs, null, 0), new EndpointState(down, null, "could not be reached", 0)];
        var rows = ProcRow.From(states.OfType<EndpointState>());
        return new TopScreenModel([up, down], states, [TimeSpan.Zero, waiting ?? TimeSpan.Zero], rows, 0, TimeSpan.FromSeconds(1), "age", "", false, overlay, footer, 100, 20);
    }

    private static string[] Lines(TopScreenModel model)
    {
        var writer = new StringWriter();
        TopScreen.Render(writer, model);
        return [.. Ansi().Replace(writer.ToString(), string.Empty).Split("\r\n")];
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
    public void Render_SlowEndpoint_SaysHowLongItHasWaited()
    {
        var lines = Lines(Model(waiting: TimeSpan.FromSeconds(2.5)));
        Assert.Contains("10.0.0.7:8081: slow, waiting 2.500s for an answer", lines[3], StringComparison.Ordinal);
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
        var procs = new ProcResponse([], Now);
        var states = endpoints.Select((e, i) => i switch
        {
            3 or 17 => new EndpointState(e, null, "could not be reached", 0),
            25 => null,
            _ => new EndpointState(e, procs, null, 0),
        }).ToList();
        var waiting = endpoints.Select((_, i) => i == 30 ? TimeSpan.FromSeconds(4) : TimeSpan.Zero).ToList();
        var model = new TopScreenModel(endpoints, states, waiting, [], -1, TimeSpan.FromSeconds(1), "age", "", false, null, "", 100, 30);

        var lines = Lines(model);

        Assert.Contains("40 endpoints: 36 up, 2 down, 2 slow or connecting", lines[2], StringComparison.Ordinal);
        Assert.Contains("10.0.1.4:8081: DOWN", lines[3], StringComparison.Ordinal);
        Assert.Contains("10.0.1.18:8081: DOWN", lines[4], StringComparison.Ordinal);
        Assert.Contains("10.0.1.26:8081: connecting", lines[5], StringComparison.Ordinal);
        Assert.Contains("10.0.1.31:8081: slow", lines[6], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("10.0.1.1:8081", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
