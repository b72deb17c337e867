namespace Routing.Sip.Transactions;

// INVITE server transaction, RFC 3261 §17.2.1 as corrected by RFC 6026 §7.1 (Accepted state, Timer L).
//                                |INVITE
//                                |pass INV to TU
//             INVITE             V send 100 (unless the TU answers within 200 ms)
//             send response+-----------+
//                 +--------|           |--------+ 1xx from TU
//                 |        |Proceeding |        | send response
//                 +------->|           |<-------+
//                          |           |          transport error
//                          |           |          inform TU
//                          |           |--------------------------------->+
//                          +-----------+                                  |
//             300-699 from TU |     |2xx from TU                          |
//             send response   |     |send response                        |
//                             |     +------------------+                  |
//                             |                        |                  |
//             INVITE          V      Timer G fires     |                  |
//             send response+-----------+ send response V                  |
//                 +--------|           |--------+  +-----------+ 2xx from TU
//                 |        | Completed |        |  | Accepted  |-----+ send response
//                 +------->|           |<-------+  |           |<----+    |
//                          +-----------+           +-----------+ INVITE: absorb
//                             |     |                 |  ^  |    ACK: to TU
//                         ACK |     | Timer H fires   |  +--+       |
//                         -   |     | or transport    |             |
//                             V     | error, inform TU| Timer L     |
//                          +-----------+              | fires       |
//                          | Confirmed |              |             |
//                          +-----------+              |             |
//                             | Timer I fires         |             |
//                             V                       V             |
//                          +----------------------------+           |
//                          |         Terminated         |<----------+
//                          +----------------------------+
public static class InviteServerTransaction
{
    /// <summary>Applies <paramref name="input"/> to <paramref name="state"/> at time <paramref name="now"/>.</summary>
    public static TransactionStep Apply(in TransactionState state, in TransactionInput input, TimeSpan now) => state.Name switch
    {
        TransactionStateName.Initial => Initial(state, input),
        TransactionStateName.Proceeding => Proceeding(state, input, now),
        TransactionStateName.Completed => Completed(state, input, now),
        TransactionStateName.Confirmed => Confirmed(state, input),
        TransactionStateName.Accepted => Accepted(state, input),
        _ => new TransactionStep(state),
    };

    private static TransactionStep Initial(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        if (input.Kind != TransactionInputKind.RequestReceived)
        {
            return step;
        }

        // RFC 3261 §17.2.1: enter Proceeding, pass the INVITE up, and quench the client's Timer A with a 100.
        step.State = state.With(TransactionStateName.Proceeding, TimeSpan.Zero);
        if (state.Timers.SendTrying)
        {
            step.Add(TransactionActionKind.SendTrying, 100);
        }

        step.Add(TransactionActionKind.PassRequestToTu);

        return step;
    }

    private static TransactionStep Proceeding(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.RequestRetransmission:
                // RFC 3261 §17.2.1: resend the most recent provisional response (if there is none yet, nothing).
                step.Add(TransactionActionKind.RetransmitResponse);
                return step;

            case TransactionInputKind.TuResponse when input.StatusCode is >= 100 and < 200:
                step.Add(TransactionActionKind.TransmitResponse, input.StatusCode);
                return step;

            case TransactionInputKind.TuResponse when input.StatusCode is >= 200 and < 300:
                // RFC 6026 §7.1: stay alive in Accepted for Timer L so INVITE retransmissions are absorbed and the
                // TU's own 2xx retransmissions still go out through this transaction.
                step.State = state.With(TransactionStateName.Accepted, TimeSpan.Zero);
                step.Add(TransactionActionKind.TransmitResponse, input.StatusCode);
                step.Start(TransactionTimer.L, now + state.Timers.TimerL);
                return step;

            case TransactionInputKind.TuResponse when input.StatusCode is >= 300 and <= 699:
            {
                // RFC 3261 §17.2.1: Timer G retransmits the failure until the ACK comes (unreliable only); Timer H
                // bounds the wait.
                var timers = state.Timers;
                step.State = state.With(TransactionStateName.Completed, timers.Reliable ? TimeSpan.Zero : timers.T1);
                step.Add(TransactionActionKind.TransmitResponse, input.StatusCode);
                if (!timers.Reliable)
                {
                    step.Start(TransactionTimer.G, now + timers.T1);
                }

                step.Start(TransactionTimer.H, now + timers.TimerH);
                return step;
            }

            case TransactionInputKind.TransportError:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                step.Add(TransactionActionKind.ReportTransportError);
                step.Add(TransactionActionKind.Terminate);
                return step;

            default:
                return step;
        }
    }

    private static TransactionStep Completed(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        var timers = state.Timers;
        switch (input.Kind)
        {
            case TransactionInputKind.RequestRetransmission:
                step.Add(TransactionActionKind.RetransmitResponse);
                return step;

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.G:
            {
                // RFC 3261 §17.2.1: Timer G doubles up to T2.
                var doubled = state.RetransmitInterval * 2;
                var interval = doubled < timers.T2 ? doubled : timers.T2;
                step.State = state.With(TransactionStateName.Completed, interval);
                step.Add(TransactionActionKind.RetransmitResponse);
                step.Start(TransactionTimer.G, now + interval);
                return step;
            }

            case TransactionInputKind.AckReceived:
            {
                // RFC 3261 §17.2.1: Confirmed absorbs further ACKs for Timer I (zero on reliable transports).
                CancelG(ref step, timers);
                step.Cancel(TransactionTimer.H);
                if (timers.TimerI == TimeSpan.Zero)
                {
                    step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                    step.Add(TransactionActionKind.Terminate);
                    return step;
                }

                step.State = state.With(TransactionStateName.Confirmed, TimeSpan.Zero);
                step.Start(TransactionTimer.I, now + timers.TimerI);
                return step;
            }

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.H:
                // RFC 3261 §17.2.1: the ACK never came; the TU must learn the transaction failed.
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                CancelG(ref step, timers);
                step.Add(TransactionActionKind.ReportTimeout);
                step.Add(TransactionActionKind.Terminate);
                return step;

            case TransactionInputKind.TransportError:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                CancelG(ref step, timers);
                step.Cancel(TransactionTimer.H);
                step.Add(TransactionActionKind.ReportTransportError);
                step.Add(TransactionActionKind.Terminate);
                return step;

            default:
                return step;
        }
    }

    private static TransactionStep Confirmed(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        if (input.Kind == TransactionInputKind.TimerFired && input.Timer == TransactionTimer.I)
        {
            step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
            step.Add(TransactionActionKind.Terminate);
        }

        // RFC 3261 §17.2.1: ACK and INVITE retransmissions in Confirmed are absorbed without any action.
        return step;
    }

    private static TransactionStep Accepted(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.AckReceived:
                // RFC 6026 §7.1: an ACK matching the transaction in Accepted is for the 2xx; the TU needs it.
                step.Add(TransactionActionKind.PassRequestToTu);
                return step;

            case TransactionInputKind.TuResponse when input.StatusCode is >= 200 and < 300:
                // RFC 6026 §7.1: the TU retransmits its 2xx itself; the transaction only passes it to the transport.
                step.Add(TransactionActionKind.TransmitResponse, input.StatusCode);
                return step;

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.L:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                step.Add(TransactionActionKind.Terminate);
                return step;

            default:
                // RFC 6026 §7.1: INVITE retransmissions are absorbed; other responses from the TU are discarded.
                return step;
        }
    }

    private static void CancelG(ref TransactionStep step, TransactionTimerValues timers)
    {
        if (!timers.Reliable)
        {
            step.Cancel(TransactionTimer.G);
        }
    }
}
