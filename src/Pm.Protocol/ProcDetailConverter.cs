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
    private static readonly JsonEncodedText Alert = JsonEncodedText.Encode("alert");
    private static readonly JsonEncodedText Progress = JsonEncodedText.Encode("progress");
    private static readonly JsonEncodedText Deadline = JsonEncodedText.Encode("deadline");
    private static readonly JsonEncodedText Done = JsonEncodedText.Encode("done");
    private static readonly JsonEncodedText Total = JsonEncodedText.Encode("total");
    private static readonly JsonEncodedText Unit = JsonEncodedText.Encode("unit");
    private static readonly JsonEncodedText Remaining = JsonEncodedText.Encode("remaining");
    private static readonly AttributeMapConverter AttributeConverter = new();
    private static readonly RfcTimeConverter TimeConverter = new();

    /// <inheritdoc />
    public override ProcDetail Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object for a process.");
        }

        string? id = null, status = null, traceId = null, alert = null;
        ProcProgress? progress = null;
        DateTimeOffset? deadline = null;
        AttributeMap? attrs = null;
        DateTimeOffset procTime = default, statusTime = default;
        bool cancelling = false, forbidCancel = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            // Names are matched in place, and the two alert values shared: a listing of many tasks allocates only its values.
            var field = Field(ref reader);
            reader.Read();
            switch (field)
            {
                case 1: id = reader.GetString(); break;
                case 2: attrs = reader.TokenType == JsonTokenType.Null ? null : AttributeConverter.Read(ref reader, typeof(AttributeMap), options); break;
                case 3: procTime = TimeConverter.Read(ref reader, typeof(DateTimeOffset), options); break;
                case 4: statusTime = TimeConverter.Read(ref reader, typeof(DateTimeOffset), options); break;
                case 5: status = reader.GetString(); break;
                case 6: cancelling = reader.GetBoolean(); break;
                case 7: forbidCancel = reader.GetBoolean(); break;
                case 8: traceId = reader.GetString(); break;
                case 9: alert = reader.ValueTextEquals("slow"u8) ? "slow" : reader.ValueTextEquals("hung"u8) ? "hung" : reader.GetString(); break;
                case 10: progress = reader.TokenType == JsonTokenType.Null ? null : ReadProgress(ref reader); break;
                case 11: deadline = reader.TokenType == JsonTokenType.Null ? null : TimeConverter.Read(ref reader, typeof(DateTimeOffset), options); break;
                default: reader.Skip(); break;
            }
        }

        return new ProcDetail(id ?? throw new JsonException("A process has no id."), attrs, procTime, statusTime, status ?? string.Empty, cancelling)
        {
            ForbidCancel = forbidCancel,
            TraceId = traceId,
            Alert = alert,
            Progress = progress,
            Deadline = deadline,
        };
    }

    private static int Field(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? 1
        : reader.ValueTextEquals("attrs"u8) ? 2
        : reader.ValueTextEquals("procTime"u8) ? 3
        : reader.ValueTextEquals("statusTime"u8) ? 4
        : reader.ValueTextEquals("status"u8) ? 5
        : reader.ValueTextEquals("cancelling"u8) ? 6
        : reader.ValueTextEquals("forbidCancel"u8) ? 7
        : reader.ValueTextEquals("traceId"u8) ? 8
        : reader.ValueTextEquals("alert"u8) ? 9
        : reader.ValueTextEquals("progress"u8) ? 10
        : reader.ValueTextEquals("deadline"u8) ? 11
        : 0;

    private static ProcProgress ReadProgress(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object for a progress report.");
        }

        long done = 0;
        long? total = null;
        string? unit = null;
        double? remaining = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "done": done = reader.GetInt64(); break;
                case "total": total = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64(); break;
                case "unit": unit = reader.GetString(); break;
                case "remaining": remaining = reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble(); break;
                default: reader.Skip(); break;
            }
        }

        return new ProcProgress(done, total, unit, remaining);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ProcDetail value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteProc(writer, value.Id, value.Attrs?.Json is null ? value.Attrs?.Items ?? [] : [], value.ProcTime, value.StatusTime, value.Status, value.Cancelling, value.ForbidCancel, value.TraceId, options, value.Alert, value.Progress, value.Deadline, value.Attrs?.Json);
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
        JsonSerializerOptions options,
        string? alert = null,
        ProcProgress? progress = null,
        DateTimeOffset? deadline = null,
        byte[]? attributesJson = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> time = stackalloc byte[32];
        writer.WriteStartObject();
        writer.WriteString(Id, id);
        if (attributesJson is not null)
        {
            // Attributes read from the wire go back as they came.
            writer.WritePropertyName(Attrs);
            writer.WriteRawValue(attributesJson, skipInputValidation: true);
        }
        else if (!attributes.IsDefaultOrEmpty)
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

        if (alert is not null)
        {
            writer.WriteString(Alert, alert);
        }

        if (progress is not null)
        {
            writer.WriteStartObject(Progress);
            writer.WriteNumber(Done, progress.Done);
            if (progress.Total is { } total)
            {
                writer.WriteNumber(Total, total);
            }

            if (progress.Unit is not null)
            {
                writer.WriteString(Unit, progress.Unit);
            }

            if (progress.Remaining is { } remaining && double.IsFinite(remaining))
            {
                writer.WriteNumber(Remaining, Math.Round(remaining, 3));
            }

            writer.WriteEndObject();
        }

        if (deadline is { } due)
        {
            writer.WriteString(Deadline, RfcTimeConverter.Format(due, time));
        }

        writer.WriteEndObject();
    }
}
