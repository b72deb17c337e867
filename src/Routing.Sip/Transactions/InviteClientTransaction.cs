namespace Routing.Sip.Transactions;

// INVITE client transaction, RFC 3261 §17.1.1 as corrected by RFC 6026 §7.2 (Accepted state, Timer M).
//                     |INVITE from TU
//   Timer A fires     |INVITE sent        Timer B fires
//   reset A,          V                   or transport error
//   INVITE sent +-----------+             inform TU
//        +------|  Calling  |---------------------------------+
//        +----->|           |------------+                    |
//               +-----------+ 2xx        |                    |
//        300-699   |     |1xx  2xx to TU |                    |
//        ACK sent  |     |1xx to TU      |                    |
//        resp to TU|     V               |                    |
//                  | +-----------+       |                    |
//   1xx to TU  +---|-| Proceeding|------>+  2xx, 2xx to TU    |
//              +---|>|           |       |                    |
//                  | +-----------+       V                    |
//                  |   |300-699   +-----------+ 2xx           |
//                  |   |ACK sent, | Accepted  |-----+ 2xx to TU
//                  |   |resp to TU|           |<----+         |
//                  V   V          +-----------+               |
//   300-699     +-----------+        | Timer M fires          |
//   ACK sent +--| Completed |        |                        |
//            +->|           |----+   |                        |
//               +-----------+    |   |                        |
//     Timer D fires |  transport |   |                        |
//                   |  error     |   |                        |
//                   V            V   V                        |
//               +-----------------------+                     |
//               |      Terminated       |<--------------------+
//               +-----------------------+
public static class InviteClientTransaction
{
    /// <summary>Applies <paramref name="input"/> to <paramref name="state"/> at time <paramref name="now"/>.</summary>
    public static TransactionStep Apply(in TransactionState state, in TransactionInput input, TimeSpan now) => state.Name switch
    {
        TransactionStateName.Initial => Initial(state, input, now),
        TransactionStateName.Calling => Calling(state, input, now),
        TransactionStateName.Proceeding => Proceeding(state, input, now),
        TransactionStateName.Completed => Completed(state, input),
        TransactionStateName.Accepted => Accepted(state, input),
        _ => new TransactionStep(state),
    };

    private static TransactionStep Initial(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        if (input.Kind != TransactionInputKind.SendRequest)
        {
            return step;
        }

        // RFC 3261 §17.1.1.2: send, start Timer A (unreliable only) at T1 and Timer B at 64*T1.
        var timers = state.Timers;
        step.State = state.With(TransactionStateName.Calling, timers.Reliable ? TimeSpan.Zero : timers.T1);
        step.Add(TransactionActionKind.TransmitRequest);
        if (!timers.Reliable)
        {
            step.Start(TransactionTimer.A, now + timers.T1);
        }

        step.Start(TransactionTimer.B, now + timers.TimerB);
        return step;
    }

    private static TransactionStep Calling(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.A:
            {
                // RFC 3261 §17.1.1.2: Timer A doubles on every retransmission, with no cap; Timer B ends it.
                var interval = state.RetransmitInterval * 2;
                step.State = state.With(TransactionStateName.Calling, interval);
                step.Add(TransactionActionKind.RetransmitRequest);
                step.Start(TransactionTimer.A, now + interval);
                return step;
            }

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.B:
            case TransactionInputKind.TransportError:
                return Fail(state, input.Kind);

            case TransactionInputKind.ResponseReceived:
                if (input.StatusCode is >= 100 and < 200)
                {
                    // RFC 3261 §17.1.1.2: a provisional response stops retransmissions; Proceeding has no timeout
                    // (the TU's Timer C or CANCEL ends a ringing INVITE).
                    step.State = state.With(TransactionStateName.Proceeding, TimeSpan.Zero);
                    CancelCallingTimers(ref step, state);
                    step.Add(TransactionActionKind.PassResponseToTu, input.StatusCode);
                    return step;
                }

                CancelCallingTimers(ref step, state);
                return Final(step, state, input.StatusCode, now);

            default:
                return step;
        }
    }

    private static TransactionStep Proceeding(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        if (input.Kind != TransactionInputKind.ResponseReceived)
        {
            return step;
        }

        if (input.StatusCode is >= 100 and < 200)
        {
            step.Add(TransactionActionKind.PassResponseToTu, input.StatusCode);
            return step;
        }

        return Final(step, state, input.StatusCode, now);
    }

    private static TransactionStep Completed(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.ResponseReceived when input.StatusCode is >= 300 and <= 699:
                // RFC 3261 §17.1.1.2: a retransmitted final response is ACKed again and not passed up.
                step.Add(TransactionActionKind.SendAck, input.StatusCode);
                return step;

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.D:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                step.Add(TransactionActionKind.Terminate);
                return step;

            case TransactionInputKind.TransportError:
                // RFC 3261 Figure 5: a transport error while sending the ACK ends the transaction.
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                step.Cancel(TransactionTimer.D);
                step.Add(TransactionActionKind.ReportTransportError);
                step.Add(TransactionActionKind.Terminate);
                return step;

            default:
                return step;
        }
    }

    private static TransactionStep Accepted(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.ResponseReceived when input.StatusCode is >= 200 and < 300:
                // RFC 6026 §7.2: retransmitted 2xx and 2xx from other forks go to the TU, which ACKs them.
                step.Add(TransactionActionKind.PassResponseToTu, input.StatusCode);
                return step;

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.M:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                step.Add(TransactionActionKind.Terminate);
                return step;

            default:
                // RFC 6026 §7.2: any other response in Accepted is discarded.
                return step;
        }
    }

    private static TransactionStep Final(TransactionStep step, in TransactionState state, int statusCode, TimeSpan now)
    {
        if (statusCode is >= 200 and < 300)
        {
            // RFC 6026 §7.2: 2xx moves to Accepted instead of Terminated so that retransmitted 2xx still match.
            step.State = state.With(TransactionStateName.Accepted, TimeSpan.Zero);
            step.Add(TransactionActionKind.PassResponseToTu, statusCode);
            step.Start(TransactionTimer.M, now + state.Timers.TimerM);
            return step;
        }

        if (statusCode is < 300 or > 699)
        {
            return new TransactionStep(state);
        }

        // RFC 3261 §17.1.1.2: ACK the failure hop by hop, pass it up, then wait Timer D for retransmissions.
        step.Add(TransactionActionKind.SendAck, statusCode);
        step.Add(TransactionActionKind.PassResponseToTu, statusCode);
        var timerD = state.Timers.TimerD;
        if (timerD == TimeSpan.Zero)
        {
            step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
            step.Add(TransactionActionKind.Terminate);
            return step;
        }

        step.State = state.With(TransactionStateName.Completed, TimeSpan.Zero);
        step.Start(TransactionTimer.D, now + timerD);
        return step;
    }

    private static void CancelCallingTimers(ref TransactionStep step, in TransactionState state)
    {
        if (!state.Timers.Reliable)
        {
            step.Cancel(TransactionTimer.A);
        }

        step.Cancel(TransactionTimer.B);
    }

    private static TransactionStep Fail(in TransactionState state, TransactionInputKind cause)
    {
        var step = new TransactionStep(state.With(TransactionStateName.Terminated, TimeSpan.Zero));
        if (cause == TransactionInputKind.TransportError)
        {
            CancelCallingTimers(ref step, state);
            step.Add(TransactionActionKind.ReportTransportError);
        }
        else
        {
            if (!state.Timers.Reliable)
            {
                step.Cancel(TransactionTimer.A);
            }

            step.Add(TransactionActionKind.ReportTimeout);
        }

        step.Add(TransactionActionKind.Terminate);
        return step;
    }
}
