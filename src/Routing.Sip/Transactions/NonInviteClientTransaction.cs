namespace Routing.Sip.Transactions;

// Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6).
//                           |Request from TU
//                           |send request
//       Timer E             V
//       send request  +-----------+
//           +---------|           |-------------------+
//           |         |  Trying   |  Timer F          |
//           +-------->|           |  or transport err.|
//                     +-----------+  inform TU        |
//        200-699         |  |                         |
//        resp. to TU     |  |1xx                      |
//        +---------------+  |resp. to TU              |
//        |                  |                         |
//        |   Timer E        V       Timer F           |
//        |   send req +-----------+ or transport err. |
//        |  +---------|           | inform TU         |
//        |  |         |Proceeding |------------------>|
//        |  +-------->|           |-----+             |
//        |            +-----------+     |1xx          |
//        |              |      ^        |resp to TU   |
//        | 200-699      |      +--------+             |
//        | resp. to TU  |                             |
//        |              |                             |
//        |              V                             |
//        |            +-----------+                   |
//        |            |           |                   |
//        |            | Completed |                   |
//        |            |           |                   |
//        |            +-----------+                   |
//        |              ^   |                         |
//        |              |   | Timer K                 |
//        +--------------+   | -                       |
//                           |                         |
//                           V                         |
//                     +-----------+                   |
//                     |           |                   |
//                     | Terminated|<------------------+
//                     |           |
//                     +-----------+
public static class NonInviteClientTransaction
{
    /// <summary>Applies <paramref name="input"/> to <paramref name="state"/> at time <paramref name="now"/>.</summary>
    public static TransactionStep Apply(in TransactionState state, in TransactionInput input, TimeSpan now) => state.Name switch
    {
        TransactionStateName.Initial => Initial(state, input, now),
        TransactionStateName.Trying => TryingOrProceeding(state, input, now),
        TransactionStateName.Proceeding => TryingOrProceeding(state, input, now),
        TransactionStateName.Completed => Completed(state, input),
        _ => new TransactionStep(state),
    };

    private static TransactionStep Initial(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        if (input.Kind != TransactionInputKind.SendRequest)
        {
            return step;
        }

        // RFC 3261 §17.1.2.2: Timer F bounds the transaction; Timer E retransmits over unreliable transports only.
        var timers = state.Timers;
        step.State = state.With(TransactionStateName.Trying, timers.Reliable ? TimeSpan.Zero : timers.T1);
        step.Add(TransactionActionKind.TransmitRequest);
        if (!timers.Reliable)
        {
            step.Start(TransactionTimer.E, now + timers.T1);
        }

        step.Start(TransactionTimer.F, now + timers.TimerF);
        return step;
    }

    private static TransactionStep TryingOrProceeding(in TransactionState state, in TransactionInput input, TimeSpan now)
    {
        var step = new TransactionStep(state);
        switch (input.Kind)
        {
            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.E:
            {
                // RFC 3261 §17.1.2.2: in Trying the interval doubles up to T2; once a provisional response has
                // arrived (Proceeding) it is T2 at once.
                var interval = state.Name == TransactionStateName.Proceeding
                    ? state.Timers.T2
                    : Min(state.RetransmitInterval * 2, state.Timers.T2);
                step.State = state.With(state.Name, interval);
                step.Add(TransactionActionKind.RetransmitRequest);
                step.Start(TransactionTimer.E, now + interval);
                return step;
            }

            case TransactionInputKind.TimerFired when input.Timer == TransactionTimer.F:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                CancelE(ref step, state);
                step.Add(TransactionActionKind.ReportTimeout);
                step.Add(TransactionActionKind.Terminate);
                return step;

            case TransactionInputKind.TransportError:
                step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                CancelE(ref step, state);
                step.Cancel(TransactionTimer.F);
                step.Add(TransactionActionKind.ReportTransportError);
                step.Add(TransactionActionKind.Terminate);
                return step;

            case TransactionInputKind.ResponseReceived when input.StatusCode is >= 100 and < 200:
                step.State = state.With(TransactionStateName.Proceeding);
                step.Add(TransactionActionKind.PassResponseToTu, input.StatusCode);
                return step;

            case TransactionInputKind.ResponseReceived when input.StatusCode is >= 200 and <= 699:
            {
                // RFC 3261 §17.1.2.2: Timer K absorbs retransmitted final responses (zero on reliable transports).
                CancelE(ref step, state);
                step.Cancel(TransactionTimer.F);
                step.Add(TransactionActionKind.PassResponseToTu, input.StatusCode);
                var timerK = state.Timers.TimerK;
                if (timerK == TimeSpan.Zero)
                {
                    step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
                    step.Add(TransactionActionKind.Terminate);
                    return step;
                }

                step.State = state.With(TransactionStateName.Completed, TimeSpan.Zero);
                step.Start(TransactionTimer.K, now + timerK);
                return step;
            }

            default:
                return step;
        }
    }

    private static TransactionStep Completed(in TransactionState state, in TransactionInput input)
    {
        var step = new TransactionStep(state);
        if (input.Kind == TransactionInputKind.TimerFired && input.Timer == TransactionTimer.K)
        {
            step.State = state.With(TransactionStateName.Terminated, TimeSpan.Zero);
            step.Add(TransactionActionKind.Terminate);
        }

        // Any response in Completed is a retransmission and is absorbed (RFC 3261 §17.1.2.2).
        return step;
    }

    private static void CancelE(ref TransactionStep step, in TransactionState state)
    {
        if (!state.Timers.Reliable)
        {
            step.Cancel(TransactionTimer.E);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
