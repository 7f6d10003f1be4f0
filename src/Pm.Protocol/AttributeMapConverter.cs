using System.Collections.Immutable;
using System.Globalization;
using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Converts an <see cref="AttributeMap"/>, writing values of any type without ever failing the document.</summary>
internal sealed class AttributeMapConverter : JsonConverter<AttributeMap>
{
    private static readonly RfcTimeConverter Time = new();
    private static readonly JsonSerializerOptions ReflectionOptions = new() { MaxDepth = 16 };

    /// <inheritdoc />
    public override AttributeMap Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected a JSON object of attributes.");
        }

        // Only the object's JSON is kept, its values parsed when first asked for (AttributeMap.Items). The tokens are
        // copied as they are read — strings still escaped, numbers as written, without whitespace — which costs a
        // third of building a document to copy it out of.
        var json = new JsonCopy(stackalloc byte[256]);
        try
        {
            var depth = reader.CurrentDepth;
            var separate = false;
            json.Append((byte)'{');
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        json.Append(reader.TokenType == JsonTokenType.EndObject ? (byte)'}' : (byte)']');
                        if (reader.CurrentDepth == depth)
                        {
                            return AttributeMap.FromJson(json.ToArray());
                        }

                        separate = true;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        json.Separate(separate);
                        json.Append(reader.TokenType == JsonTokenType.StartObject ? (byte)'{' : (byte)'[');
                        separate = false;
                        break;
                    case JsonTokenType.PropertyName:
                        json.Separate(separate);
                        json.AppendQuoted(Raw(ref reader));
                        json.Append((byte)':');
                        separate = false;
                        break;
                    case JsonTokenType.String:
                        json.Separate(separate);
                        json.AppendQuoted(Raw(ref reader));
                        separate = true;
                        break;
                    case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null:
                        json.Separate(separate);
                        json.Append(Raw(ref reader));
                        separate = true;
                        break;
                    default:
                        break;
                }
            }

            throw new JsonException("The object of attributes is not complete.");
        }
        finally
        {
            json.Dispose();
        }
    }

    // The token as it was written: a string's bytes between its quotes, escapes kept.
    private static ReadOnlySpan<byte> Raw(ref Utf8JsonReader reader) =>
        reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;

    /// <summary>Builds a small JSON text on the stack, moving to a pooled array when it outgrows it.</summary>
    private ref struct JsonCopy(Span<byte> initial)
    {
        private Span<byte> _buffer = initial;
        private byte[]? _rented;
        private int _length;

        public void Append(byte value)
        {
            Room(1);
            _buffer[_length++] = value;
        }

        public void Separate(bool needed)
        {
            if (needed)
            {
                Append((byte)',');
            }
        }

        public void AppendQuoted(ReadOnlySpan<byte> value)
        {
            Append((byte)'"');
            Append(value);
            Append((byte)'"');
        }

        public void Append(ReadOnlySpan<byte> value)
        {
            Room(value.Length);
            value.CopyTo(_buffer[_length..]);
            _length += value.Length;
        }

        public readonly byte[] ToArray() => _buffer[.._length].ToArray();

        public void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<byte>.Shared.Return(_rented);
                _rented = null;
            }
        }

        private void Room(int more)
        {
            if (_length + more <= _buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
            _buffer[.._length].CopyTo(larger);
            Dispose();
            _rented = larger;
            _buffer = larger;
        }
    }

    /// <summary>Parses a JSON object of attributes into its values, which share one document.</summary>
    internal static ImmutableArray<KeyValuePair<string, object?>> Parse(byte[] json)
    {
        // Checked when read, within the reader's depth; this parse only builds the values.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4096 });
        reader.Read();
        var attributes = JsonElement.ParseValue(ref reader);
        var items = ImmutableArray.CreateBuilder<KeyValuePair<string, object?>>(attributes.GetPropertyCount());
        foreach (var property in attributes.EnumerateObject())
        {
            items.Add(new(property.Name, property.Value));
        }

        return items.MoveToImmutable();
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, AttributeMap value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteMap(writer, value, options);
    }

    /// <summary>Writes a map: as the JSON it was read from, if it was read, else from its values.</summary>
    internal static void WriteMap(Utf8JsonWriter writer, AttributeMap value, JsonSerializerOptions options)
    {
        if (value.Json is { } json)
        {
            writer.WriteRawValue(json, skipInputValidation: true);
            return;
        }

        WriteObject(writer, value.Items, options);
    }

    /// <summary>Writes attributes as a JSON object of names to values.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="attributes">The attributes.</param>
    /// <param name="options">The serializer options in use.</param>
    public static void WriteObject(Utf8JsonWriter writer, ImmutableArray<KeyValuePair<string, object?>> attributes, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        foreach (var (name, item) in attributes)
        {
            writer.WritePropertyName(name);
            WriteValue(writer, item, options);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes one attribute value: JSON primitives as themselves, other objects as JSON if they serialize, else as their string form.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">The serializer options in use.</param>
    public static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case short s16: writer.WriteNumberValue(s16); break;
            case byte u8: writer.WriteNumberValue(u8); break;
            case uint u32: writer.WriteNumberValue(u32); break;
            case ulong u64: writer.WriteNumberValue(u64); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case double or float: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            case DateTimeOffset dto: Time.Write(writer, dto, options); break;
            case DateTime dt: Time.Write(writer, dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(dt, TimeSpan.Zero) : new DateTimeOffset(dt), options); break;
            case Guid g: writer.WriteStringValue(g); break;
            case TimeSpan ts: writer.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture)); break;
            case Enum e: writer.WriteStringValue(e.ToString()); break;
            case JsonElement element: element.WriteTo(writer); break;
            case JsonNode node: node.WriteTo(writer); break;
            default: WriteOther(writer, value); break;
        }
    }

    private static void WriteOther(Utf8JsonWriter writer, object value)
    {
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            try
            {
                // Serialized apart first, so a failure halfway leaves nothing half-written in the document.
                var json = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), ReflectionOptions);
                writer.WriteRawValue(json, skipInputValidation: true);
                return;
            }
#pragma warning disable CA1031 // A property getter may throw anything; the listing must survive it.
            catch (Exception)
#pragma warning restore CA1031
            {
                // Reported as its string form below.
            }
        }

        writer.WriteStringValue(SafeToString(value));
    }

    private static string SafeToString(object value)
    {
        try
        {
            return value.ToString() ?? value.GetType().Name;
        }
#pragma warning disable CA1031 // A value's ToString may throw anything; the listing must survive it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return value.GetType().Name;
        }
    }
}
