using System.Net;
using Routing.Sip.Message;

namespace Routing.Edge.Proxy;

/// <summary>What the proxy does about authentication for one request.</summary>
public enum ProxyAuthDecision : byte
{
    /// <summary>Forward without credentials.</summary>
    NotRequired,

    /// <summary>Answer 407 with a Proxy-Authenticate challenge (RFC 3261 §22.3).</summary>
    Challenge,

    /// <summary>Credentials are present: verify them against the From user's HA1 before forwarding.</summary>
    Verify,
}

/// <summary>
/// RFC 3261 §22.3: a proxy challenges requests that claim to come from a user of a domain it serves, so nobody can
/// place calls in a served user's name. Trusted peers (gateways, carriers, by address) are exempt; with
/// <see cref="ProxyAuthMode.None"/> nothing is challenged. ACK and CANCEL cannot be challenged (§22.1), and in-dialog
/// requests were authorised with the dialog-creating request.
/// </summary>
public static class ProxyAuthPolicy
{
    public static ProxyAuthDecision Decide(SipMessage request, IPAddress source, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Authentication == ProxyAuthMode.None || request.Method is SipMethod.Ack or SipMethod.Cancel
            || !request.ToTag.IsEmpty || settings.IsTrusted(source))
        {
            return ProxyAuthDecision.NotRequired;
        }

        if (!request.TryGetFrom(out var from) || !from.Uri.IsSip || !settings.IsServedDomain(from.Uri.Host))
        {
            return ProxyAuthDecision.NotRequired;
        }

        return request.Contains(SipHeaderId.ProxyAuthorization) ? ProxyAuthDecision.Verify : ProxyAuthDecision.Challenge;
    }
}
