using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pm.Protocol;

/// <summary>Converts times as RFC 3339 strings in UTC, the way Go's <c>time.Time</c> writes and reads them.</summary>
/// <remarks>
/// Writes <c>2026-11-23T00:25:00.3574866Z</c>, trailing zeros of the fraction trimmed; reads any number of
/// fractional digits (Go writes nine) and any offset.
/// </remarks>
internal sealed class RfcTimeConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("Expected an RFC 3339 time string.");
        }

        if (reader.TryGetDateTimeOffset(out var value))
        {
            return value;
        }

        // More than 7 fractional digits: keep the first 7 (100 ns, the resolution of a tick).
        var text = reader.GetString()!;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            ? value
            : throw new JsonException($"'{reader.GetString()}' is not an RFC 3339 time.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value, stackalloc byte[32]));
    }

    /// <summary>Formats a time as RFC 3339 in UTC with the fraction's trailing zeros trimmed, as Go does.</summary>
    /// <param name="value">The time.</param>
    /// <param name="buffer">A buffer of at least 28 bytes.</param>
    /// <returns>The UTF-8 text, within <paramref name="buffer"/>.</returns>
    public static ReadOnlySpan<byte> Format(DateTimeOffset value, Span<byte> buffer)
    {
        // The round-trip format of a UTC DateTime is the fast path: yyyy-MM-ddTHH:mm:ss.fffffffZ, 28 bytes.
        value.UtcDateTime.TryFormat(buffer, out var written, "O", CultureInfo.InvariantCulture);
        var end = written - 1;
        while (buffer[end - 1] == (byte)'0')
        {
            end--;
        }

        if (buffer[end - 1] == (byte)'.')
        {
            end--;
        }

        buffer[end] = (byte)'Z';
        return buffer[..(end + 1)];
    }
}
