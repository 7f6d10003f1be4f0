using System.Buffers;
using System.Text;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>The fixed parts of the live stream's Server-Sent Events.</summary>
internal static class EventFormat
{
    /// <summary>Opens a <c>snapshot</c> event, whose data is a <c>GET /procs/</c> body.</summary>
    public static readonly byte[] SnapshotStart = Encoding.UTF8.GetBytes("event: snapshot\ndata: {\"procs\":[");

    /// <summary>A comment that keeps idle connections open through proxies.</summary>
    public static readonly byte[] KeepAlive = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    /// <summary>The last event to a subscriber that fell too far behind.</summary>
    public static readonly byte[] Dropped = Encoding.UTF8.GetBytes("event: dropped\ndata: {\"reason\":\"the subscriber fell too far behind\"}\n\n");

    /// <summary>The last event to a subscriber whose idle slot another subscriber took.</summary>
    public static readonly byte[] Replaced = Encoding.UTF8.GetBytes("event: evicted\ndata: {\"reason\":\"another subscriber needed the slot of this idle one; reconnect\"}\n\n");

    /// <summary>The last event to a subscriber connected for the idle timeout.</summary>
    public static readonly byte[] IdleTimeout = Encoding.UTF8.GetBytes("event: evicted\ndata: {\"reason\":\"connected for the idle timeout; reconnect\"}\n\n");

    private static readonly byte[] SnapshotTimeStart = Encoding.UTF8.GetBytes("],\"serverTime\":\"");
    private static readonly byte[] SnapshotTimeEnd = Encoding.UTF8.GetBytes("\"}\n\n");

    /// <summary>Closes a <c>snapshot</c> event.</summary>
    public static void WriteSnapshotEnd(IBufferWriter<byte> writer, DateTimeOffset serverTime)
    {
        writer.Write(SnapshotTimeStart);
        writer.Write(RfcTimeConverter.Format(serverTime, stackalloc byte[32]));
        writer.Write(SnapshotTimeEnd);
    }

    /// <summary>Writes a whole <c>snapshot</c> event at once, to be shared by every subscriber.</summary>
    public static byte[] Snapshot(EventView.Entry[] entries, DateTimeOffset serverTime)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(SnapshotStart);
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(entries[i].Json);
        }

        WriteSnapshotEnd(buffer, serverTime);
        return buffer.WrittenSpan.ToArray();
    }
}
