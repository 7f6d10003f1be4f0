using System.Globalization;

namespace Pm.Cli;

/// <summary>Which tasks a filter keeps, in <c>pm top</c>'s <c>/</c> and <c>pm kill --filter</c> alike.</summary>
/// <remarks>
/// <c>name=value</c> keeps the tasks whose attribute <c>name</c> is <c>value</c> (both compared ignoring case); any
/// other text keeps the tasks whose id, endpoint, status or an attribute value contains it, ignoring case. The words
/// <c>slow</c> and <c>hung</c> also keep the tasks the server flagged so (<c>slow</c> includes the hung ones).
/// </remarks>
internal static class TaskFilter
{
    public static bool Matches(ProcRow row, string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var text = filter.Trim();
        if (text.Length == 0)
        {
            return true;
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            var name = text[..equals].Trim();
            var value = text[(equals + 1)..].Trim();
            return row.Proc.Attrs?.Any(a => string.Equals(a.Key, name, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Format.Value(a.Value), value, StringComparison.OrdinalIgnoreCase)) ?? false;
        }

        return row.Proc.Id.Contains(text, StringComparison.OrdinalIgnoreCase)
            || row.Endpoint.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
            || row.Proc.Status.Contains(text, StringComparison.OrdinalIgnoreCase)
            || (row.Proc.Alert is { } alert && (alert.Equals(text, StringComparison.OrdinalIgnoreCase) || text.Equals("slow", StringComparison.OrdinalIgnoreCase)))
            || (row.Proc.Attrs?.Any(a => Format.Value(a.Value).Contains(text, StringComparison.OrdinalIgnoreCase)) ?? false);
    }

    /// <summary>Parses a duration such as <c>30s</c>, <c>500ms</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, or a plain number of seconds.</summary>
    /// <exception cref="FormatException">The text is not a non-negative duration.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var digits = trimmed.TrimEnd("smhd".ToCharArray());
        var unit = trimmed[digits.Length..];
        if (double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0 && double.IsFinite(number))
        {
            double? seconds = unit switch
            {
                "" or "s" => number,
                "ms" => number / 1000,
                "m" => number * 60,
                "h" => number * 3600,
                "d" => number * 86400,
                _ => null,
            };
            if (seconds is { } s && s < TimeSpan.MaxValue.TotalSeconds)
            {
                return TimeSpan.FromSeconds(s);
            }
        }

        throw new FormatException($"'{text}' is not a duration; use a number with s, ms, m, h or d, such as 30s or 5m.");
    }
}
