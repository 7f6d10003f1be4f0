using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pm.AspNetCore.Internal;

/// <summary>The standalone listener's access control: its bearer token and CORS origins, ahead of the pm endpoints.</summary>
/// <remarks>An application that maps the interface itself uses its own authentication, authorization and CORS instead.</remarks>
internal sealed class ListenerAccess(ProcessListServerOptions options)
{
    private readonly byte[]? _tokenHash = options.AccessToken is { } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;
    private readonly string[] _origins = [.. options.AllowedOrigins];
    private readonly PathString _prefix = options.Prefix.TrimEnd('/');

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ApplyCors(context);
        if (_tokenHash is null || HttpMethods.IsOptions(context.Request.Method) || IsOpenPage(context) || Authorized(context))
        {
            return next(context);
        }

        var response = context.Response;
        response.Headers[ProcessListHandler.ExtensionsHeader] = "1";
        response.Headers.WWWAuthenticate = context.Request.Headers.Authorization.Count == 0
            ? "Bearer realm=\"pm\""
            : "Bearer realm=\"pm\", error=\"invalid_token\"";
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync("a valid bearer token is required\n", context.RequestAborted);
    }

    // The listener's root (a redirect) and the dashboard page hold no data, and the page must load before it can ask
    // for the token.
    private bool IsOpenPage(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var path = request.Path;
        return path == "/" || ((path == _prefix || path == _prefix + "/") && request.Query["view"] == "ui");
    }

    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Hashing both sides first makes the comparison constant-time in the token's length too.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(value.AsSpan(7).Trim().ToString()));
        return CryptographicOperations.FixedTimeEquals(presented, _tokenHash);
    }

    private void ApplyCors(HttpContext context)
    {
        if (_origins.Length == 0)
        {
            return;
        }

        if (_origins.Contains("*"))
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        context.Response.Headers.Vary = "Origin";
        if (origin.Length > 0 && _origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
        }
    }
}
