using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Proxy;

/// <summary>
/// A TU that takes ACKs no server transaction consumed: the ACK for a 2xx is a transaction of its own, end to end
/// (RFC 3261 §13.2.2.4, §17), which a proxy forwards statelessly (§16.6). Called on the edge's loop; the message is
/// released after the call, so copy what must outlive it.
/// </summary>
public interface IEdgeAckHandler
{
    bool TryForwardAck(SipMessage ack, in SipInboundContext context);
}
