namespace Routing.Sip.Transactions;

/// <summary>
/// One live transaction owned by a <see cref="TransactionTable{TMessage}"/>. The table mutates it; callers read it
/// and may hang their own data on <see cref="Context"/> (for example the flow or destination to send on).
/// </summary>
public sealed class Transaction<TMessage>
    where TMessage : class
{
    private object? _rfc2543Key;

    internal Transaction(TransactionState state, TMessage request, object? context)
    {
        MachineState = state;
        Request = request;
        Context = context;
    }

    /// <summary>Which of the four machines runs this transaction.</summary>
    public TransactionKind Kind => MachineState.Kind;

    /// <summary>The machine's current state.</summary>
    public TransactionStateName State => MachineState.Name;

    /// <summary>Whether the transport is reliable (no retransmission timers).</summary>
    public bool Reliable => MachineState.Timers.Reliable;

    /// <summary>The request that created the transaction.</summary>
    public TMessage Request { get; }

    /// <summary>Server: the most recent response sent. Client: the most recent response received.</summary>
    public TMessage? LastResponse { get; internal set; }

    /// <summary>Status code of <see cref="LastResponse"/>, or 0.</summary>
    public int LastStatusCode { get; internal set; }

    /// <summary>INVITE client: the ACK built for the non-2xx final response, re-sent on its retransmissions.</summary>
    public TMessage? Ack { get; internal set; }

    /// <summary>Caller-owned data (destination, flow, correlation with the TU).</summary>
    public object? Context { get; set; }

    /// <summary>Client transactions: their key (RFC 3261 §17.1.3).</summary>
    public ClientTransactionKey ClientKey { get; internal set; }

    /// <summary>Server transactions with a magic-cookie branch: their key (RFC 3261 §17.2.3).</summary>
    public ServerTransactionKey? ServerKey { get; internal set; }

    /// <summary>Server transactions from RFC 2543 peers: their fallback key.</summary>
    /// <remarks>Boxed: such peers are rare, so the common transaction does not carry the wide key inline.</remarks>
    public Rfc2543TransactionKey? Rfc2543Key
    {
        get => _rfc2543Key is null ? null : (Rfc2543TransactionKey)_rfc2543Key;
        internal set => _rfc2543Key = value;
    }

    /// <summary>Server transactions: the §8.2.2.2 key registered for merged-request detection, if any.</summary>
    public MergedRequestKey? MergeKey { get; internal set; }

    /// <summary>Server: To tag of the creating request (RFC 2543 matching of retransmissions).</summary>
    public string? RequestToTag { get; internal set; }

    /// <summary>Server: To tag of the last response sent (RFC 2543 matching of the ACK, §17.2.3).</summary>
    public string? ResponseToTag { get; internal set; }

    internal TransactionState MachineState { get; set; }

    internal bool Removed { get; set; }

    // At most one timer of each family runs at a time: retransmission (A, E, G), timeout (B, F, H, L, M) and
    // linger (D, I, J, K).
    internal TimerHandle RetransmitTimer { get; set; }

    internal TimerHandle TimeoutTimer { get; set; }

    internal TimerHandle LingerTimer { get; set; }

    public override string ToString() => $"{Kind} {State}";
}
