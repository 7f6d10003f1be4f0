using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Pm.AspNetCore.Tests;

/// <summary>
/// The live stream's slots against readers that never let go: clients on distinct loopback addresses (127.0.0.2, …),
/// each a client of its own to the server, so per-client limits and eviction are seen as they are in production.
/// </summary>
public sealed class EventSlotsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A client that sends its request and then nothing, reading only the status line: from then on it never reads again.
    private static async Task<Socket> SilentReaderAsync(Uri address, string from)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /procs/?view=events HTTP/1.1\r\nHost: pm\r\nAccept: text/event-stream\r\n\r\n"), Ct);
        var status = new byte[12];
        for (var read = 0; read < status.Length;)
        {
            var n = await socket.ReceiveAsync(status.AsMemory(read), Ct);
            Assert.True(n > 0, "the server closed the connection");
            read += n;
        }

        Assert.Equal("HTTP/1.1 200", Encoding.ASCII.GetString(status));
        return socket;
    }

    // Reads what the server sends until the text appears; false if the connection ends first.
    private static async Task<bool> ReceivesAsync(Socket socket, string text)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, deadline.Token);
            if (n == 0)
            {
                return false;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            if (received.ToString().Contains(text, StringComparison.Ordinal))
            {
                return true;
            }
        }
    }

    // An HTTP client whose connections come from the given loopback address.
    private static HttpClient ClientFrom(Uri address, string from) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = address };

    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> SubscribeAsync(HttpClient client)
    {
        var response = await client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.Equal("snapshot", (await EventStreamTests.NextAsync(reader)).Name);
        return (response, reader);
    }

    [Fact]
    public async Task Events_SlotsFullOfReadersThatNeverRead_OperatorStillGetsIn()
    {
        // Four hosts take every slot with readers that never read past the status line and never send: each stream
        // stalls in its snapshot, and the write timeout is far off.
        await using var app = await TestApp.StartWithProcsAsync(o =>
        {
            o.MaxEventSubscribers = 8;
            o.EventIdleAfter = TimeSpan.Zero;
            o.EventWriteTimeout = TimeSpan.FromMinutes(5);
        });
        var tasks = Enumerable.Range(0, 200).Select(i => app.List.Start("task-" + i, [new("payload", new string('a', 4096))])).ToList();
        var silent = new List<Socket>();
        try
        {
            for (var host = 2; host <= 5; host++)
            {
                silent.Add(await SilentReaderAsync(app.Address, $"127.0.0.{host}"));
                silent.Add(await SilentReaderAsync(app.Address, $"127.0.0.{host}"));
            }

            // The operator gets the stream, in full, at once.
            var (response, reader) = await SubscribeAsync(app.Client);
            response.Dispose();
            reader.Dispose();

            // Its slot was the oldest reader's: once it reads again, the rest of its snapshot ends with the reason.
            Assert.True(await ReceivesAsync(silent[0], "event: evicted\ndata: {\"reason\":"), "the evicted reader was not told why");
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
            tasks.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task Events_OneClient_HoldsAtMostItsShare()
    {
        await using var app = await TestApp.StartWithProcsAsync(o => o.MaxEventSubscribers = 8);
        using var greedy = ClientFrom(app.Address, "127.0.0.2");
        using var other = ClientFrom(app.Address, "127.0.0.3");
        var (r1, s1) = await SubscribeAsync(greedy);
        var (r2, s2) = await SubscribeAsync(greedy);
        using (r1)
        using (s1)
        using (r2)
        using (s2)
        {
            // A quarter of the slots, rounded up, is this client's share.
            using var refused = await greedy.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("this client follows the live stream 2 times already", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

            // Another host still gets in, and its neighbours keep their streams.
            var (r3, s3) = await SubscribeAsync(other);
            r3.Dispose();
            s3.Dispose();
        }
    }

    [Fact]
    public async Task Events_AllSlotsTaken_IdlestOfTheBiggestClientIsEvictedAndTold()
    {
        await using var app = await TestApp.StartWithProcsAsync(o =>
        {
            o.MaxEventSubscribers = 3;
            o.MaxEventSubscribersPerClient = 2;
            o.EventIdleAfter = TimeSpan.Zero;
        });
        using var small = ClientFrom(app.Address, "127.0.0.2");
        using var big = ClientFrom(app.Address, "127.0.0.3");
        var (r1, lone) = await SubscribeAsync(small);
        var (r2, older) = await SubscribeAsync(big);
        var (r3, newer) = await SubscribeAsync(big);
        using (r1)
        using (lone)
        using (r2)
        using (older)
        using (r3)
        using (newer)
        {
            // The lone subscriber is the oldest, but the host with two goes first, its longest connected.
            var (r4, operatorStream) = await SubscribeAsync(app.Client);
            r4.Dispose();
            operatorStream.Dispose();

            var (name, data) = await EventStreamTests.NextAsync(older).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.Equal("evicted", name);
            Assert.Contains("reconnect", data, StringComparison.Ordinal);
            Assert.True(string.IsNullOrWhiteSpace(await older.ReadToEndAsync(Ct)), "the stream goes on after evicting");
        }
    }

    [Fact]
    public async Task Events_NoSubscriberIdle_NewSubscriberGets503ThenIdleOneIsReplaced()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(
            a => a.MapProcessList("/procs", o => o.MaxEventSubscribers = 1),
            s => s.AddSingleton<TimeProvider>(time));
        using var first = ClientFrom(app.Address, "127.0.0.2");
        var (r1, stream) = await SubscribeAsync(first);
        using (r1)
        using (stream)
        {
            // Connected for less than a minute: not idle, so its slot is not for the taking.
            time.Advance(TimeSpan.FromSeconds(59));
            using (var refused = await app.Client.GetAsync("procs/?view=events", HttpCompletionOption.ResponseHeadersRead, Ct))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Contains("maximum of 1 subscribers, none idle", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            }

            time.Advance(TimeSpan.FromSeconds(1));
            var (r2, operatorStream) = await SubscribeAsync(app.Client);
            r2.Dispose();
            operatorStream.Dispose();
            Assert.Equal("evicted", (await EventStreamTests.NextAsync(stream).WaitAsync(TimeSpan.FromSeconds(20), Ct)).Name);
        }
    }

    [Fact]
    public async Task Events_SubscriberPastIdleTimeout_IsEvictedAndToldWhy()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(
            a => a.MapProcessList("/procs", o => o.EventIdleTimeout = TimeSpan.FromMinutes(10)),
            s => s.AddSingleton<TimeProvider>(time));
        var (response, reader) = await SubscribeAsync(app.Client);
        using (response)
        using (reader)
        {
            time.Advance(TimeSpan.FromMinutes(10));
            string name;
            string data;
            do
            {
                // Bounded: a stream that is never evicted fails here, rather than waiting for the keep-alive forever.
                (name, data) = await EventStreamTests.NextAsync(reader).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            }
            while (name != "evicted");

            Assert.Contains("idle timeout", data, StringComparison.Ordinal);
            Assert.True(string.IsNullOrWhiteSpace(await reader.ReadToEndAsync(Ct)), "the stream goes on after evicting");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void MaxEventSubscribersPerClient_LessThanOne_Throws(int value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessListEndpointOptions { MaxEventSubscribersPerClient = value });

    [Fact]
    public void MaxEventSubscribersPerClient_Default_IsAQuarterOfTheSlotsRoundedUp()
    {
        Assert.Equal(25, new ProcessListEndpointOptions().MaxEventSubscribersPerClient);
        Assert.Equal(2, new ProcessListEndpointOptions { MaxEventSubscribers = 5 }.MaxEventSubscribersPerClient);
        Assert.Equal(1, new ProcessListEndpointOptions { MaxEventSubscribers = 1 }.MaxEventSubscribersPerClient);
    }

    [Fact]
    public void EventIdleOptions_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessListEndpointOptions { EventIdleAfter = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessListEndpointOptions { EventIdleTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessListEndpointOptions { EventIdleTimeout = TimeSpan.FromDays(2) });
    }
}
