using System.Net;

namespace Routing.Edge.Proxy;

/// <summary>Whether requests from served domains must authenticate at the proxy.</summary>
public enum ProxyAuthMode
{
    /// <summary>Challenge with 407 (RFC 3261 §22.3).</summary>
    Digest,

    /// <summary>Nothing is challenged (labs, benchmarks).</summary>
    None,
}

/// <summary>What the §16 core needs to know about the cluster it speaks for.</summary>
public sealed class ProxySettings
{
    /// <summary>
    /// Host of the cluster's shared signaling address (a DNS name or the anycast/VIP address every edge answers on):
    /// Record-Route and Via name it so that in-dialog requests can reach any edge, not one node.
    /// </summary>
    public required string SignalingHost { get; init; }

    /// <summary>Port of the shared signaling address; null means the transport default (5060/5061).</summary>
    public int? SignalingPort { get; init; }

    /// <summary>Other host names and literals that name this proxy in a Route or Request-URI (RFC 3261 §16.4).</summary>
    public IReadOnlyList<string> LocalHosts { get; init; } = [];

    /// <summary>Served domains (lower case): their users are looked up in the location service.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>Proxy-Require option tags understood (RFC 3261 §16.3 step 5).</summary>
    public IReadOnlySet<string> SupportedProxyOptions { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public ProxyAuthMode Authentication { get; init; } = ProxyAuthMode.Digest;

    /// <summary>
    /// Proxy-Authenticate challenges offered in a 407, most preferred first (RFC 8760 §2.4). Some clients (baresip 1.0)
    /// give up on the first algorithm they do not know, so deployments with them offer MD5 alone.
    /// </summary>
    public IReadOnlyList<Routing.Sip.Auth.DigestAlgorithm> ChallengeAlgorithms { get; init; } =
        [Routing.Sip.Auth.DigestAlgorithm.Sha256, Routing.Sip.Auth.DigestAlgorithm.Md5];

    /// <summary>Peers (gateways, carriers) whose requests are never challenged.</summary>
    public IReadOnlyList<IPAddress> TrustedPeers { get; init; } = [];

    /// <summary>Answer 404 for unknown users; when false every unknown user looks like one without bindings (480).</summary>
    public bool RevealUnknownUsers { get; init; }

    /// <summary>How long one q-group of a sequential fork rings before the next group is tried.</summary>
    public TimeSpan ForkGroupTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>RFC 5393 §5.1: the Max-Breadth a proxy adds when the request carries none.</summary>
    public int DefaultMaxBreadth { get; init; } = 60;

    /// <summary>
    /// Initial INVITEs being set up at once (no final response yet); beyond it a new one is answered 503 with
    /// Retry-After (RFC 3261 §21.5.4) without asking the cluster, so that an overload sheds calls instead of collapsing
    /// under retransmissions of work the node cannot finish. In-dialog requests are never shed.
    /// </summary>
    public int MaxCallsSettingUp { get; init; } = 2000;

    /// <summary>Retry-After on a shed INVITE's 503, seconds.</summary>
    public int OverloadRetryAfterSeconds { get; init; } = 5;

    /// <summary>True when <paramref name="host"/> names this proxy.</summary>
    public bool IsLocalHost(ReadOnlySpan<byte> host)
    {
        if (EqualsAscii(host, SignalingHost))
        {
            return true;
        }

        foreach (var h in LocalHosts)
        {
            if (EqualsAscii(host, h))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="host"/> is a served domain.</summary>
    public bool IsServedDomain(ReadOnlySpan<byte> host)
    {
        foreach (var d in Domains)
        {
            if (EqualsAscii(host, d))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsTrusted(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        foreach (var a in TrustedPeers)
        {
            if (a.Equals(address) || (address.IsIPv4MappedToIPv6 && a.Equals(address.MapToIPv4())))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EqualsAscii(ReadOnlySpan<byte> host, string name)
    {
        var trimmed = host.Length > 1 && host[0] == (byte)'[' && host[^1] == (byte)']' ? host[1..^1] : host;
        return trimmed.Length == name.Length && System.Text.Ascii.EqualsIgnoreCase(trimmed, name);
    }
}
