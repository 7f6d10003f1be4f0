using System.Globalization;

namespace Pm.Internal;

/// <summary>Formats durations for people: <c>850 ms</c>, <c>9.8 s</c>, <c>5 min 3 s</c>, <c>2 h 5 min</c>.</summary>
internal static class Durations
{
    public static string Format(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes} min"),
    };
}
