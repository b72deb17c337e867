namespace Routing.Sip.Transport;

/// <summary>The transport a SIP message arrived on or leaves by (RFC 3261 §18, §26.2 for TLS).</summary>
public enum SipTransportKind
{
    Udp,
    Tcp,
    Tls,
}

/// <summary>Names of transports as Via and URI parameters spell them.</summary>
public static class SipTransportNames
{
    /// <summary>The Via transport token (RFC 3261 §20.42): UDP, TCP or TLS.</summary>
    public static ReadOnlySpan<byte> ViaToken(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP"u8,
        SipTransportKind.Tcp => "TCP"u8,
        _ => "TLS"u8,
    };

    /// <summary>Reliable transports have no retransmission timers (RFC 3261 §17.1.1.2, §17.1.2.2).</summary>
    public static bool IsReliable(SipTransportKind kind) => kind != SipTransportKind.Udp;
}
