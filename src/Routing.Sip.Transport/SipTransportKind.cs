namespace Routing.Sip.Transport;

/// <summary>The transport a SIP message arrived on or leaves by (RFC 3261 §18).</summary>
public enum SipTransportKind
{
    Udp,
    Tcp,
}
