using System.Net;
using System.Net.Sockets;

namespace Comms.Core.Webhooks;

/// <summary>Why a webhook target is refused (SSRF guard), named for the problem detail and the failure reason.</summary>
public sealed class WebhookTargetRefusedException(string reason) : Exception(reason);

/// <summary>
/// The SSRF guard of webhook targets: only absolute https URLs (http too, and any address, when
/// <c>Comms:Webhooks:AllowPrivateTargets</c> is true), never to loopback, private (RFC 1918, CGNAT),
/// link-local, unique-local, multicast, unspecified or broadcast addresses. Checked when an endpoint is
/// registered (the URL and what its host resolves to now) and again when each delivery connects
/// (<see cref="ConnectAsync"/>, the address actually dialled), so a name re-pointed after registration
/// (DNS rebinding) is still refused.
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    /// <summary>The problem with a URL as written, or null when it may be registered (its host still has to resolve well).</summary>
    public static string? CheckUrl(string? url, bool allowPrivate)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"The url must be an absolute https URL of at most {MaxUrlLength} characters.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivate && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "The url must use https.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The url must not carry credentials (user:password@).";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "The url must not have a fragment (#...).";
        }

        return null;
    }

    /// <summary>Why the address is refused, or null when it is a public unicast address.</summary>
    public static string? RefusedBecause(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b switch
            {
                [0, ..] => "unspecified (0.0.0.0/8)",
                [10, ..] => "private (10.0.0.0/8)",
                [172, >= 16 and <= 31, ..] => "private (172.16.0.0/12)",
                [192, 168, ..] => "private (192.168.0.0/16)",
                [100, >= 64 and <= 127, ..] => "private (100.64.0.0/10, carrier-grade NAT)",
                [169, 254, ..] => "link-local (169.254.0.0/16)",
                [>= 224 and <= 239, ..] => "multicast",
                [>= 240, ..] => "reserved (240.0.0.0/4, broadcast)",
                _ => null,
            };
        }

        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
        {
            return "unspecified";
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "link-local";
        }

        if (address.IsIPv6UniqueLocal)
        {
            return "unique-local (fc00::/7)";
        }

        return address.IsIPv6Multicast ? "multicast" : null;
    }

    /// <summary>
    /// Checks a URL at registration: as written, then what its host resolves to now. A name that does not resolve
    /// (yet) is accepted: every delivery checks again at connect time.
    /// </summary>
    public static async Task<string?> CheckTargetAsync(string? url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (CheckUrl(url, allowPrivate) is { } problem)
        {
            return problem;
        }

        if (allowPrivate)
        {
            return null;
        }

        var host = new Uri(url!).IdnHost;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"The url's host '{host}' is loopback; webhook targets must be public addresses.";
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }

        foreach (var address in addresses)
        {
            if (RefusedBecause(address) is { } why)
            {
                return $"The url's host '{host}' resolves to a {why} address; webhook targets must be public addresses.";
            }
        }

        return null;
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, refuses it when any of its addresses is not
    /// public (unless <paramref name="allowPrivate"/>), and connects to the addresses it checked — never to a second lookup.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken);
        if (!allowPrivate)
        {
            foreach (var address in addresses)
            {
                if (RefusedBecause(address) is { } why)
                {
                    throw new WebhookTargetRefusedException($"The webhook target '{endPoint.Host}' resolves to a {why} address; refused (Comms:Webhooks:AllowPrivateTargets is false).");
                }
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The handler every delivery goes through: the connect-time check, no redirects, no proxy, no cookies.</summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken),
    };
}
