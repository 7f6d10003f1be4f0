using System.Globalization;

namespace Pm.Internal;

/// <summary>HTTP status codes as text, formatted once per code rather than per request.</summary>
internal static class StatusCodeText
{
    private static readonly string[] Texts = [.. Enumerable.Range(100, 500).Select(code => code.ToString(CultureInfo.InvariantCulture))];

    public static string Of(int statusCode) =>
        (uint)(statusCode - 100) < (uint)Texts.Length ? Texts[statusCode - 100] : statusCode.ToString(CultureInfo.InvariantCulture);
}
