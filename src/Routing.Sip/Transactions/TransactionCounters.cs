namespace Routing.Sip.Transactions;

/// <summary>
/// Counters kept by a <see cref="TransactionTable{TMessage}"/>, per <see cref="TransactionKind"/>. Retransmission
/// counts are the raw material for retransmission-storm diagnostics. Updated by the table's single driver; read
/// them from the same thread or accept slightly stale values.
/// </summary>
public sealed class TransactionCounters
{
    private const int Kinds = 4;
    private readonly long[] _retransmissionsSent = new long[Kinds];
    private readonly long[] _retransmissionsReceived = new long[Kinds];
    private readonly long[] _timeouts = new long[Kinds];
    private readonly long[] _transportErrors = new long[Kinds];
    private readonly long[] _created = new long[Kinds];
    private readonly long[] _terminated = new long[Kinds];

    /// <summary>Requests, responses and ACKs this element sent again (Timer A/E/G, absorbed retransmissions, 2xx resent by the TU).</summary>
    public long RetransmissionsSent(TransactionKind kind) => _retransmissionsSent[(int)kind];

    /// <summary>Retransmitted requests, responses and ACKs received and absorbed by a transaction.</summary>
    public long RetransmissionsReceived(TransactionKind kind) => _retransmissionsReceived[(int)kind];

    /// <summary>Transactions ended by Timer B, F or H.</summary>
    public long Timeouts(TransactionKind kind) => _timeouts[(int)kind];

    /// <summary>Transactions ended by a transport error.</summary>
    public long TransportErrors(TransactionKind kind) => _transportErrors[(int)kind];

    public long Created(TransactionKind kind) => _created[(int)kind];

    public long Terminated(TransactionKind kind) => _terminated[(int)kind];

    /// <summary>Transactions created and not yet terminated, over all kinds.</summary>
    public long Live
    {
        get
        {
            long live = 0;
            for (var i = 0; i < Kinds; i++)
            {
                live += _created[i] - _terminated[i];
            }

            return live;
        }
    }

    /// <summary>Counts a retransmission sent; the table's driver also calls it for the Completed states it keeps itself.</summary>
    public void RetransmissionSent(TransactionKind kind) => _retransmissionsSent[(int)kind]++;

    /// <summary>Counts a retransmission absorbed; see <see cref="RetransmissionSent"/>.</summary>
    public void RetransmissionReceived(TransactionKind kind) => _retransmissionsReceived[(int)kind]++;

    internal void Timeout(TransactionKind kind) => _timeouts[(int)kind]++;

    internal void TransportError(TransactionKind kind) => _transportErrors[(int)kind]++;

    internal void Create(TransactionKind kind) => _created[(int)kind]++;

    internal void Terminate(TransactionKind kind) => _terminated[(int)kind]++;
}
