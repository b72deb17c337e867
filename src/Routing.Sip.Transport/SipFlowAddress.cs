using System.Net;

namespace Routing.Sip.Transport;

/// <summary>
/// A flow (RFC 5626 §3.1): the transport with its local and remote addresses, plus for TCP and TLS the id of the
/// connection, so that a token for a closed connection does not silently name a newer one from the same port.
/// </summary>
/// <param name="Transport">UDP, TCP or TLS.</param>
/// <param name="Local">The node's address of the flow.</param>
/// <param name="Remote">The peer's address of the flow.</param>
/// <param name="ConnectionId">The connection id for TCP and TLS; 0 for UDP.</param>
public readonly record struct SipFlowAddress(SipTransportKind Transport, IPEndPoint Local, IPEndPoint Remote, long ConnectionId);
