using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pm.Cli;

/// <summary>Formats durations and attribute values for people, and makes server-controlled text safe for a terminal.</summary>
internal static class Format
{
    // C0, DEL and C1; the marks and overrides that reorder text (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069); the line and paragraph separators.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7f, 0x21).Select(i => (char)i),
         '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2028', '\u2029', '\u2066', '\u2067', '\u2068', '\u2069']);

    /// <summary>Renders the characters a terminal would act on visibly: ESC as <c>\e</c>, tab, line feed and carriage return as <c>\t</c>, <c>\n</c>, <c>\r</c>, any other as <c>\u0007</c>.</summary>
    /// <remarks>
    /// Everything the tool prints that a server, a client of a server or a killer chose (ids, statuses, attributes,
    /// history entries, kill messages, endpoint names, error texts) passes through here first, so no escape sequence
    /// reaches the terminal: C0 controls, DEL, C1 controls (U+0080–U+009F; U+009B starts a sequence like ESC [), the
    /// bidirectional overrides and isolates that reorder what follows them, and the line and paragraph separators.
    /// A backslash is left as it is: the form is for reading, not for parsing back. Text with nothing to escape is
    /// returned as is, without copying.
    /// </remarks>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!Unsafe.Contains(c))
            {
                builder.Append(c);
                continue;
            }

            _ = c switch
            {
                '\x1b' => builder.Append("\\e"),
                '\t' => builder.Append("\\t"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                _ => builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
            };
        }

        return builder.ToString();
    }


    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
        }

        return value.TotalSeconds < 10 ? value.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s"
            : value.TotalMinutes < 1 ? value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
            : value.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalMinutes}m{value.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h{value.Minutes:00}m{value.Seconds:00}s");
    }

    /// <summary>Formats a count with its noun, singular for one: "1 task", "2 tasks".</summary>
    public static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    public static string Value(object? value) => value switch
    {
        null => "",
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
        JsonElement { ValueKind: JsonValueKind.Null } => "null",
        JsonElement e => e.GetRawText(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
