using System.Net;
using System.Net.Sockets;

namespace MasStack.Notifications.Features.Hub;

/// <summary>
/// Where the hub may call (SSRF). With <see cref="HubOptions.RequirePublicCallbacks"/> (production, and the test suite):
/// https only, and never a loopback, link-local (cloud metadata), private, shared (CGNAT), multicast or unspecified address —
/// checked at registration and again for the address actually connected to (DNS rebinding). The one exception is an
/// explicit allow-list of origins (<c>scheme://host:port</c>, <see cref="HubOptions.AllowedCallbacks"/>): the test suite
/// lists its webhook receiver simulator there, nothing else on that host or any other private address passes.
/// </summary>
public sealed class CallbackPolicy(HubOptions options)
{
    public bool IsAllowListed(string host, int port) =>
        options.AllowedCallbacks.Any(origin => Uri.TryCreate(origin, UriKind.Absolute, out var allowed)
            && string.Equals(allowed.Host, host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && allowed.Port == port);

    /// <summary>Why the callback is refused at registration, or null.</summary>
    public async Task<string?> RefusalAsync(string? callback, CancellationToken ct = default)
    {
        if (!Uri.TryCreate(callback, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo))
            return "must be an absolute http(s) URL without credentials.";
        if (!options.RequirePublicCallbacks || IsAllowListed(uri.Host, uri.Port)) return null;
        if (uri.Scheme != "https") return "must use https.";
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal))
            return IsPublic(literal) ? null : $"must not point at a {Describe(literal)} address.";
        if (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return "must not point at a loopback address.";
        try
        {
            foreach (var address in await Dns.GetHostAddressesAsync(uri.Host, ct))
                if (!IsPublic(address)) return $"resolves to a {Describe(address)} address.";
        }
        catch (SocketException) { /* unresolvable now: checked again at connect time */ }
        return null;
    }

    /// <summary>True for an address anyone on the internet could be: not loopback, link-local, private, shared, multicast or unspecified.</summary>
    public static bool IsPublic(IPAddress address) => Describe(address) == "public";

    public static string Describe(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "unspecified",
                127 => "loopback",
                10 => "private",
                169 when b[1] == 254 => "link-local",
                172 when b[1] is >= 16 and <= 31 => "private",
                192 when b[1] == 168 => "private",
                100 when b[1] is >= 64 and <= 127 => "shared (CGNAT)",
                >= 224 => "multicast or reserved",
                _ => "public",
            };
        }
        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return "unspecified";
        if (IPAddress.IsLoopback(address)) return "loopback";
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal) return "link-local";
        if (address.IsIPv6UniqueLocal) return "private";
        if (address.IsIPv6Multicast) return "multicast or reserved";
        return "public";
    }

    /// <summary>Connects as SocketsHttpHandler would, refusing a resolved address the policy forbids (DNS rebinding).</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        if (options.RequirePublicCallbacks && !IsAllowListed(endpoint.Host, endpoint.Port))
        {
            addresses = addresses.Where(IsPublic).ToArray();
            if (addresses.Length == 0) throw new HttpRequestException($"The callback host {endpoint.Host} resolves to no public address.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
