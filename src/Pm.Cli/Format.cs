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
