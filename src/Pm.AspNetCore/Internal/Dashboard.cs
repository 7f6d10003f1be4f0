using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Internal;

/// <summary>
/// Serves the embedded dashboard page: one self-contained file, so it works on an air-gapped network. Its script is
/// kept in parts beside it (Dashboard/*.js), which the page names with <c>/* pm:include name.js */</c>; they are
/// joined into the page once, so the browser still makes a single request and every id under the prefix stays a task's.
/// </summary>
internal static partial class Dashboard
{
    private const string ResourcePrefix = "Pm.AspNetCore.Dashboard.";

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        var page = IncludeMarker().Replace(Read("index.html"), match => Read(match.Groups["name"].Value));
        return Encoding.UTF8.GetBytes(page);
    });

    public static Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        // Everything the page needs is inline, and it talks only to the server that served it.
        response.Headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'";
        response.ContentLength = Page.Value.Length;
        return response.Body.WriteAsync(Page.Value, context.RequestAborted).AsTask();
    }

    private static string Read(string name)
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The dashboard's {name} is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"/\* pm:include (?<name>[a-z]+\.js) \*/")]
    private static partial Regex IncludeMarker();
}
