using System.Text.Json;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>Writes the body of <c>GET /procs/?view=finished</c> one finished task at a time.</summary>
/// <remarks>The output is exactly what serializing a <see cref="FinishedResponse"/> with <see cref="PmJsonContext"/> produces.</remarks>
internal static class FinishedResponseWriter
{
    private static readonly JsonEncodedText Finished = JsonEncodedText.Encode("finished");
    private static readonly JsonEncodedText ServerTime = JsonEncodedText.Encode("serverTime");

    /// <summary>Writes <c>{"finished":[…],"serverTime":…}</c> to a response, a chunk at a time.</summary>
    /// <param name="body">The response's body.</param>
    /// <param name="finished">The finished tasks, newest first.</param>
    /// <param name="serverTime">The server's time.</param>
    /// <returns><see langword="false"/> when the answer was refused or cut off.</returns>
    public static async Task<bool> WriteAsync(ListingBody body, IEnumerable<TaskHistory> finished, DateTimeOffset serverTime)
    {
        body.Json.WriteStartObject();
        body.Json.WriteStartArray(Finished);
        foreach (var history in finished)
        {
            JsonSerializer.Serialize(body.Json, WireMapping.ToWire(history, serverTime), PmJsonContext.Default.HistoryResponse);
            if (!await body.CommitAsync().ConfigureAwait(false))
            {
                return false;
            }
        }

        WriteEnd(body.Json, serverTime);
        return await body.CompleteAsync().ConfigureAwait(false);
    }

    private static void WriteEnd(Utf8JsonWriter writer, DateTimeOffset serverTime)
    {
        writer.WriteEndArray();
        writer.WriteString(ServerTime, RfcTimeConverter.Format(serverTime, stackalloc byte[32]));
        writer.WriteEndObject();
    }
}
