namespace Routing.Sip.Transactions;

/// <summary>
/// One input to a transaction state machine. The caller extracts the few values a machine needs (a status code,
/// which timer fired) from whatever parsed message it holds, so the machines do not depend on a parser.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="StatusCode">The response status for <see cref="TransactionInputKind.ResponseReceived"/> and <see cref="TransactionInputKind.TuResponse"/>, otherwise 0.</param>
/// <param name="Timer">The timer for <see cref="TransactionInputKind.TimerFired"/>.</param>
public readonly record struct TransactionInput(TransactionInputKind Kind, int StatusCode, TransactionTimer Timer)
{
    public static TransactionInput SendRequest => new(TransactionInputKind.SendRequest, 0, default);

    public static TransactionInput RequestReceived => new(TransactionInputKind.RequestReceived, 0, default);

    public static TransactionInput RequestRetransmission => new(TransactionInputKind.RequestRetransmission, 0, default);

    public static TransactionInput AckReceived => new(TransactionInputKind.AckReceived, 0, default);

    public static TransactionInput TransportError => new(TransactionInputKind.TransportError, 0, default);

    public static TransactionInput TuAbandon => new(TransactionInputKind.TuAbandon, 0, default);

    public static TransactionInput Response(int statusCode) => new(TransactionInputKind.ResponseReceived, statusCode, default);

    public static TransactionInput TuResponse(int statusCode) => new(TransactionInputKind.TuResponse, statusCode, default);

    public static TransactionInput TimerFired(TransactionTimer timer) => new(TransactionInputKind.TimerFired, 0, timer);
}

/// <summary>One effect requested by a state machine.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Timer">The timer for <see cref="TransactionActionKind.StartTimer"/> and <see cref="TransactionActionKind.CancelTimer"/>.</param>
/// <param name="DueAt">When a started timer fires, on the same clock as the machine's <c>now</c>.</param>
/// <param name="StatusCode">The status of the response concerned, where there is one.</param>
public readonly record struct TransactionAction(TransactionActionKind Kind, TransactionTimer Timer, TimeSpan DueAt, int StatusCode)
{
    public static TransactionAction Of(TransactionActionKind kind, int statusCode = 0) => new(kind, default, TimeSpan.Zero, statusCode);

    public static TransactionAction Start(TransactionTimer timer, TimeSpan dueAt) => new(TransactionActionKind.StartTimer, timer, dueAt, 0);

    public static TransactionAction Cancel(TransactionTimer timer) => new(TransactionActionKind.CancelTimer, timer, TimeSpan.Zero, 0);

    public override string ToString() => Kind switch
    {
        TransactionActionKind.StartTimer => $"Start {Timer} @ {DueAt.TotalMilliseconds}ms",
        TransactionActionKind.CancelTimer => $"Cancel {Timer}",
        _ when StatusCode != 0 => $"{Kind} {StatusCode}",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// The state of one transaction as the pure machines see it. Small and immutable: the table keeps one per live
/// transaction.
/// </summary>
/// <param name="Kind">Which machine.</param>
/// <param name="Name">The state within the machine.</param>
/// <param name="Timers">Timer durations for the transaction's transport (reliable or not).</param>
/// <param name="RetransmitInterval">Current interval of Timer A, E or G; zero when none runs.</param>
public readonly record struct TransactionState(
    TransactionKind Kind,
    TransactionStateName Name,
    TransactionTimerValues Timers,
    TimeSpan RetransmitInterval)
{
    /// <summary>A fresh machine of <paramref name="kind"/> before its first input.</summary>
    public static TransactionState Create(TransactionKind kind, TransactionTimerValues timers)
    {
        ArgumentNullException.ThrowIfNull(timers);
        return new TransactionState(kind, TransactionStateName.Initial, timers, TimeSpan.Zero);
    }

    public bool IsTerminated => Name == TransactionStateName.Terminated;

    internal TransactionState With(TransactionStateName name, TimeSpan retransmitInterval) =>
        new(Kind, name, Timers, retransmitInterval);

    internal TransactionState With(TransactionStateName name) => new(Kind, name, Timers, RetransmitInterval);
}
