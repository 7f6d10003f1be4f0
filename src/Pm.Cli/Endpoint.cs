using System.Net;
using System.Net.Sockets;

namespace Pm.Cli;

/// <summary>One pm server to talk to: <c>host:port</c>, or a full <c>http://</c> URL.</summary>
/// <remarks>A task is identified by its endpoint and its id; two endpoints are the same server when their addresses are equal.</remarks>
internal sealed record Endpoint(string Name, Uri Address)
{
    public static Endpoint Parse(string text)
    {
        var trimmed = text.Trim();
        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new FormatException($"'{text}' is not an endpoint; use host:port or http://host:port.");
        }

        return new Endpoint(trimmed.Contains("://", StringComparison.Ordinal) ? uri.Authority : trimmed, uri);
    }

    /// <summary>The endpoint at one resolved address: named <c>ip:port</c>, as the address answers.</summary>
    public static Endpoint At(IPAddress address, int port, string scheme = "http", string path = "/")
    {
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
        var name = host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Endpoint(name, new Uri(scheme + "://" + name + (path.StartsWith('/') ? path : "/" + path)));
    }
}
