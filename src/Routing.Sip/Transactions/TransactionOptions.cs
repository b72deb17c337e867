namespace Routing.Sip.Transactions;

/// <summary>Timer base values of RFC 3261 §17.1.1.1 and Table 4, and table behaviour.</summary>
public sealed record TransactionOptions
{
    /// <summary>RTT estimate T1; default 500 ms (RFC 3261 §17.1.1.1).</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses; default 4 s.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum time a message stays in the network; default 5 s.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D on unreliable transports; default 32 s (RFC 3261 §17.1.1.2 says at least 32 s).</summary>
    public TimeSpan TimerDUnreliable { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>
    /// Whether an INVITE server transaction sends 100 (Trying) as soon as it is created; default true
    /// (RFC 3261 §17.2.1: unless the TU is known to answer within 200 ms).
    /// </summary>
    public bool SendTryingForInvite { get; init; } = true;

    /// <summary>Whether the table reports merged requests (RFC 3261 §8.2.2.2); default true. A pure proxy may turn it off.</summary>
    public bool DetectMergedRequests { get; init; } = true;

    /// <summary>
    /// Whether a non-INVITE server transaction over an unreliable transport stays in the table, Completed, for Timer J
    /// after its final response (RFC 3261 §17.2.2); default true. False ends it at once, as on a reliable transport, for
    /// an owner that keeps the Completed state itself (the edge keeps only the key and the response bytes); that owner
    /// must then absorb the request's retransmissions for 64*T1.
    /// </summary>
    public bool LingerCompletedNonInviteServer { get; init; } = true;

    /// <summary>Granularity of the timing wheel; default 10 ms. Timers fire on the first tick at or after their due time.</summary>
    public TimeSpan TimerResolution { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The defaults of RFC 3261.</summary>
    public static TransactionOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (T1 <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(T1), T1, "T1 must be positive.");
        }

        if (T2 < T1)
        {
            throw new ArgumentOutOfRangeException(nameof(T2), T2, "T2 must be at least T1.");
        }

        if (T4 < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(T4), T4, "T4 must not be negative.");
        }

        if (TimerDUnreliable < TimeSpan.FromSeconds(32))
        {
            throw new ArgumentOutOfRangeException(nameof(TimerDUnreliable), TimerDUnreliable, "Timer D must be at least 32 s (RFC 3261 §17.1.1.2).");
        }

        if (TimerResolution <= TimeSpan.Zero || TimerResolution > T1)
        {
            throw new ArgumentOutOfRangeException(nameof(TimerResolution), TimerResolution, "The timer resolution must be positive and at most T1.");
        }
    }
}

/// <summary>
/// The timer durations for one kind of transport, computed once from <see cref="TransactionOptions"/>
/// (RFC 3261 Table 4, RFC 6026 §8.4 Timer L and §8.6 Timer M).
/// </summary>
public sealed class TransactionTimerValues
{
    private TransactionTimerValues(TransactionOptions options, bool reliable)
    {
        Reliable = reliable;
        T1 = options.T1;
        T2 = options.T2;
        T4 = options.T4;
        var sixtyFourT1 = options.T1 * 64;
        TimerB = sixtyFourT1;
        TimerF = sixtyFourT1;
        TimerH = sixtyFourT1;
        TimerL = sixtyFourT1;
        TimerM = sixtyFourT1;

        // RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2: the "wait for retransmissions" timers are zero on
        // reliable transports because the network cannot deliver a copy later.
        TimerD = reliable ? TimeSpan.Zero : options.TimerDUnreliable;
        TimerI = reliable ? TimeSpan.Zero : options.T4;
        TimerJ = reliable || !options.LingerCompletedNonInviteServer ? TimeSpan.Zero : sixtyFourT1;
        TimerK = reliable ? TimeSpan.Zero : options.T4;
        SendTrying = options.SendTryingForInvite;
    }

    /// <summary>True for TCP, TLS, SCTP, WS: no request or response retransmission timers (RFC 3261 §17.1.1.2).</summary>
    public bool Reliable { get; }

    public TimeSpan T1 { get; }

    public TimeSpan T2 { get; }

    public TimeSpan T4 { get; }

    /// <summary>INVITE transaction timeout, 64*T1.</summary>
    public TimeSpan TimerB { get; }

    /// <summary>Wait time for response retransmissions: at least 32 s unreliable, 0 reliable.</summary>
    public TimeSpan TimerD { get; }

    /// <summary>Non-INVITE transaction timeout, 64*T1.</summary>
    public TimeSpan TimerF { get; }

    /// <summary>Wait time for ACK receipt, 64*T1.</summary>
    public TimeSpan TimerH { get; }

    /// <summary>Wait time for ACK retransmissions: T4 unreliable, 0 reliable.</summary>
    public TimeSpan TimerI { get; }

    /// <summary>Wait time for non-INVITE request retransmissions: 64*T1 unreliable, 0 reliable (or when the owner keeps the Completed state).</summary>
    public TimeSpan TimerJ { get; }

    /// <summary>Wait time for non-INVITE response retransmissions: T4 unreliable, 0 reliable.</summary>
    public TimeSpan TimerK { get; }

    /// <summary>RFC 6026 §8.4: wait time for accepted INVITE request retransmissions, 64*T1.</summary>
    public TimeSpan TimerL { get; }

    /// <summary>RFC 6026 §8.6: wait time for retransmission of 2xx to INVITE or additional 2xx from other branches, 64*T1.</summary>
    public TimeSpan TimerM { get; }

    /// <summary>Whether the INVITE server transaction sends 100 (Trying) on creation.</summary>
    public bool SendTrying { get; }

    /// <summary>The values for an unreliable (UDP) transport.</summary>
    public static TransactionTimerValues ForUnreliable(TransactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new TransactionTimerValues(options, reliable: false);
    }

    /// <summary>The values for a reliable (stream) transport.</summary>
    public static TransactionTimerValues ForReliable(TransactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new TransactionTimerValues(options, reliable: true);
    }

    /// <summary>Default RFC values over UDP.</summary>
    public static TransactionTimerValues DefaultUnreliable { get; } = ForUnreliable(TransactionOptions.Default);

    /// <summary>Default RFC values over TCP/TLS.</summary>
    public static TransactionTimerValues DefaultReliable { get; } = ForReliable(TransactionOptions.Default);
}
