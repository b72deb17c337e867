using System.Diagnostics.Metrics;
using Routing.Sip.Message;
using Routing.Sip.Transactions;

namespace Routing.Edge;

/// <summary>Why the edge let a message go without an answer.</summary>
public enum SipDropCause
{
    /// <summary>ACK gets no response (RFC 3261 §17.2.3); without a matching transaction it is absorbed.</summary>
    AckWithoutTransaction,
    /// <summary>A response with no client transaction to match (RFC 3261 §18.1.2: discard).</summary>
    StrayResponse,
    /// <summary>A rejected message no answer can reach (no usable Via) or a response that failed to parse.</summary>
    Unanswerable,
    /// <summary>The answer could not be handed to the socket.</summary>
    SendFailed,
    /// <summary>A TU took a non-INVITE request and did not answer within 64*T1; the edge ended it without a response (RFC 4320).</summary>
    TuNoAnswer,
    /// <summary>
    /// The transaction loop was already <see cref="EdgeOptions.MaxQueuedInbound"/> messages behind: the message was
    /// dropped at the socket so that a flood cannot grow memory without bound (UDP senders retransmit).
    /// </summary>
    Overload,
    /// <summary>
    /// A new request reached a draining edge: left unanswered so that the sender's retransmission reaches another
    /// member once this one closes its sockets (the shared address stays the same).
    /// </summary>
    Draining,
}

/// <summary>
/// Counters for the SIP edge, kept as plain arrays bumped with <see cref="Interlocked"/> on the receive path and
/// published as observable counters of the <c>Routing.Edge</c> meter (read only when metrics are scraped).
/// </summary>
public sealed class EdgeMetrics : IDisposable
{
    public const string MeterName = "Routing.Edge";

    private const int MaxStatus = 700;
    private static readonly int MethodCount = Enum.GetValues<SipMethod>().Length;
    private static readonly int ReasonCount = Enum.GetValues<SipRejectionReason>().Length;
    private static readonly int DropCount = Enum.GetValues<SipDropCause>().Length;

    private readonly long[] _requests = new long[MethodCount];
    private readonly long[] _responses = new long[MethodCount * MaxStatus];
    private readonly long[] _rejections = new long[ReasonCount];
    private readonly long[] _drops = new long[DropCount];
    private readonly Meter _meter;

    public EdgeMetrics()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("sip.requests.received", ObserveRequests, null, "SIP requests received and parsed, by method");
        _meter.CreateObservableCounter("sip.responses.sent", ObserveResponses, null, "SIP responses sent by the edge, by request method and status code");
        _meter.CreateObservableCounter("sip.parse.rejections", ObserveRejections, null, "Messages the parser refused, by reason");
        _meter.CreateObservableCounter("sip.messages.dropped", ObserveDrops, null, "Messages left without an answer, by cause");
    }

    /// <summary>
    /// Publishes the transaction table's counters: <c>sip.retransmissions.sent</c> / <c>.received</c> (raw material
    /// for retransmission-storm diagnostics), <c>sip.transactions.created</c> / <c>.timeouts</c> by transaction type,
    /// and the <c>sip.transactions.live</c> and <c>sip.transactions.completed</c> gauges.
    /// </summary>
    public void AttachTransactions(TransactionCounters counters, Func<int> live, Func<int> completed)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(completed);
        _meter.CreateObservableCounter("sip.retransmissions.sent", () => PerKind(counters.RetransmissionsSent), null,
            "Requests, responses and ACKs sent again by a transaction (Timer A/E/G, absorbed retransmissions), by transaction type");
        _meter.CreateObservableCounter("sip.retransmissions.received", () => PerKind(counters.RetransmissionsReceived), null,
            "Retransmitted requests, responses and ACKs absorbed by a transaction, by transaction type");
        _meter.CreateObservableCounter("sip.transactions.created", () => PerKind(counters.Created), null, "Transactions created, by type");
        _meter.CreateObservableCounter("sip.transactions.timeouts", () => PerKind(counters.Timeouts), null, "Transactions ended by Timer B, F or H, by type");
        _meter.CreateObservableGauge("sip.transactions.live", () => live(), null, "Transactions live in the edge now (with the completed ones below)");
        _meter.CreateObservableGauge("sip.transactions.completed", () => completed(), null,
            "Of the live ones: non-INVITE server transactions over UDP in Completed (Timer J), kept as key and response bytes");
    }

    private static IEnumerable<Measurement<long>> PerKind(Func<TransactionKind, long> read)
    {
        foreach (var kind in Enum.GetValues<TransactionKind>())
        {
            yield return new Measurement<long>(read(kind), new KeyValuePair<string, object?>("type", KindLabel(kind)));
        }
    }

    /// <summary>Label value for a transaction type.</summary>
    public static string KindLabel(TransactionKind kind) => kind switch
    {
        TransactionKind.InviteClient => "invite_client",
        TransactionKind.NonInviteClient => "non_invite_client",
        TransactionKind.InviteServer => "invite_server",
        _ => "non_invite_server",
    };

    public void RequestReceived(SipMethod method) => Interlocked.Increment(ref _requests[(int)method]);

    public void ResponseSent(SipMethod method, int status)
    {
        if ((uint)status < MaxStatus)
        {
            Interlocked.Increment(ref _responses[((int)method * MaxStatus) + status]);
        }
    }

    public void ParseRejected(SipRejectionReason reason) => Interlocked.Increment(ref _rejections[(int)reason]);

    public void Dropped(SipDropCause cause) => Interlocked.Increment(ref _drops[(int)cause]);

    public long Requests(SipMethod method) => Interlocked.Read(ref _requests[(int)method]);

    public long Responses(SipMethod method, int status) => Interlocked.Read(ref _responses[((int)method * MaxStatus) + status]);

    public long Rejections(SipRejectionReason reason) => Interlocked.Read(ref _rejections[(int)reason]);

    public long Drops(SipDropCause cause) => Interlocked.Read(ref _drops[(int)cause]);

    /// <summary>Label value for a method: the token, or "other" for extension methods (unbounded set, not a label).</summary>
    public static string MethodLabel(SipMethod method) =>
        method == SipMethod.Extension ? "other" : System.Text.Encoding.ASCII.GetString(method.ToBytes());

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        for (var m = 0; m < MethodCount; m++)
        {
            var v = Interlocked.Read(ref _requests[m]);
            if (v > 0)
            {
                yield return new Measurement<long>(v, new KeyValuePair<string, object?>("method", MethodLabel((SipMethod)m)));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveResponses()
    {
        for (var m = 0; m < MethodCount; m++)
        {
            for (var s = 100; s < MaxStatus; s++)
            {
                var v = Interlocked.Read(ref _responses[(m * MaxStatus) + s]);
                if (v > 0)
                {
                    yield return new Measurement<long>(v,
                        new KeyValuePair<string, object?>("method", MethodLabel((SipMethod)m)),
                        new KeyValuePair<string, object?>("status", s));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveRejections()
    {
        for (var r = 1; r < ReasonCount; r++)
        {
            var v = Interlocked.Read(ref _rejections[r]);
            if (v > 0)
            {
                yield return new Measurement<long>(v, new KeyValuePair<string, object?>("reason", ((SipRejectionReason)r).ToSlug()));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        for (var d = 0; d < DropCount; d++)
        {
            var v = Interlocked.Read(ref _drops[d]);
            if (v > 0)
            {
                yield return new Measurement<long>(v, new KeyValuePair<string, object?>("cause", ((SipDropCause)d).ToString()));
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
