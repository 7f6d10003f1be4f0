using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Converts a <see cref="ProcDetail"/> by hand: listings of thousands of tasks are the protocol's hot path.</summary>
internal sealed class ProcDetailConverter : JsonConverter<ProcDetail>
{
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Attrs = JsonEncodedText.Encode("attrs");
    private static readonly JsonEncodedText ProcTime = JsonEncodedText.Encode("procTime");
    private static readonly JsonEncodedText StatusTime = JsonEncodedText.Encode("statusTime");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Cancelling = JsonEncodedText.Encode("cancelling");
    private static readonly JsonEncodedText ForbidCancel = JsonEncodedText.Encode("forbidCancel");
    private static readonly JsonEncodedText TraceId = JsonEncodedText.Encode("traceId");
    private static readonly AttributeMapConverter AttributeConverter = new();
    private static readonly RfcTimeConverter TimeConverter = new();

    /// <inheritdoc />
    public override ProcDetail Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object for a process.");
        }

        string? id = null, status = null, traceId = null;
        AttributeMap? attrs = null;
        DateTimeOffset procTime = default, statusTime = default;
        bool cancelling = false, forbidCancel = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "id": id = reader.GetString(); break;
                case "attrs": attrs = reader.TokenType == JsonTokenType.Null ? null : AttributeConverter.Read(ref reader, typeof(AttributeMap), options); break;
                case "procTime": procTime = TimeConverter.Read(ref reader, typeof(DateTimeOffset), options); break;
                case "statusTime": statusTime = TimeConverter.Read(ref reader, typeof(DateTimeOffset), options); break;
                case "status": status = reader.GetString(); break;
                case "cancelling": cancelling = reader.GetBoolean(); break;
                case "forbidCancel": forbidCancel = reader.GetBoolean(); break;
                case "traceId": traceId = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }

        return new ProcDetail(id ?? throw new JsonException("A process has no id."), attrs, procTime, statusTime, status ?? string.Empty, cancelling)
        {
            ForbidCancel = forbidCancel,
            TraceId = traceId,
        };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ProcDetail value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteProc(writer, value.Id, value.Attrs?.Items ?? [], value.ProcTime, value.StatusTime, value.Status, value.Cancelling, value.ForbidCancel, value.TraceId, options);
    }

    /// <summary>Writes a task in the wire form of a <see cref="ProcDetail"/>, from its parts.</summary>
    internal static void WriteProc(
        Utf8JsonWriter writer,
        string id,
        System.Collections.Immutable.ImmutableArray<KeyValuePair<string, object?>> attributes,
        DateTimeOffset procTime,
        DateTimeOffset statusTime,
        string status,
        bool cancelling,
        bool forbidCancel,
        string? traceId,
        JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> time = stackalloc byte[32];
        writer.WriteStartObject();
        writer.WriteString(Id, id);
        if (!attributes.IsDefaultOrEmpty)
        {
            writer.WritePropertyName(Attrs);
            AttributeMapConverter.WriteObject(writer, attributes, options);
        }

        writer.WriteString(ProcTime, RfcTimeConverter.Format(procTime, time));
        writer.WriteString(StatusTime, RfcTimeConverter.Format(statusTime, time));
        writer.WriteString(Status, status);
        if (cancelling)
        {
            writer.WriteBoolean(Cancelling, true);
        }

        if (forbidCancel)
        {
            writer.WriteBoolean(ForbidCancel, true);
        }

        if (traceId is not null)
        {
            writer.WriteString(TraceId, traceId);
        }

        writer.WriteEndObject();
    }
}
