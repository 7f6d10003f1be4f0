using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pm.AspNetCore.Internal;

/// <summary>Writes a JSON answer that may be large (a listing, the finished tasks, a history) in chunks as it is produced.</summary>
/// <remarks>
/// <para>
/// The JSON goes into one pooled buffer; each time it holds <see cref="ChunkSize"/> bytes they are written to the
/// response and flushed before anything more is produced, so an answer holds a chunk and the server's output buffer
/// whatever its size, and a client that reads slowly slows its own answer only.
/// </para>
/// <para>
/// An answer that fits in its first chunk is sent whole, with a <c>Content-Length</c>. One that outgrows it must first
/// take one of <see cref="ProcessListEndpointOptions.MaxConcurrentListings"/> places, or is answered 503 with
/// <c>Retry-After</c> instead; then it is sent chunked, and cut off (its connection aborted) when the client reads it
/// slower than <see cref="ProcessListEndpointOptions.MinListingDataRate"/>.
/// </para>
/// </remarks>
internal sealed class ListingBody : IBufferWriter<byte>, IDisposable
{
    /// <summary>The size of the chunks written to the response, as the live stream's.</summary>
    public const int ChunkSize = 16 * 1024;

    private readonly HttpContext _context;
    private readonly ListingSlots _slots;
    private readonly MinDataRate? _rate;
    private readonly TimeProvider _time;
    private byte[] _buffer;
    private int _written;
    private bool _started;
    private bool _holdsSlot;
    private long _sent;
    private long _startedAt;
    private ITimer? _stall;

    public ListingBody(HttpContext context, ListingSlots slots, MinDataRate? rate, TimeProvider time)
    {
        _context = context;
        _slots = slots;
        _rate = rate;
        _time = time;
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 1024);
        Json = new Utf8JsonWriter(this);
    }

    /// <summary>Gets the writer of the answer's JSON.</summary>
    public Utf8JsonWriter Json { get; }

    /// <summary>Sends what was written if it makes a chunk; <see langword="false"/> when the answer ends here (refused or cut off).</summary>
    public ValueTask<bool> CommitAsync() =>
        _written + Json.BytesPending < ChunkSize ? ValueTask.FromResult(true) : SendAsync(final: false);

    /// <summary>Sends the rest of the answer; <see langword="false"/> when it was refused or cut off.</summary>
    public ValueTask<bool> CompleteAsync() => SendAsync(final: true);

    /// <summary>Writes bytes that are JSON already, after what <see cref="Json"/> has written.</summary>
    public void WriteRaw(ReadOnlySpan<byte> json)
    {
        Json.Flush();
        json.CopyTo(GetSpan(json.Length));
        Advance(json.Length);
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Dispose()
    {
        Json.Dispose();
        _stall?.Dispose();
        if (_holdsSlot)
        {
            _holdsSlot = false;
            _slots.Exit();
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    // One value larger than a chunk (a task with huge attributes, a whole history) grows the buffer for a while.
    private void Reserve(int sizeHint)
    {
        if (_buffer.Length - _written >= Math.Max(sizeHint, 256))
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint + 256));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    private async ValueTask<bool> SendAsync(bool final)
    {
        Json.Flush();
        var response = _context.Response;
        if (!_started)
        {
            if (final && _written <= ChunkSize)
            {
                response.ContentLength = _written;
            }
            else if (_slots.TryEnter())
            {
                _holdsSlot = true;
            }
            else
            {
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers.RetryAfter = "1";

                // A crowd of refused clients then holds no connections either.
                if (HttpProtocol.IsHttp11(_context.Request.Protocol) || HttpProtocol.IsHttp10(_context.Request.Protocol))
                {
                    response.Headers.Connection = "close";
                }

                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync(
                    string.Create(CultureInfo.InvariantCulture, $"{_slots.Limit} large answers are being written, the most at once; retry later\n"),
                    _context.RequestAborted).ConfigureAwait(false);
                return false;
            }

            _started = true;
            _startedAt = _time.GetTimestamp();
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
        }

        var body = response.BodyWriter;
        for (var offset = 0; offset < _written; offset += ChunkSize)
        {
            var chunk = _buffer.AsSpan(offset, Math.Min(ChunkSize, _written - offset));
            body.Write(chunk);
            _sent += chunk.Length;
            if (!await FlushAsync().ConfigureAwait(false))
            {
                return false;
            }
        }

        _written = 0;

        // Whatever the size of a value, the buffer goes back to a chunk's size once it is sent.
        if (_buffer.Length > 2 * ChunkSize)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 1024);
        }

        return true;
    }

    private async ValueTask<bool> FlushAsync()
    {
        try
        {
            var flush = _context.Response.BodyWriter.FlushAsync(_context.RequestAborted);
            if (!flush.IsCompleted && _rate is { } rate)
            {
                // A flush waits only while the client does not read; it may wait until the answer so far is late at the
                // minimum rate, counted from its first byte after the grace period.
                var allowed = rate.GracePeriod + TimeSpan.FromSeconds(_sent / rate.BytesPerSecond) - _time.GetElapsedTime(_startedAt);
                _stall ??= _time.CreateTimer(static state => ((HttpContext)state!).Abort(), _context, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _stall.Change(allowed > TimeSpan.Zero ? allowed : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }

            var result = await flush.ConfigureAwait(false);
            _stall?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return !result.IsCompleted && !result.IsCanceled;
        }
        catch (OperationCanceledException)
        {
            // The client went away, or was cut off.
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
