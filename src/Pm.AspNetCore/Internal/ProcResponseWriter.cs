using System.Text.Json;
using Pm.Protocol;

namespace Pm.AspNetCore.Internal;

/// <summary>Writes the body of <c>GET /procs/</c> straight from task snapshots, with no intermediate wire objects.</summary>
/// <remarks>The output is exactly what serializing a <see cref="ProcResponse"/> with <see cref="PmJsonContext"/> produces.</remarks>
internal static class ProcResponseWriter
{
    private static readonly JsonEncodedText Procs = JsonEncodedText.Encode("procs");
    private static readonly JsonEncodedText ServerTime = JsonEncodedText.Encode("serverTime");

    /// <summary>Writes <c>{"procs":[…],"serverTime":…}</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="tasks">The running tasks to list.</param>
    /// <param name="serverTime">The server's time.</param>
    public static void Write(Utf8JsonWriter writer, IEnumerable<TaskSnapshot> tasks, DateTimeOffset serverTime)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tasks);
        WriteStart(writer);
        foreach (var task in tasks)
        {
            WireMapping.WriteProc(writer, task);
        }

        WriteEnd(writer, serverTime);
    }

    /// <summary>Writes <c>{"procs":[…],"serverTime":…}</c> to a response, a chunk at a time.</summary>
    /// <param name="body">The response's body.</param>
    /// <param name="tasks">The running tasks to list.</param>
    /// <param name="serverTime">The server's time.</param>
    /// <returns><see langword="false"/> when the answer was refused or cut off.</returns>
    public static async Task<bool> WriteAsync(ListingBody body, IEnumerable<TaskSnapshot> tasks, DateTimeOffset serverTime)
    {
        WriteStart(body.Json);
        foreach (var task in tasks)
        {
            WireMapping.WriteProc(body.Json, task);
            if (!await body.CommitAsync().ConfigureAwait(false))
            {
                return false;
            }
        }

        WriteEnd(body.Json, serverTime);
        return await body.CompleteAsync().ConfigureAwait(false);
    }

    private static void WriteStart(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray(Procs);
    }

    private static void WriteEnd(Utf8JsonWriter writer, DateTimeOffset serverTime)
    {
        writer.WriteEndArray();
        writer.WriteString(ServerTime, RfcTimeConverter.Format(serverTime, stackalloc byte[32]));
        writer.WriteEndObject();
    }
}
