namespace Routing.Sip.Transactions;

/// <summary>What <see cref="TransactionTable{TMessage}.ReceiveRequest"/> did with a request.</summary>
public enum ServerRequestOutcome : byte
{
    /// <summary>A new server transaction was created and the request was delivered to the TU.</summary>
    Created = 0,

    /// <summary>The request retransmits a live transaction's request; it was absorbed (the last response re-sent if any).</summary>
    Retransmission,

    /// <summary>An ACK for a non-2xx final response was absorbed by its INVITE server transaction.</summary>
    AckAbsorbed,

    /// <summary>An ACK matched an INVITE server transaction in Accepted and was delivered to the TU (RFC 6026 §7.1).</summary>
    AckPassedToTu,

    /// <summary>
    /// An ACK matched no transaction: normally the ACK for a 2xx (its own transaction, RFC 3261 §17). The caller
    /// hands it to the core (a proxy forwards it statelessly, §16.10); it is never answered.
    /// </summary>
    AckWithoutTransaction,

    /// <summary>
    /// RFC 3261 §8.2.2.2: same From tag, Call-ID and CSeq as a live transaction, no To tag, different transaction.
    /// No transaction was created; answer 482 (Loop Detected) statelessly (see <see cref="StatelessReject"/>).
    /// </summary>
    MergedRequest,
}

/// <summary>The result of <see cref="TransactionTable{TMessage}.ReceiveRequest"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Transaction">The transaction concerned: the new or matched one, or for a merged request the live transaction it collided with.</param>
public readonly record struct ServerRequestResult<TMessage>(ServerRequestOutcome Outcome, Transaction<TMessage>? Transaction)
    where TMessage : class;

/// <summary>What <see cref="TransactionTable{TMessage}.ReceiveResponse"/> did with a response.</summary>
public enum ClientResponseOutcome : byte
{
    /// <summary>
    /// No client transaction matches (RFC 3261 §17.1.3). RFC 6026 §7.2: a UAC discards it; a proxy forwards it
    /// statelessly only if the core decides so.
    /// </summary>
    NoTransaction = 0,

    /// <summary>The response was delivered to the TU.</summary>
    PassedToTu,

    /// <summary>A retransmitted final response was absorbed (for INVITE: the ACK was sent again).</summary>
    RetransmissionAbsorbed,

    /// <summary>The response matched but the state discards it (e.g. a 1xx after a final response).</summary>
    Discarded,
}

/// <summary>What <see cref="TransactionTable{TMessage}.SendResponse"/> did with the TU's response.</summary>
public enum ServerResponseOutcome : byte
{
    /// <summary>The response went to the transport.</summary>
    Sent = 0,

    /// <summary>The state does not accept this response (e.g. a second final response; RFC 3261 §17.2.2).</summary>
    Discarded,
}

/// <summary>How a UAS answers a CANCEL (RFC 3261 §9.2).</summary>
public enum CancelOutcome : byte
{
    /// <summary>No INVITE server transaction matches: answer the CANCEL with 481.</summary>
    NoMatchingTransaction = 0,

    /// <summary>The INVITE has no final response yet: answer the CANCEL with 200 and the INVITE with 487.</summary>
    CancelPending,

    /// <summary>
    /// The INVITE already has a final response (e.g. a 200 crossed the CANCEL): answer the CANCEL with 200; the
    /// INVITE transaction is not affected and gets no 487.
    /// </summary>
    AlreadyAnswered,
}

/// <summary>The transaction a CANCEL targets and what to do about it.</summary>
public readonly record struct CancelMatch<TMessage>(CancelOutcome Outcome, Transaction<TMessage>? Invite)
    where TMessage : class;

/// <summary>The RFC 3261 §9.2 rules for a matched CANCEL, as a pure function of the INVITE's state.</summary>
public static class CancelMatching
{
    /// <summary>Decides how to answer a CANCEL whose target INVITE server transaction is in <paramref name="inviteState"/>, or absent (null).</summary>
    public static CancelOutcome Decide(TransactionStateName? inviteState) => inviteState switch
    {
        null or TransactionStateName.Terminated or TransactionStateName.Initial => CancelOutcome.NoMatchingTransaction,
        TransactionStateName.Proceeding => CancelOutcome.CancelPending,
        _ => CancelOutcome.AlreadyAnswered,
    };

    /// <summary>The status for the CANCEL itself: 481 when nothing matched, otherwise 200 (RFC 3261 §9.2).</summary>
    public static int CancelResponseStatus(CancelOutcome outcome) =>
        outcome == CancelOutcome.NoMatchingTransaction ? 481 : 200;
}
