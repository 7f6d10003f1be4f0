using System.Text.Json;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>Writes the body of <c>GET /procs/&lt;id&gt;/history</c> one entry at a time.</summary>
/// <remarks>
/// The output is exactly what serializing the <see cref="HistoryResponse"/> with <see cref="PmJsonContext"/> produces:
/// the entries are written between the two halves of the serializer's own output for the history without entries,
/// <c>{"history":[</c> and <c>],"serverTime":…}</c>, since <c>history</c> is the record's first property.
/// </remarks>
internal static class HistoryResponseWriter
{
    private static readonly int Split = "{\"history\":["u8.Length;

    /// <summary>Writes a task's history to a response, a chunk at a time.</summary>
    /// <param name="body">The response's body.</param>
    /// <param name="history">The history.</param>
    /// <param name="serverTime">The server's time.</param>
    /// <returns><see langword="false"/> when the answer was refused or cut off.</returns>
    public static async Task<bool> WriteAsync(ListingBody body, TaskHistory history, DateTimeOffset serverTime)
    {
        var frame = JsonSerializer.SerializeToUtf8Bytes(WireMapping.ToWire(history, serverTime, []), PmJsonContext.Default.HistoryResponse);
        body.WriteRaw(frame.AsSpan(0, Split));
        var entries = history.Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                body.WriteRaw(","u8);
            }

            body.Json.Reset();
            JsonSerializer.Serialize(body.Json, WireMapping.ToWire(entries[i]), PmJsonContext.Default.HistoryDetail);
            if (!await body.CommitAsync().ConfigureAwait(false))
            {
                return false;
            }
        }

        body.WriteRaw(frame.AsSpan(Split));
        return await body.CompleteAsync().ConfigureAwait(false);
    }
}
