using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Transactions;

/// <summary>The edge's data for one client transaction, kept in the transaction's context.</summary>
internal sealed class ClientTransactionContext
{
    public ClientTransactionContext(ClientTransactionHandle handle, byte[] request)
    {
        Handle = handle;
        Request = request;
    }

    public ClientTransactionHandle Handle { get; }

    /// <summary>The request as the TU gave it (without this node's Via).</summary>
    public byte[] Request { get; }

    /// <summary>The request as sent (with this node's Via), parsed; kept for INVITE (ACK, CANCEL).</summary>
    public EdgeMessage? Sent { get; set; }

    public ISipSender? Sender { get; set; }

    public IPEndPoint? Remote { get; set; }

    public SipTransportKind Transport { get; set; }

    /// <summary>The TU asked for a CANCEL (RFC 3261 §9.1).</summary>
    public bool CancelRequested { get; set; }

    public string? CancelReason { get; set; }

    public bool CancelSent { get; set; }

    public bool ProvisionalReceived { get; set; }

    public bool FinalReceived { get; set; }

    /// <summary>Counted in the edge's in-flight transactions (started, no final response yet); loop thread only.</summary>
    public bool InFlight { get; set; }

    /// <summary>Edge-internal transactions (a CANCEL) report to nobody.</summary>
    public bool Internal => Handle.Observer is null;
}
