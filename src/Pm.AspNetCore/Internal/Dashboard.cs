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

    private const string ServerMode = "<body data-mode=\"server\">";

    private static readonly Lazy<string> Joined = new(() =>
        IncludeMarker().Replace(Read("index.html"), match => Read(match.Groups["name"].Value)));

    private static readonly Lazy<byte[]> Page = new(() => Encoding.UTF8.GetBytes(Joined.Value));

    // The same page, switched by its body's mode to a fleet's: tasks of many servers, reached through `pm web`'s /fleet/ routes.
    private static readonly Lazy<byte[]> FleetPage = new(() =>
        Encoding.UTF8.GetBytes(Joined.Value.Replace(ServerMode, "<body data-mode=\"fleet\">", StringComparison.Ordinal)));

    /// <summary>Writes the page for one server, whose pm interface is the page's own path.</summary>
    public static Task WriteAsync(HttpContext context) => WriteAsync(context, Page.Value);

    /// <summary>Writes the page in fleet mode, for <c>pm web</c>: a host column, per-host health, kills routed per host.</summary>
    public static Task WriteFleetAsync(HttpContext context) => WriteAsync(context, FleetPage.Value);

    private static Task WriteAsync(HttpContext context, byte[] page)
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
        response.ContentLength = page.Length;
        return response.Body.WriteAsync(page, context.RequestAborted).AsTask();
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
