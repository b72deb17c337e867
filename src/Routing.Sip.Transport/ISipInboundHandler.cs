using System.Net;
using Routing.Sip.Message;

namespace Routing.Sip.Transport;

/// <summary>Sends bytes back towards a peer on the transport a message came in on.</summary>
public interface ISipSender
{
    /// <summary>
    /// Sends one whole SIP message. For UDP <paramref name="destination"/> is where the datagram goes; a connection
    /// ignores it and writes on itself. Returns false when the bytes could not be handed to the kernel (never throws).
    /// </summary>
    bool Send(ReadOnlySpan<byte> message, IPEndPoint destination);
}

/// <summary>Where a message came from and how to answer it.</summary>
/// <param name="Transport">UDP, TCP or TLS.</param>
/// <param name="Local">The listener's local endpoint.</param>
/// <param name="Remote">The peer's source address and port as the socket saw them (RFC 3261 §18.2.1 "received").</param>
/// <param name="Sender">Sends on the same socket (UDP) or connection (TCP, TLS).</param>
public readonly record struct SipInboundContext(SipTransportKind Transport, IPEndPoint Local, IPEndPoint Remote, ISipSender Sender)
{
    /// <summary>The connection's id in the <see cref="SipFlowTable"/>; 0 for UDP (a UDP flow is its address pair).</summary>
    public long ConnectionId { get; init; }

    /// <summary>TLS: the client certificate the handshake accepted, or null (none asked for, none sent, or not TLS).</summary>
    public TlsPeerIdentity? TlsPeer { get; init; }

    /// <summary>The flow this message arrived on (RFC 5626 §3.1), for flow tokens.</summary>
    public SipFlowAddress Flow => new(Transport, Local, Remote, ConnectionId);
}

/// <summary>
/// Receives every parse outcome a listener produces: a message, or a rejection (which may carry the message so that
/// it can be answered). Keep-alives are handled by the transport and never arrive here. Called on the listener's
/// receive loop: it must be quick and must not block; an exception it throws is caught and counted, and the loop
/// goes on.
/// </summary>
public interface ISipInboundHandler
{
    /// <summary>
    /// <paramref name="parsed"/> has status <see cref="SipParseStatus.Message"/> or <see cref="SipParseStatus.Rejected"/>.
    /// The handler owns <see cref="SipParseResult.Message"/> and must dispose it.
    /// </summary>
    void OnMessage(in SipParseResult parsed, in SipInboundContext context);
}
