using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Pm.AspNetCore.Internal;
using Pm.Protocol;

namespace Pm.AspNetCore.Tests;

/// <summary>Large answers (listings, finished tasks, histories): written in chunks, bounded in number, cut off when not read.</summary>
public sealed class ProcessListEndpointListingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts an application whose connections have a send buffer of 64 KiB, as one to a remote client has.</summary>
    /// <remarks>Loopback's send buffers grow to megabytes and would take a whole listing off the server's hands.</remarks>
    internal static Task<TestApp> StartAsync(Action<ProcessListEndpointOptions>? configure = null) =>
        TestApp.StartAsync(
            app => app.MapProcessList("/procs", configure),
            services => services.Configure<SocketTransportOptions>(o => o.CreateBoundListenSocket = endpoint =>
            {
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = 64 * 1024;
                return socket;
            }));

    /// <summary>Starts tasks of about 330 bytes each in a listing: 3,000 make about 1 MB.</summary>
    internal static List<TrackedTask> StartTasks(ProcessList list, int count = 3_000)
    {
        var agent = new string('x', 120);
        var options = new TaskOptions { SlowAfter = null, HungAfter = null };
        var tasks = Enumerable.Range(0, count)
            .Select(i => list.Start($"req{i}", [new("method", "GET"), new("uri", $"/api/items/{i}"), new("host", "10.1.2.3:5555"), new("agent", agent)], options))
            .ToList();
        tasks.ForEach(t => t.Status("waiting for the database"));
        return tasks;
    }

    /// <summary>Sends a request on a socket with a small receive window, and reads nothing.</summary>
    internal static async Task<Socket> RequestAsync(Uri address, string path = "/procs/", bool close = false)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: pm\r\n{(close ? "Connection: close\r\n" : "")}\r\n"), Ct);
        return socket;
    }

    /// <summary>Reads the status line's first 12 bytes only: the server has begun its answer.</summary>
    private static async Task<string> StatusAsync(Socket socket)
    {
        var head = new byte[12];
        for (var got = 0; got < head.Length;)
        {
            var read = await socket.ReceiveAsync(head.AsMemory(got), Ct);
            Assert.True(read > 0, "the connection closed before the status line");
            got += read;
        }

        return Encoding.ASCII.GetString(head);
    }

    private static async Task<Socket> ListingInProgressAsync(TestApp app)
    {
        var socket = await RequestAsync(app.Address);
        Assert.Equal("HTTP/1.1 200", await StatusAsync(socket));
        return socket;
    }

    [Fact]
    public async Task GetList_MoreLargeListingsThanAllowed_AreAnsweredServiceUnavailableWithRetryAfter()
    {
        await using var app = await StartAsync(o => o.MaxConcurrentListings = 2);
        var tasks = StartTasks(app.List);
        try
        {
            using var first = await ListingInProgressAsync(app);
            using var second = await ListingInProgressAsync(app);

            using var response = await app.Client.GetAsync("procs/", Ct);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
            Assert.True(response.Headers.ConnectionClose);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("retry later", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task GetList_SmallListingWhileAllPlacesAreTaken_IsAnswered()
    {
        await using var app = await StartAsync(o => o.MaxConcurrentListings = 1);
        var tasks = StartTasks(app.List);
        try
        {
            using var stalled = await ListingInProgressAsync(app);

            using var limited = await app.Client.GetAsync("procs/?limit=10", Ct);
            using var filtered = await app.Client.GetAsync("procs/?attr.uri=/api/items/7", Ct);

            Assert.Equal(HttpStatusCode.OK, limited.StatusCode);
            Assert.Equal(10, ProcessListEndpointTests.Json(await limited.Content.ReadAsStringAsync(Ct)).GetProperty("procs").GetArrayLength());
            Assert.Equal(HttpStatusCode.OK, filtered.StatusCode);
            Assert.Equal(1, ProcessListEndpointTests.Json(await filtered.Content.ReadAsStringAsync(Ct)).GetProperty("procs").GetArrayLength());
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task GetList_ClientThatNeverReads_IsCutOffAndFreesItsPlace()
    {
        var grace = TimeSpan.FromSeconds(2);
        await using var app = await StartAsync(o =>
        {
            o.MaxConcurrentListings = 1;
            o.MinListingDataRate = new MinDataRate(16 * 1024, grace);
        });
        var tasks = StartTasks(app.List);
        try
        {
            using var stalled = await ListingInProgressAsync(app);
            var clock = Stopwatch.StartNew();

            // A client that honours Retry-After gets its listing once the one that does not read is cut off: its
            // buffers fill within a chunk or two, so it is late after the grace period and some 100 KiB at 16 KiB/s.
            HttpStatusCode status;
            var refused = 0;
            while ((status = await ListAsync(app)) == HttpStatusCode.ServiceUnavailable && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                refused++;
                await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            }

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(refused > 0, "the stalled listing held no place");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the stalled listing was cut off after {clock.Elapsed}");

            // What the server had handed over before it aborted the connection ends without the last chunk.
            var received = await ReadToEndAsync(stalled);
            Assert.False(received.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal), "the stalled listing was written whole");
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    private static async Task<HttpStatusCode> ListAsync(TestApp app)
    {
        using var response = await app.Client.GetAsync("procs/", Ct);
        await response.Content.ReadAsByteArrayAsync(Ct);
        return response.StatusCode;
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, Ct)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException)
        {
            // Reset: what was not read yet is gone.
        }

        return text.ToString();
    }

    [Fact]
    public async Task GetList_LargeListing_IsChunkedAndExactlyWhatTheSerializerWrites()
    {
        await using var app = await StartAsync();
        var tasks = StartTasks(app.List);
        try
        {
            using var response = await app.Client.GetAsync("procs/", Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.TransferEncodingChunked);
            var serverTime = ServerTime(body);
            var order = ProcessListEndpointTests.Json(body).GetProperty("procs").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
            var snapshots = app.List.GetAll().OrderBy(s => order.IndexOf(s.Id)).ToList();
            Assert.Equal(tasks.Count, order.Count);
            Assert.Equal(JsonSerializer.Serialize(new ProcResponse([.. snapshots.Select(WireMapping.ToWire)], serverTime), PmJsonContext.Default.ProcResponse), body);
        }
        finally
        {
            tasks.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task GetList_SmallListing_HasContentLength()
    {
        await using var app = await StartAsync();
        using var task = app.List.Start("only");

        using var response = await app.Client.GetAsync("procs/", Ct);
        var body = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task GetFinished_ManyFinishedTasks_IsExactlyWhatTheSerializerWrites()
    {
        await using var app = await StartAsync();
        foreach (var task in StartTasks(app.List, 500))
        {
            task.Status("done with the database");
            task.Dispose();
        }

        using var response = await app.Client.GetAsync("procs/?view=finished", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var serverTime = ServerTime(body);
        var finished = app.List.GetFinished().Select(h => WireMapping.ToWire(h, serverTime)).ToList();
        Assert.Equal(500, finished.Count);
        Assert.Equal(JsonSerializer.Serialize(new FinishedResponse(finished, serverTime), PmJsonContext.Default.FinishedResponse), body);
    }

    [Fact]
    public async Task GetHistory_LongHistory_IsWrittenEntryByEntryExactlyAsTheSerializerWritesIt()
    {
        await using var app = await StartAsync();
        using var task = app.List.Start("long", options: new TaskOptions { HistoryLimit = 10_000, SlowAfter = null, HungAfter = null });
        for (var i = 0; i < 5_000; i++)
        {
            task.Status($"step {i} of a long job");
        }

        // The kill's audit entry carries fields of its own, and the history its cancelling flag.
        Assert.Equal(KillResult.Requested, app.List.Kill("long", new KillRequest("too long", "10.1.2.3:5555", "ann")));

        using var response = await app.Client.GetAsync("procs/long/history", Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.Length > 4 * ListingBody.ChunkSize, $"the history is only {body.Length} bytes");
        Assert.True(app.List.TryGetHistory("long", out var history));
        Assert.Equal(JsonSerializer.Serialize(WireMapping.ToWire(history, ServerTime(body)), PmJsonContext.Default.HistoryResponse), body);
    }

    private static DateTimeOffset ServerTime(string body) =>
        DateTimeOffset.Parse(ProcessListEndpointTests.Json(body).GetProperty("serverTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Options_ListingLimits_HaveTheirDefaultsAndAreValidatedWhenSet()
    {
        var options = new ProcessListEndpointOptions();

        Assert.Equal(16, options.MaxConcurrentListings);
        Assert.Equal(16 * 1024.0, options.MinListingDataRate?.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MinListingDataRate?.GracePeriod);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => options.MaxConcurrentListings = 0);
        options.MinListingDataRate = null;
        Assert.Null(options.MinListingDataRate);
    }
}
