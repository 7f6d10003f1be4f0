using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pm.Cli.Web;

/// <summary>Who may use <c>pm web</c>: this machine's browsers on loopback, or whoever presents the page token.</summary>
/// <remarks>
/// <para>
/// The token is accepted as <c>Authorization: Bearer &lt;token&gt;</c> (scripts) or as the password of HTTP Basic
/// authentication, any user name (browsers): a request without it is answered 401 with a Basic challenge, so the browser
/// asks for it once and sends it with the page and every request the page makes. Nothing, not even the page, is served
/// without it.
/// </para>
/// <para>
/// Without a token (loopback only), the <c>Host</c> header must name this machine, so a web page whose own name was
/// pointed at 127.0.0.1 (DNS rebinding) cannot read the fleet; and with or without one, a request that the browser says
/// comes from another site is refused. The tool sends no CORS header, so no other origin reads an answer.
/// </para>
/// </remarks>
internal sealed class PageAccess(FleetOptions options)
{
    private readonly byte[]? _tokenHash = options.PageToken is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (string.Equals(request.Headers["Sec-Fetch-Site"], "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return RefuseAsync(context, StatusCodes.Status403Forbidden, "requests from other sites are refused");
        }

        if (_tokenHash is null)
        {
            return IsThisMachine(request.Host.Host)
                ? next(context)
                : RefuseAsync(context, StatusCodes.Status403Forbidden, "this pm web answers only to localhost and loopback addresses");
        }

        if (Authorized(request.Headers.Authorization.ToString()))
        {
            return next(context);
        }

        context.Response.Headers.WWWAuthenticate = "Basic realm=\"pm web\", charset=\"UTF-8\"";
        return RefuseAsync(context, StatusCodes.Status401Unauthorized, "the page token is required: any user name, the token as password (or Authorization: Bearer <token>)");
    }

    private static bool IsThisMachine(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static Task RefuseAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n", context.RequestAborted);
    }

    private bool Authorized(string header)
    {
        string? presented = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header[7..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var bytes = new byte[header.Length];
            if (Convert.TryFromBase64String(header[6..].Trim(), bytes, out var length))
            {
                var pair = Encoding.UTF8.GetString(bytes, 0, length);
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                presented = colon >= 0 ? pair[(colon + 1)..] : null;
            }
        }

        // Hashing both sides first makes the comparison constant-time in the token's length too.
        return presented is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _tokenHash);
    }
}
