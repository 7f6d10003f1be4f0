using System.Threading.Channels;

namespace Pm.AspNetCore.Internal;

/// <summary>One subscriber of the live stream: the frames waiting to be written to it, bounded in bytes.</summary>
/// <remarks>
/// Frames are shared by every subscriber; a subscriber holds only references to them. One whose waiting frames pass
/// the limit is dropped and lets go of them at once, so a client that stops reading costs the server next to nothing.
/// A frame is always accepted when none is waiting, so a frame larger than the limit never drops a reader that keeps up.
/// </remarks>
internal sealed class EventSubscriber(long limit)
{
    private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });
    private long _pending;
    private int _dropped;

    /// <summary>Gets a value indicating whether the subscriber fell too far behind and was dropped.</summary>
    public bool IsDropped => Volatile.Read(ref _dropped) != 0;

    /// <summary>Queues a frame, or drops the subscriber if too many bytes are already waiting.</summary>
    public void Post(byte[] frame)
    {
        if (IsDropped)
        {
            return;
        }

        var pending = Interlocked.Add(ref _pending, frame.Length);
        if (pending > limit && pending != frame.Length)
        {
            Drop();
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

    /// <summary>Waits until a frame is waiting; <see langword="false"/> once the subscriber was dropped or ended.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Ends the subscription without dropping it, as when the stream stops.</summary>
    public void End() => _frames.Writer.TryComplete();

    private void Drop()
    {
        if (Interlocked.Exchange(ref _dropped, 1) == 0)
        {
            _frames.Writer.TryComplete();
            while (_frames.Reader.TryRead(out _))
            {
            }
        }
    }
}
