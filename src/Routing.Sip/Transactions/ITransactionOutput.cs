namespace Routing.Sip.Transactions;

/// <summary>
/// What the transaction table needs from the layers around it. The transport layer implements the wire side
/// (<see cref="Transmit"/>, building ACK and 100), the TU side receives deliveries and failures. Calls are made on
/// the thread that drives the table; within one step every wire action is carried out before the TU is told
/// anything, so a TU that answers synchronously from <see cref="DeliverRequest"/> cannot overtake a 100 (Trying).
/// </summary>
/// <typeparam name="TMessage">The caller's message type: a parsed message, or serialised bytes with metadata.</typeparam>
public interface ITransactionOutput<TMessage>
    where TMessage : class
{
    /// <summary>
    /// Send <paramref name="message"/> (the transaction's request, a response, or an ACK built by
    /// <see cref="BuildAck"/>) to the transaction's peer: for client transactions the destination chosen when the
    /// request was sent (RFC 3263), for server transactions per RFC 3261 §18.2.2 using the request's top Via.
    /// <paramref name="retransmission"/> is true for copies sent by Timer A, E, G or because a retransmission
    /// arrived. A failure to send should be reported back with <see cref="TransactionTable{TMessage}.ReportTransportError"/>.
    /// </summary>
    void Transmit(Transaction<TMessage> transaction, TMessage message, bool retransmission);

    /// <summary>
    /// Build the ACK for a 300-699 response to an INVITE client transaction (RFC 3261 §17.1.1.3). It is sent by the
    /// table through <see cref="Transmit"/>, and again for every retransmission of the final response. It must have:
    /// the Request-URI of the INVITE; Call-ID, From and the CSeq number of the INVITE with CSeq method ACK; the To of
    /// the response (which carries the UAS's tag); exactly one Via, equal to the top Via of the INVITE (same branch,
    /// so the server transaction matches it); the INVITE's Route headers; Max-Forwards; no body.
    /// </summary>
    TMessage BuildAck(Transaction<TMessage> transaction, TMessage response);

    /// <summary>
    /// Build the 100 (Trying) an INVITE server transaction sends when created (RFC 3261 §17.2.1, §8.2.6.1: copy
    /// Via, From, To, Call-ID, CSeq and Timestamp; no To tag needed). Return null to send none.
    /// </summary>
    TMessage? BuildTrying(Transaction<TMessage> transaction);

    /// <summary>Pass a response to the TU (client transactions; for INVITE also every 2xx in Accepted).</summary>
    void DeliverResponse(Transaction<TMessage> transaction, TMessage response);

    /// <summary>
    /// Pass a request to the TU: the request that created a server transaction, or an ACK matched to an INVITE
    /// server transaction in the Accepted state (RFC 6026 §7.1).
    /// </summary>
    void DeliverRequest(Transaction<TMessage> transaction, TMessage request);

    /// <summary>Tell the TU that the transaction failed (Timer B, F, H, or a transport error).</summary>
    void Failed(Transaction<TMessage> transaction, TransactionFailure failure);

    /// <summary>The transaction reached Terminated and has been removed from the table.</summary>
    void Terminated(Transaction<TMessage> transaction);
}
