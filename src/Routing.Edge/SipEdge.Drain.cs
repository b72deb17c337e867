using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transactions;

namespace Routing.Edge;

/// <summary>
/// Drain: the edge stops taking new transactions and lets the ones in flight finish before its sockets close.
/// <list type="number">
/// <item><see cref="BeginDrain"/>: from now on a request that would open a new server transaction is left unanswered
/// (counted as <see cref="SipDropCause.Draining"/>); retransmissions, ACKs, CANCELs and responses are still handled,
/// so transactions already open complete. A UDP sender retransmits the dropped request (RFC 3261 §17.1.1.2, §17.1.2.2)
/// and, once this member's sockets are closed, the shared address hands it to another member.</item>
/// <item><see cref="WaitForInFlightAsync"/>: waits until no transaction is in flight (a server transaction delivered
/// to a TU without a final response, or a client transaction without a final response), or the bound expires.</item>
/// <item>The host then closes the listeners: TCP/TLS flows end and RFC 5626 §4.2 clients re-register over another
/// flow, i.e. another member.</item>
/// </list>
/// </summary>
public sealed partial class SipEdge
{
    private int _draining;
    private int _inFlight;

    /// <summary>True once <see cref="BeginDrain"/> ran.</summary>
    public bool Draining => Volatile.Read(ref _draining) != 0;

    /// <summary>Transactions in flight: server ones without a final response yet, client ones without a final response.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Stops taking new transactions; the ones in flight go on. Idempotent.</summary>
    public void BeginDrain() => Volatile.Write(ref _draining, 1);

    /// <summary>
    /// Waits until <see cref="InFlight"/> is 0 or <paramref name="bound"/> passed on the edge's clock, checking every
    /// timer resolution. Returns the transactions still in flight (0 when all finished).
    /// </summary>
    public async Task<int> WaitForInFlightAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (InFlight > 0 && _time.GetElapsedTime(start) < bound)
        {
            await Task.Delay(_resolution, _time, cancellationToken).ConfigureAwait(false);
        }

        return InFlight;
    }

    internal void InFlightChanged(int delta) => Interlocked.Add(ref _inFlight, delta);

    private void LeaveInFlight(ClientTransactionContext client)
    {
        if (client.InFlight)
        {
            client.InFlight = false;
            InFlightChanged(-1);
        }
    }

    /// <summary>While draining: true (and counted) for a request that would open a new server transaction.</summary>
    private bool RefusedWhileDraining(SipMessage request, in ServerRequestInfo info)
    {
        // ACK opens no transaction (a 2xx ACK is routed by its dialog); CANCEL matches a transaction in flight (§9.2).
        if (request.Method is SipMethod.Ack or SipMethod.Cancel || _table.TryGetServer(info, out _))
        {
            return false;
        }

        _metrics.Dropped(SipDropCause.Draining);
        return true;
    }
}
