using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Pm.AspNetCore.Tests;

/// <summary>Listings of about 1 MB under hundreds of clients that do not read them; alone, since it measures the process's memory.</summary>
[Collection(nameof(ListingLoadTests))]
[CollectionDefinition(nameof(ListingLoadTests), DisableParallelization = true)]
public sealed class ListingLoadTests
{
    private const int Clients = 200;

    // 200 listings of 1 MB held whole are 200 MB; written in chunks, a few places of chunks and snapshots.
    private const long WhileConnected = 32 * 1024 * 1024;

    private const long After = 8 * 1024 * 1024;

    private static readonly byte[] Scratch = new byte[16 * 1024];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The GC's count of live bytes after a full collection, pinned buffers of the server's pool included.
    private static long Heap() => GC.GetTotalMemory(forceFullCollection: true);

    private static long Pinned() => GC.GetGCMemoryInfo().GenerationInfo[4].SizeAfterBytes;

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    [Fact]
    public async Task GetList_HundredsOfClientsThatDoNotRead_AddLittleMemoryAndLeaveNone()
    {
        await using var app = await ProcessListEndpointListingTests.StartAsync();
        var tasks = ProcessListEndpointListingTests.StartTasks(app.List);
        try
        {
            (await app.Client.GetAsync("procs/", Ct)).Dispose();
            (await app.Client.GetAsync("procs/?limit=10", Ct)).Dispose();
            var baseline = Heap();
            TestContext.Current.TestOutputHelper?.WriteLine($"baseline: {Megabytes(baseline)} ({Megabytes(Pinned())} pinned)");

            var stalled = new List<Socket>();
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < Clients; i++)
            {
                stalled.Add(await ProcessListEndpointListingTests.RequestAsync(app.Address));
                if (i % 20 == 19)
                {
                    var clock = Stopwatch.StartNew();
                    (await app.Client.GetAsync("procs/?limit=10", Ct)).Dispose();
                    slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, clock.Elapsed.Ticks));
                }
            }

            // Every request has been answered at least in part once a listing after them all is.
            (await app.Client.GetAsync("procs/?limit=10", Ct)).Dispose();
            var connected = Heap();
            TestContext.Current.TestOutputHelper?.WriteLine($"{Clients} clients that do not read: {Megabytes(connected - baseline)} over the baseline; slowest small listing {slowest.TotalMilliseconds:F0} ms");
            Assert.True(connected < baseline + WhileConnected, $"{Clients} clients that do not read hold {Megabytes(connected - baseline)}");
            Assert.True(slowest < TimeSpan.FromSeconds(1), $"the slowest small listing took {slowest}");

            // Once they have gone, what their answers held goes back: the server's pooled buffers included.
            stalled.ForEach(s => s.Dispose());
            await MemoryReturnsAsync(baseline);
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task GetList_HundredsOfClientsThatReadSlowly_AddLittleMemoryAndLeaveNone()
    {
        await using var app = await ProcessListEndpointListingTests.StartAsync();
        var tasks = ProcessListEndpointListingTests.StartTasks(app.List);
        try
        {
            (await app.Client.GetAsync("procs/", Ct)).Dispose();
            var baseline = Heap();
            TestContext.Current.TestOutputHelper?.WriteLine($"baseline: {Megabytes(baseline)} ({Megabytes(Pinned())} pinned)");

            var readers = new List<Task>();
            for (var i = 0; i < Clients; i++)
            {
                readers.Add(ReadSlowlyAsync(await ProcessListEndpointListingTests.RequestAsync(app.Address, close: true)));
            }

            (await app.Client.GetAsync("procs/?limit=10", Ct)).Dispose();
            var connected = Heap();
            TestContext.Current.TestOutputHelper?.WriteLine($"{Clients} clients that read slowly: {Megabytes(connected - baseline)} over the baseline");
            Assert.True(connected < baseline + WhileConnected, $"{Clients} clients that read slowly hold {Megabytes(connected - baseline)}");

            await Task.WhenAll(readers);
            await MemoryReturnsAsync(baseline);
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    // Reads what arrived every 50 ms until the server closes the connection after its answer; what it reads is thrown away.
    private static async Task ReadSlowlyAsync(Socket socket)
    {
        using (socket)
        {
            while (await socket.ReceiveAsync(Scratch, Ct) > 0)
            {
                await Task.Delay(50, Ct);
            }
        }
    }

    // The server's pooled buffers go back to its pool, not to the system; what they hold must be what a few answers need.
    private static async Task MemoryReturnsAsync(long baseline)
    {
        var heap = Heap();
        TestContext.Current.TestOutputHelper?.WriteLine($"first: {Megabytes(heap - baseline)} over the baseline ({Megabytes(Pinned())} pinned)");
        var clock = Stopwatch.StartNew();
        while (heap >= baseline + After && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, Ct);
            heap = Heap();
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"after: {Megabytes(heap - baseline)} over the baseline ({Megabytes(Pinned())} pinned), {clock.Elapsed.TotalSeconds:F1} s later");
        Assert.True(heap < baseline + After, $"the heap stayed {Megabytes(heap - baseline)} over its baseline");
    }
}
