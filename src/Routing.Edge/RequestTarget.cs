using System.Net;
using System.Text;

namespace Routing.Edge;

/// <summary>Whom a request's Request-URI names, from this node's point of view.</summary>
public enum RequestTarget
{
    /// <summary>The node itself: no user part, or a host that is one of the node's addresses.</summary>
    Node,
    /// <summary>A user in a domain the node serves (a registrar/proxy matter).</summary>
    LocalUser,
    /// <summary>Somewhere else: forwarding it would make the node an open relay.</summary>
    Foreign,
}

/// <summary>Classifies a Request-URI (RFC 3261 §19.1.1: sip:user:password@host:port;params).</summary>
public static class RequestTargets
{
    public static RequestTarget Classify(ReadOnlySpan<byte> requestUri, IPAddress localAddress, EdgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        ArgumentNullException.ThrowIfNull(options);
        int schemeLength;
        if (requestUri.Length > 4 && Ascii.EqualsIgnoreCase(requestUri[..4], "sip:"u8))
        {
            schemeLength = 4;
        }
        else if (requestUri.Length > 5 && Ascii.EqualsIgnoreCase(requestUri[..5], "sips:"u8))
        {
            schemeLength = 5;
        }
        else
        {
            // tel: and other schemes name no host of ours; routing them is a dial-plan matter for later issues.
            return RequestTarget.Foreign;
        }

        var rest = requestUri[schemeLength..];
        // The user part cannot hold a raw '@' (RFC 3261 §25.1 escapes it), and neither can the parameters.
        var at = rest.IndexOf((byte)'@');
        var hasUser = at >= 0;
        var hostPart = hasUser ? rest[(at + 1)..] : rest;
        var host = HostOf(hostPart);
        if (IsNodeHost(host, localAddress, options))
        {
            return RequestTarget.Node;
        }

        if (!hasUser)
        {
            // Without a user part the URI can only name a server; with no other server to hand it to, it is ours.
            return RequestTarget.Node;
        }

        foreach (var d in options.Domains)
        {
            if (Ascii.EqualsIgnoreCase(host, d))
            {
                return RequestTarget.LocalUser;
            }
        }

        return RequestTarget.Foreign;
    }

    /// <summary>The host of "host[:port][;params][?headers]", without IPv6 brackets.</summary>
    internal static ReadOnlySpan<byte> HostOf(ReadOnlySpan<byte> hostPort)
    {
        if (!hostPort.IsEmpty && hostPort[0] == (byte)'[')
        {
            var close = hostPort.IndexOf((byte)']');
            return close > 0 ? hostPort[1..close] : hostPort[1..];
        }

        var end = hostPort.IndexOfAny(":;?"u8);
        return end < 0 ? hostPort : hostPort[..end];
    }

    private static bool IsNodeHost(ReadOnlySpan<byte> host, IPAddress localAddress, EdgeOptions options)
    {
        if (!localAddress.Equals(IPAddress.Any) && !localAddress.Equals(IPAddress.IPv6Any))
        {
            Span<char> chars = stackalloc char[64];
            if (localAddress.TryFormat(chars, out var n) && Ascii.EqualsIgnoreCase(host, chars[..n]))
            {
                return true;
            }
        }

        foreach (var h in options.LocalHosts)
        {
            if (Ascii.EqualsIgnoreCase(host, h))
            {
                return true;
            }
        }

        return false;
    }
}
