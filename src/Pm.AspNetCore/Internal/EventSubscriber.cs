using System.Threading.Channels;

namespace Pm.AspNetCore.Internal;

/// <summary>One subscriber of the live stream: the frames waiting to be written to it, bounded in bytes.</summary>
/// <remarks>
/// Frames are shared by every subscriber; a subscriber holds only references to them. One whose waiting frames pass
/// the limit is dropped and lets go of them at once, so a client that stops reading costs the server next to nothing.
/// A frame is always accepted when none is waiting, so a frame larger than the limit never drops a reader that keeps up.
/// </remarks>
internal sealed class EventSubscriber(long limit, string client, long joined)
{
    private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });
    private long _pending;
    private byte[]? _last;

    /// <summary>Gets who subscribed: the authenticated user, else the remote address.</summary>
    public string Client => client;

    /// <summary>Gets the timestamp, of the hub's time provider, when the subscriber joined.</summary>
    public long Joined => joined;

    /// <summary>Gets the event that tells the subscriber why the server ended its stream (dropped, evicted); none when it ended otherwise.</summary>
    public byte[]? LastEvent => Volatile.Read(ref _last);

    /// <summary>Queues a frame, or drops the subscriber if too many bytes are already waiting.</summary>
    public void Post(byte[] frame)
    {
        if (LastEvent is not null)
        {
            return;
        }

        var pending = Interlocked.Add(ref _pending, frame.Length);
        if (pending > limit && pending != frame.Length)
        {
            Close(EventFormat.Dropped);
            return;
        }

        _frames.Writer.TryWrite(frame);
    }

    /// <summary>Takes the oldest waiting frame.</summary>
    public bool TryRead(out byte[] frame)
    {
        if (_frames.Reader.TryRead(out frame!))
        {
            Interlocked.Add(ref _pending, -frame.Length);
            return true;
        }

        return false;
    }

    /// <summary>Waits until a frame is waiting; <see langword="false"/> once the subscriber was dropped, evicted or ended.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Ends the subscription without a last event, as when the stream stops.</summary>
    public void End() => _frames.Writer.TryComplete();

    /// <summary>Ends the subscription with an <c>evicted</c> event: its slot went to another subscriber, or it was idle too long.</summary>
    public void Evict(byte[] evicted) => Close(evicted);

    // The first reason wins; the frames still waiting are let go at once, since the client reconnects to a new snapshot.
    private void Close(byte[] last)
    {
        if (Interlocked.CompareExchange(ref _last, last, null) is null)
        {
            _frames.Writer.TryComplete();
            while (_frames.Reader.TryRead(out _))
            {
            }
        }
    }
}
