using System.Globalization;
using System.Text.Json;

namespace Pm.Cli;

/// <summary>Formats durations and attribute values for people.</summary>
internal static class Format
{
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

    public static string Value(object? value) => value switch
    {
        null => "",
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString() ?? "",
        JsonElement { ValueKind: JsonValueKind.Null } => "null",
        JsonElement e => e.GetRawText(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
