using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

public sealed class EventStreamTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<(string Name, string Data)> NextAsync(StreamReader reader)
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
                return (name, line[6..]);
            }
        }

        throw new EndOfStreamException();
    }

    private static async Task<ProcFrame> NextFrameAsync(StreamReader reader)
    {
        var (name, data) = await NextAsync(reader);
        Assert.Equal("frame", name);
        return JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcFrame)!;
    }

    private static async Task<ProcResponse> SnapshotAsync(StreamReader reader)
    {
        var (name, data) = await NextAsync(reader);
        Assert.Equal("snapshot", name);
        return JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcResponse)!;
    }

    private static async Task<(TestApp App, FakeTimeProvider Time)> StartWithFakeTimeAsync(Action<ProcessListEndpointOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var app = await TestApp.StartAsync(a => a.MapProcessList("/procs", configure), s => s.AddSingleton<TimeProvider>(time));
        return (app, time);
    }

    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> SubscribeAsync(TestApp app, string query = "")
    {
        var response = await app.Client.GetAsync("procs/?view=events" + query, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync(Ct)));
    }

    [Fact]
    public async Task Events_StreamSnapshotThenFramesWithLatestState()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        using var existing = app.List.Start("existing", [new("k", "v")]);
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            var snapshot = await SnapshotAsync(reader);
            Assert.Equal("existing", Assert.Single(snapshot.Procs).Id);
            Assert.Equal(time.GetUtcNow(), snapshot.ServerTime);

            // Several changes between two frames arrive as the task's latest state, once.
            var task = app.List.Start("t", [new("k", 1)]);
            task.Status("working");
            task.SetAttribute("k", 2);
            app.List.Kill("t", "stop");
            time.Advance(Frame);
            var frame = await NextFrameAsync(reader);
            var proc = Assert.Single(frame.Procs);
            Assert.Equal(("t", "[cancel request: stop]", true), (proc.Id, proc.Status, proc.Cancelling));
            Assert.Equal(JsonSerializer.SerializeToElement(2).GetRawText(), proc.Attrs!.Items.Single(a => a.Key == "k").Value?.ToString());
            Assert.Empty(frame.Finished);
            Assert.Equal(new FrameCounts(1, 0), frame.Counts);
            Assert.Equal(time.GetUtcNow(), frame.ServerTime);

            task.Done(Assert.Throws<TaskKilledException>(task.ThrowIfKilled));
            time.Advance(Frame);
            frame = await NextFrameAsync(reader);
            Assert.Empty(frame.Procs);
            var finished = Assert.Single(frame.Finished);
            Assert.Equal(("t", "killed"), (finished.Id, finished.Outcome));
            Assert.Equal(new FrameCounts(0, 1), frame.Counts);
        }
    }

    [Fact]
    public async Task Events_TasksStartedAndFinishedBetweenFrames_AreOnlyCounted()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            Assert.Empty((await SnapshotAsync(reader)).Procs);
            for (var i = 0; i < 1_000; i++)
            {
                using var shortLived = app.List.Start("short-" + i);
                shortLived.Status("busy");
            }

            using var kept = app.List.Start("kept");
            time.Advance(Frame);
            var frame = await NextFrameAsync(reader);
            Assert.Equal("kept", Assert.Single(frame.Procs).Id);
            Assert.Empty(frame.Finished);
            Assert.Equal(new FrameCounts(1_001, 1_000), frame.Counts);
        }
    }

    [Fact]
    public async Task Events_IdEndingAndStartingAgainInOneFrame_IsRemovedThenReplaced()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        var first = app.List.Start("x");
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            var original = Assert.Single((await SnapshotAsync(reader)).Procs);
            time.Advance(TimeSpan.FromSeconds(1));
            first.Dispose();
            using var second = app.List.Start("x");
            time.Advance(Frame);
            var frame = await NextFrameAsync(reader);

            // Applied in order — removals, then procs — the client ends up with the new task only.
            Assert.Equal("x", Assert.Single(frame.Finished).Id);
            var replaced = Assert.Single(frame.Procs);
            Assert.Equal("x", replaced.Id);
            Assert.True(replaced.ProcTime > original.ProcTime);
        }
    }

    [Fact]
    public async Task Events_FrameBytes_AreWhatTheSerializerWrites()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        using var before = app.List.Start("before");
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            var (_, snapshotData) = await NextAsync(reader);
            Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize(snapshotData, PmJsonContext.Default.ProcResponse)!, PmJsonContext.Default.ProcResponse), snapshotData);

            using var task = app.List.Start("a\"b", [new("n", 1), new("s", "é")]);
            before.Dispose();
            time.Advance(Frame);
            var (name, data) = await NextAsync(reader);
            Assert.Equal("frame", name);
            Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcFrame)!, PmJsonContext.Default.ProcFrame), data);
        }
    }

    [Fact]
    public async Task Events_AlertOrProgressAlone_SendsOnlyWhatChangedInUpdates()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        var payload = new string('p', 64 * 1024);
        var options = new TaskOptions { SlowAfter = TimeSpan.FromSeconds(2), HungAfter = TimeSpan.FromSeconds(4) };
        using var stalled = app.List.Start("stalled", [new("payload", payload)], options);
        using var busy = app.List.Start("busy", [new("payload", payload)], new TaskOptions { SlowAfter = null, HungAfter = null });
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            Assert.Equal(2, (await SnapshotAsync(reader)).Procs.Count);

            // Progress alone: the task's id and its progress, never its attributes.
            busy.ReportProgress(250, 1000, "rows");
            time.Advance(Frame);
            var (name, data) = await NextAsync(reader).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.DoesNotContain(payload, data, StringComparison.Ordinal);
            var frame = JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcFrame)!;
            Assert.Empty(frame.Procs);
            var update = Assert.Single(frame.Updates!);
            Assert.Equal(("busy", null, new ProcProgress(250, 1000, "rows")), (update.Id, update.Alert, update.Progress! with { Remaining = null }));

            // An alert alone, from the watchdog: the id and the alert.
            time.Advance(TimeSpan.FromSeconds(2));
            time.Advance(Frame);
            do
            {
                (name, data) = await NextAsync(reader).WaitAsync(TimeSpan.FromSeconds(10), Ct);
                frame = JsonSerializer.Deserialize(data, PmJsonContext.Default.ProcFrame)!;
            }
            while (frame.Updates is null);

            Assert.Equal("frame", name);
            Assert.DoesNotContain(payload, data, StringComparison.Ordinal);
            Assert.Empty(frame.Procs);
            update = Assert.Single(frame.Updates);
            Assert.Equal(("stalled", "slow", null), (update.Id, update.Alert, update.Progress));

            // With any other change in the same frame, the whole task, as before.
            busy.ReportProgress(500, 1000, "rows");
            time.Advance(TimeSpan.FromSeconds(1));
            busy.ReportProgress(600, 1000, "rows");
            busy.Status("copying");
            time.Advance(Frame);
            do
            {
                frame = await NextFrameAsync(reader).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            }
            while (frame.Procs.Count == 0);

            var proc = Assert.Single(frame.Procs);
            Assert.Equal(("busy", "copying", 600L), (proc.Id, proc.Status, proc.Progress!.Done));
            Assert.Null(frame.Updates);

            // A task that started since the last frame is sent whole, whatever changed after.
            using var fresh = app.List.Start("fresh");
            fresh.ReportProgress(1);
            time.Advance(Frame);
            frame = await NextFrameAsync(reader).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal("fresh", Assert.Single(frame.Procs).Id);
            Assert.Null(frame.Updates);
        }
    }

    [Fact]
    public void ProcUpdate_ApplyTo_ChangesOnlyWhatItCarries()
    {
        var held = new ProcDetail("t", null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "working", false) { Alert = "slow", Progress = new ProcProgress(1) };

        Assert.Equal(held with { Alert = "hung" }, new ProcUpdate("t") { Alert = "hung" }.ApplyTo(held));
        Assert.Equal(held with { Progress = new ProcProgress(2, 4) }, new ProcUpdate("t") { Progress = new ProcProgress(2, 4) }.ApplyTo(held));
    }

    [Fact]
    public async Task Events_NothingChanged_SendsNoFrame()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            await SnapshotAsync(reader);
            time.Advance(Frame);
            time.Advance(Frame);
            using var task = app.List.Start("only");
            time.Advance(Frame);

            // The first frame after the quiet ones is the one with the change.
            Assert.Equal("only", Assert.Single((await NextFrameAsync(reader)).Procs).Id);
        }
    }

    [Fact]
    public async Task Events_LateSubscriber_GetsViewOfLastFrameThenLaterFrames()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        var (firstResponse, firstReader) = await SubscribeAsync(app);
        using (firstResponse)
        using (firstReader)
        {
            await SnapshotAsync(firstReader);
            var a = app.List.Start("a");
            time.Advance(Frame);
            await NextFrameAsync(firstReader);

            var (secondResponse, secondReader) = await SubscribeAsync(app);
            using (secondResponse)
            using (secondReader)
            {
                Assert.Equal("a", Assert.Single((await SnapshotAsync(secondReader)).Procs).Id);
                a.Dispose();
                time.Advance(Frame);

                // Both saw "a", so both are told it ended: the same bytes to each.
                Assert.Equal("a", Assert.Single((await NextFrameAsync(firstReader)).Finished).Id);
                Assert.Equal("a", Assert.Single((await NextFrameAsync(secondReader)).Finished).Id);
            }
        }
    }

    [Fact]
    public async Task Events_SubscribersOverLimit_Get503WithRetryAfter()
    {
        await using var app = await TestApp.StartWithProcsAsync(o =>
        {
            o.MaxEventSubscribers = 2;
            o.MaxEventSubscribersPerClient = 3;
        });
        var (r1, s1) = await SubscribeAsync(app);
        var (r2, s2) = await SubscribeAsync(app);
        using (r1)
        using (s1)
        using (r2)
        using (s2)
        {
            using var refused = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("maximum of 2", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            // Listing is not a subscription and is never refused.
            Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("procs/", Ct)).StatusCode);
        }

        // Once a subscriber leaves, its place is free again.
        await EventuallyAsync(async () =>
        {
            using var again = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
            return again.StatusCode == HttpStatusCode.OK;
        });
    }

    [Theory]
    [InlineData("", 100)]
    [InlineData("&interval=10ms", 100)]
    [InlineData("&interval=1s", 1000)]
    [InlineData("&interval=3500ms", 1000)]
    [InlineData("&interval=7", 5000)]
    [InlineData("&interval=1h", 5000)]
    public async Task Events_Interval_IsTheLongestRateNotAboveTheRequest(string query, int expected)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        var (response, reader) = await SubscribeAsync(app, query);
        using (response)
        using (reader)
        {
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("X-Pm-Frame-Interval")));
            Assert.Equal("snapshot", (await NextAsync(reader)).Name);
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1s")]
    [InlineData("")]
    public async Task Events_MalformedInterval_Is400(string interval)
    {
        await using var app = await TestApp.StartWithProcsAsync();
        using var response = await app.Client.GetAsync("procs/?view=events&interval=" + interval, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("interval must be a duration", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_SlowerRate_SendsOnlyEachSecondsLatestState()
    {
        var (app, time) = await StartWithFakeTimeAsync();
        await using var _ = app;
        var (fastResponse, fast) = await SubscribeAsync(app);
        var (slowResponse, slow) = await SubscribeAsync(app, "&interval=1s");
        using (fastResponse)
        using (fast)
        using (slowResponse)
        using (slow)
        {
            Assert.Empty((await SnapshotAsync(fast)).Procs);
            Assert.Empty((await SnapshotAsync(slow)).Procs);

            // Five statuses 100 ms apart: the server's own rate sends each; once a second sends only the last.
            using var task = app.List.Start("t");
            for (var i = 1; i <= 5; i++)
            {
                task.Status($"step {i}");
                time.Advance(Frame);
                Assert.Equal($"step {i}", Assert.Single((await NextFrameAsync(fast)).Procs).Status);
            }

            time.Advance(TimeSpan.FromMilliseconds(500));
            var frame = await NextFrameAsync(slow);
            Assert.Equal(("t", "step 5"), (Assert.Single(frame.Procs).Id, Assert.Single(frame.Procs).Status));
            Assert.Equal(new FrameCounts(1, 0), frame.Counts);
        }
    }

    [Fact]
    public async Task Events_SubscriberLimit_IsSharedByEveryRate()
    {
        await using var app = await TestApp.StartWithProcsAsync(o => o.MaxEventSubscribers = 1);
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            using var refused = await app.Client.GetAsync("procs/?view=events&interval=5s", HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await EventuallyAsync(async () =>
        {
            using var again = await app.Client.GetAsync("procs/?view=events&interval=5s", HttpCompletionOption.ResponseHeadersRead, Ct);
            return again.StatusCode == HttpStatusCode.OK;
        });
    }

    [Fact]
    public async Task Events_SubscriberThatFallsBehind_IsDroppedAndTasksAreNotSlowed()
    {
        await using var app = await TestApp.StartWithProcsAsync(o =>
        {
            o.EventBufferSize = 1;
            o.EventFrameInterval = TimeSpan.FromMilliseconds(10);
        });
        var (response, reader) = await SubscribeAsync(app);
        using (response)
        using (reader)
        {
            await SnapshotAsync(reader);

            // Large frames while nothing is read fill the connection's buffers; then frames wait, and the subscriber is
            // dropped. No change may block meanwhile.
            var changes = 0;
            using (var task = app.List.Start("busy", [new("payload", new string('x', 256 * 1024))]))
            {
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(3))
                {
                    task.Status("s" + changes++);
                    await Task.Yield();
                }
            }

            (string Name, string Data) last;
            do
            {
                last = await NextAsync(reader);
            }
            while (last.Name != "dropped");

            Assert.True(changes > 1_000, $"only {changes} changes were made");
            Assert.Contains("behind", last.Data, StringComparison.Ordinal);
            Assert.True(string.IsNullOrWhiteSpace(await reader.ReadToEndAsync(Ct)), "the stream goes on after dropping");
        }
    }

    internal static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(50, deadline.Token);
        }
    }
}
