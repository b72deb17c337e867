namespace Routing.Sip.Transactions;

// Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8).
//                              |Request received
//                              |pass to TU
//                              V
//                        +-----------+
//                        |           |
//                        | Trying    |-------------+
//                        |           |             |
//                        +-----------+             |200-699 from TU
//                              |                   |send response
//                              |1xx from TU        |
//                              |send response      |
//                              |                   |
//           Request            V      1xx from TU  |
//           send response+-----------+send response|
//               +--------|           |--------+    |
//               |        | Proceeding|        |    |
//               +------->|           |<-------+    |
//        +<--------------|           |             |
//        |Trnsprt Err    +-----------+             |
//        |Inform TU            |                   |
//        |                     |                   |
//        |                     |200-699 from TU    |
//        |                     |send response      |
//        |  Request            V                   |
//        |  send response+-----------+             |
//        |      +--------|           |             |
//        |      |        | Completed |<------------+
//        |      +------->|           |
//        +<--------------|           |
//        |Trnsprt Err    +-----------+
//        |Inform TU            |
//        |                     |Timer J fires
//        |                     |-
//        |                     |
//        |                     V
//        |               +-----------+
//        |               |           |
//        +-------------->| Terminated|
//                        |           |
//                        +-----------+
public static class NonInviteServerTransaction
{
    /// <summary>Applies <paramref name="input"/> to <paramref name="state"/> at time <paramref name="now"/>.</summary>
    public static TransactionStep Apply(in TransactionState state, in TransactionInput input, TimeSpan now) => state.Name switch
    {
        TransactionStateName.Initial => Initial(state, input),
        TransactionStateName.Trying => Trying(state, input, now),
        TransactionStateName.Proceeding => Proceeding(state, input, now),
        TransactionStateName.Completed => Completed(state, input),
        _ => new TransactionStep(state),
    };

    private static TransactionStep Initial(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        if (input.Kind == TransactionInputKind.RequestReceived)
        {
            step.State = state.With(TransactionStateName.Trying, TimeSpan.Zero);
            step.Add(TransactionActionKind.PassRequestToTu);
        }

        return step;
    }

    private static TransactionStep Trying(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.TuResponse when input.StatusCode is >= 100 and < 200:
                step.State = state.With(TransactionStateName.Proceeding);
                step.Add(TransactionActionKind.TransmitResponse, input.StatusCode);
                return step;

            case TransactionInputKind.TuResponse when input.StatusCode is >= 200 and <= 699:
                return Complete(step, state, input.StatusCode, now);

            case TransactionInputKind.TuAbandon:
                return Abandoned(state, now);

            default:
                // RFC 3261 §17.2.2: a retransmission in Trying is discarded (no response exists yet).
                return step;
        }
    }

    private static TransactionStep Proceeding(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.TuResponse when input.StatusCode is >= 100 and < 200:
                step.Add(TransactionActionKind.TransmitResponse, input.StatusCode);
                return step;

            case TransactionInputKind.TuResponse when input.StatusCode is >= 200 and <= 699:
                return Complete(step, state, input.StatusCode, now);

            case TransactionInputKind.RequestRetransmission:
                step.Add(TransactionActionKind.RetransmitResponse);
                return step;

            case TransactionInputKind.TransportError:
                return TransportFailure(state);

            case TransactionInputKind.TuAbandon:
                return Abandoned(state, now);

            default:
                return step;
        }
    }

    private static TransactionStep Completed(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.RequestRetransmission:
                step.Add(TransactionActionKind.RetransmitResponse);
                return step;

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.J:
                step.State = state.With(TransactionStateName.Terminated);
                step.Add(TransactionActionKind.Terminate);
                return step;

            case TransactionInputKind.TransportError:
                return TransportFailureWithJ(state);

            default:
                // RFC 3261 §17.2.2: further final responses from the TU are discarded in Completed.
                return step;
        }
    }

    private static TransactionStep Complete(TransactionStep step, in TransactionState state, int statusCode, TimeSpan now)
    {
        // RFC 3261 §17.2.2: Timer J keeps the final response around for request retransmissions (zero on reliable
        // transports).
        step.Add(TransactionActionKind.TransmitResponse, statusCode);
        var timerJ = state.Timers.TimerJ;
        if (timerJ == TimeSpan.Zero)
        {
            step.State = state.With(TransactionStateName.Terminated);
            step.Add(TransactionActionKind.Terminate);
            return step;
        }

        step.State = state.With(TransactionStateName.Completed);
        step.Start(TransactionTimer.J, now + timerJ);
        return step;
    }

    /// <summary>
    /// RFC 4320 §4.2: no final response (never a 408). The transaction still waits Timer J, as after a final response,
    /// so retransmissions and merged copies of the request are absorbed instead of reaching the TU again.
    /// </summary>
    private static TransactionStep Abandoned(in TransactionState state, TimeSpan now)
    {
        var step = new TransactionStep(state);
        var timerJ = state.Timers.TimerJ;
        if (timerJ == TimeSpan.Zero)
        {
            step.State = state.With(TransactionStateName.Terminated);
            step.Add(TransactionActionKind.Terminate);
            return step;
        }

        step.State = state.With(TransactionStateName.Completed);
        step.Start(TransactionTimer.J, now + timerJ);
        return step;
    }

    private static TransactionStep TransportFailure(in TransactionState state)
    {
        var step = new TransactionStep(state.With(TransactionStateName.Terminated));
        step.Add(TransactionActionKind.ReportTransportError);
        step.Add(TransactionActionKind.Terminate);
        return step;
    }

    private static TransactionStep TransportFailureWithJ(in TransactionState state)
    {
        var step = new TransactionStep(state.With(TransactionStateName.Terminated));
        step.Cancel(TransactionTimer.J);
        step.Add(TransactionActionKind.ReportTransportError);
        step.Add(TransactionActionKind.Terminate);
        return step;
    }
}
