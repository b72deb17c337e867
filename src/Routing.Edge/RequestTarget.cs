using System.Net;
using System.Text;
using Routing.Sip.Uri;

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

/// <summary>Classifies a Request-URI (RFC 3261 §19.1.1: sip:user:password@host:port;params) parsed by <see cref="SipUri"/>.</summary>
public static class RequestTargets
{
    public static RequestTarget Classify(ReadOnlyMemory<byte> requestUri, IPAddress localAddress, EdgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        ArgumentNullException.ThrowIfNull(options);
        if (!SipUri.TryParse(requestUri, out var uri) || !uri.IsSip)
        {
            // tel: and other schemes name no host of ours; routing them is a dial-plan matter for later issues.
            return RequestTarget.Foreign;
        }

        var host = uri.HostKind == SipHostKind.IPv6 ? uri.Host[1..^1] : uri.Host;
        if (IsNodeHost(host, localAddress, options))
        {
            return RequestTarget.Node;
        }

        if (!uri.HasUser)
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
