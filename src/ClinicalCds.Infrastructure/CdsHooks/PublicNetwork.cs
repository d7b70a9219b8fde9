using System.Net;
using System.Net.Sockets;

namespace ClinicalCds.Infrastructure.CdsHooks;

/// <summary>
/// Connections to public addresses only (issue 33 item 9): a fhirServer the configuration does not list is connected to
/// only when every address its name resolves to is public, checked where the connection is made — so neither a name
/// that resolves to an internal address nor a redirect (never followed) nor a name that changes between a check and
/// the connection (DNS rebinding) reaches the hospital's network. Refused before any packet is sent to the address, so
/// the answer says nothing about whether a port there is open.
/// </summary>
public static class PublicNetwork
{
    /// <summary>The connection was refused because the address is not public.</summary>
    public sealed class AddressRefusedException(string message) : IOException(message);

    /// <summary>
    /// Whether <paramref name="address"/> is a public unicast address: not in a special-purpose block of the IANA
    /// registries (RFC 6890; IPv4: 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
    /// 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 and above; IPv6: ::, ::1, fc00::/7, fe80::/10,
    /// fec0::/10, ff00::/8, 2001:db8::/32, and mapped, translated or 6to4 addresses judged by the IPv4 address they carry).
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] is >= 64 and < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] is >= 16 and < 32)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var v6 = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || (v6[0] & 0xfe) == 0xfc || (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8))
        {
            return false;
        }

        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judged by it.
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4..12].All(x => x == 0))
        {
            return IsPublic(new IPAddress(v6[12..16]));
        }

        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            return IsPublic(new IPAddress(v6[2..6]));
        }

        return true;
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the name and connects only when every address is public.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0 || !addresses.All(IsPublic))
        {
            throw new AddressRefusedException("the fhirServer's address is not public (loopback, private, link-local or reserved) and the configuration does not list it (CdsHooks:FhirServers)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
