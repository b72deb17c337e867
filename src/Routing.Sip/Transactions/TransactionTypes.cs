namespace Routing.Sip.Transactions;

/// <summary>The four transaction state machines of RFC 3261 §17.</summary>
public enum TransactionKind : byte
{
    /// <summary>RFC 3261 §17.1.1 with the RFC 6026 Accepted state.</summary>
    InviteClient = 0,

    /// <summary>RFC 3261 §17.1.2.</summary>
    NonInviteClient = 1,

    /// <summary>RFC 3261 §17.2.1 with the RFC 6026 Accepted state.</summary>
    InviteServer = 2,

    /// <summary>RFC 3261 §17.2.2.</summary>
    NonInviteServer = 3,
}

/// <summary>State names used by the four machines; each machine uses a subset.</summary>
public enum TransactionStateName : byte
{
    /// <summary>Created but no input applied yet.</summary>
    Initial = 0,
    Calling,
    Trying,
    Proceeding,
    Completed,
    Confirmed,

    /// <summary>RFC 6026 §7.1 (server) and §7.2 (client): a 2xx was sent or received.</summary>
    Accepted,
    Terminated,
}

/// <summary>The timers of RFC 3261 §17 (Table 4) and RFC 6026 §8.</summary>
public enum TransactionTimer : byte
{
    A = 0,
    B,
    D,
    E,
    F,
    G,
    H,
    I,
    J,
    K,
    L,
    M,
}

/// <summary>Why a transaction ended without the TU receiving a final answer.</summary>
public enum TransactionFailure : byte
{
    /// <summary>Timer B, F or H fired (RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1).</summary>
    Timeout = 1,

    /// <summary>The transport reported a fatal error (RFC 3261 §17.1.4, §17.2.4).</summary>
    TransportError = 2,
}

/// <summary>What happened to an input, as seen by the caller of a machine.</summary>
public enum TransactionInputKind : byte
{
    /// <summary>Client: the TU hands the request to a new client transaction.</summary>
    SendRequest = 0,

    /// <summary>Server: the request that creates the server transaction arrived.</summary>
    RequestReceived,

    /// <summary>Server: a retransmission of the creating request arrived (RFC 3261 §17.2.3 match).</summary>
    RequestRetransmission,

    /// <summary>INVITE server: an ACK matching the transaction arrived.</summary>
    AckReceived,

    /// <summary>Client: a response matching the transaction arrived (RFC 3261 §17.1.3).</summary>
    ResponseReceived,

    /// <summary>Server: the TU passes a response to the transaction.</summary>
    TuResponse,

    /// <summary>One of the transaction's timers fired.</summary>
    TimerFired,

    /// <summary>The transport layer reported a fatal error for this transaction.</summary>
    TransportError,

    /// <summary>
    /// Non-INVITE server: the TU gives up without a final response. RFC 4320 §4.2: a transaction-stateful element must
    /// not send 408 to a non-INVITE request; the transaction ends silently (the client's Timer F ends its own).
    /// </summary>
    TuAbandon,
}

/// <summary>Effects a machine asks its owner to carry out, in order.</summary>
public enum TransactionActionKind : byte
{
    /// <summary>Pass the request to the transport for its first transmission.</summary>
    TransmitRequest = 0,

    /// <summary>Pass the request to the transport again (Timer A or E).</summary>
    RetransmitRequest,

    /// <summary>Pass the response just received from the TU to the transport.</summary>
    TransmitResponse,

    /// <summary>Pass the most recent response to the transport again (Timer G or a request retransmission).</summary>
    RetransmitResponse,

    /// <summary>INVITE server: send a 100 (Trying) (RFC 3261 §17.2.1).</summary>
    SendTrying,

    /// <summary>
    /// INVITE client: build and send the hop-by-hop ACK for a 300-699 response (RFC 3261 §17.1.1.3). See
    /// <see cref="ITransactionOutput{TMessage}.SendAck"/> for what the ACK must contain.
    /// </summary>
    SendAck,

    /// <summary>Client: hand the response to the TU.</summary>
    PassResponseToTu,

    /// <summary>Server: hand the request (or, in Accepted, the ACK) to the TU.</summary>
    PassRequestToTu,

    /// <summary>Start <see cref="TransactionAction.Timer"/> due at <see cref="TransactionAction.DueAt"/>.</summary>
    StartTimer,

    /// <summary>Cancel <see cref="TransactionAction.Timer"/>.</summary>
    CancelTimer,

    /// <summary>Tell the TU the transaction timed out (Timer B, F or H).</summary>
    ReportTimeout,

    /// <summary>Tell the TU the transport failed.</summary>
    ReportTransportError,

    /// <summary>The transaction reached Terminated and must be destroyed (RFC 3261 §17.1.1.2, §17.2.1 ...).</summary>
    Terminate,
}
