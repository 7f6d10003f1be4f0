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
        writer.WriteStartObject();
        writer.WriteStartArray(Procs);
        foreach (var task in tasks)
        {
            WireMapping.WriteProc(writer, task);
        }

        writer.WriteEndArray();
        writer.WriteString(ServerTime, RfcTimeConverter.Format(serverTime, stackalloc byte[32]));
        writer.WriteEndObject();
    }
}
