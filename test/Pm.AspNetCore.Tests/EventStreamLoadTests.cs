using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pm.AspNetCore.Tests;

/// <summary>The live stream under what careless or hostile clients do to it; alone, since it measures the process's memory.</summary>
[Collection(nameof(EventStreamLoadTests))]
[CollectionDefinition(nameof(EventStreamLoadTests), DisableParallelization = true)]
public sealed class EventStreamLoadTests
{
    private const int Tasks = 4_000;

    // The stream's view of the tasks alone is over 16 MiB; what stays after the subscribers are gone must be far less.
    private const long Slack = 4 * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long Heap() => GC.GetTotalMemory(forceFullCollection: true);

    // A client that asks for the stream and never reads, with a small receive window so the server's writes stall soon.
    private static async Task<Socket> StalledSubscriberAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /procs/?view=events HTTP/1.1\r\nHost: pm\r\nAccept: text/event-stream\r\n\r\n"), Ct);
        return socket;
    }

    private static List<TrackedTask> StartTasks(ProcessList list)
    {
        var attribute = new string('a', 4096);
        // Never reported slow: these tests measure the stream's own memory and pace, and the watchdog reporting a
        // thousand 4 KB tasks a second once they pass 10 s would add 4 MB frames of its own.
        var options = new TaskOptions { SlowAfter = null, HungAfter = null };
        return [.. Enumerable.Range(0, Tasks).Select(i => list.Start("task-" + i, [new("payload", attribute)], options))];
    }

    [Fact]
    public async Task StalledSubscribers_AreCutOffAndMemoryReturnsToBaseline()
    {
        await using var app = await TestApp.StartWithProcsAsync(o =>
        {
            o.EventWriteTimeout = TimeSpan.FromSeconds(1);
            o.MaxEventSubscribersPerClient = 100;
        });
        var tasks = StartTasks(app.List);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        try
        {
            // Warm up the listing once, so the baseline holds what any use of it keeps.
            (await app.Client.GetAsync("procs/", Ct)).Dispose();
            var baseline = Heap();

            // The snapshot alone is more than the connections' buffers hold, so each stalled subscriber's writes stop.
            var changes = ChurnAsync(app.List, stop.Token);
            var stalled = new List<Socket>();
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < 40; i++)
            {
                stalled.Add(await StalledSubscriberAsync(app.Address));
                // A listing that looks at every task but answers little: the server's responsiveness, not its output.
                var clock = Stopwatch.StartNew();
                using var listing = await app.Client.GetAsync("procs/?status=nothing-matches", Ct);
                Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
                slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, clock.Elapsed.Ticks));
            }

            // Listing stays fast while the stalled streams hold their connections.
            Assert.True(slowest < TimeSpan.FromSeconds(1), $"the slowest listing took {slowest}");

            // Each stalled write is cut off after the timeout, while the clients still hold their sockets; with no
            // subscriber left, the stream lets go of everything it held.
            await MemoryReturnsAsync(baseline);
            stalled.ForEach(socket => socket.Dispose());
        }
        finally
        {
            await stop.CancelAsync();
            tasks.ForEach(t => t.Dispose());
        }
    }

    // Short tasks at a busy server's pace: bursts of a hundred, about a thousand times a second.
    private static Task ChurnAsync(ProcessList list, CancellationToken stop) => Task.Run(
        async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using (var task = list.Start("churn-" + i))
                {
                    task.Status("working");
                }

                if (i % 100 == 0)
                {
                    await Task.Delay(1, CancellationToken.None);
                }
            }
        },
        CancellationToken.None);

    private static async Task MemoryReturnsAsync(long baseline)
    {
        var heap = Heap();
        var clock = Stopwatch.StartNew();
        while (heap >= baseline + Slack && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, Ct);
            heap = Heap();
        }

        Assert.True(heap < baseline + Slack, $"the heap stayed at {heap:N0} bytes, {heap - baseline:N0} over its baseline");
    }

    // Reads a stream up to its second event, keeping only event names: the client's own buffers must not weigh in.
    private static async Task<List<string>> FirstEventsAsync(Stream stream, int count)
    {
        var names = new List<string>();
        var buffer = new byte[16 * 1024];
        var line = new List<byte>();
        var capturing = true;
        while (names.Count < count)
        {
            var read = await stream.ReadAsync(buffer, Ct);
            Assert.True(read > 0, "the stream ended early");
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    if (line.Count > 7 && Encoding.ASCII.GetString([.. line]).StartsWith("event: ", StringComparison.Ordinal))
                    {
                        names.Add(Encoding.ASCII.GetString([.. line])[7..]);
                    }

                    line.Clear();
                    capturing = true;
                }
                else if (capturing && line.Count < 32)
                {
                    line.Add(b);
                }
                else
                {
                    capturing = false;
                }
            }
        }

        return names;
    }

    [Fact]
    public async Task SubscribersComingAndGoing_UnderChurn_LeaveMemoryAtBaseline()
    {
        // All from one address, and those of a round may still be leaving as the next arrives.
        await using var app = await TestApp.StartWithProcsAsync(o => o.MaxEventSubscribersPerClient = 100);
        var tasks = StartTasks(app.List);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var churn = ChurnAsync(app.List, stop.Token);
        try
        {
            (await app.Client.GetAsync("procs/", Ct)).Dispose();
            var baseline = Heap();
            for (var round = 0; round < 5; round++)
            {
                var subscribers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
                {
                    var response = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
                    var stream = await response.Content.ReadAsStreamAsync(Ct);
                    Assert.Equal(["snapshot", "frame"], (await FirstEventsAsync(stream, 2)).Take(2));
                    return (response, stream);
                }));
                foreach (var (response, stream) in subscribers)
                {
                    await stream.DisposeAsync();
                    response.Dispose();
                }
            }

            // With no subscriber left the stream stops observing and drops its view.
            await MemoryReturnsAsync(baseline);
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
            tasks.ForEach(t => t.Dispose());
        }
    }
}
