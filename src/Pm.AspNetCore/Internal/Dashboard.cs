using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Internal;

/// <summary>Serves the embedded dashboard page: one self-contained file, so it works on an air-gapped network.</summary>
internal static class Dashboard
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("Pm.AspNetCore.Dashboard.index.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
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
}
