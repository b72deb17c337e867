namespace Routing.Sip.Transactions;

/// <summary>Why a request is refused before any transaction exists.</summary>
public enum StatelessRejectReason : byte
{
    /// <summary>Syntax or a mandatory header value is wrong (RFC 3261 §8.2, §21.4.1): 400.</summary>
    BadRequest = 1,

    /// <summary>Policy refuses the request: 403.</summary>
    Forbidden,

    /// <summary>The method is known but not allowed here (RFC 3261 §8.2.1): 405, with Allow.</summary>
    MethodNotAllowed,

    /// <summary>The body is too large to accept: 413.</summary>
    RequestEntityTooLarge,

    /// <summary>The Request-URI scheme is not supported (RFC 3261 §8.2.2.1): 416.</summary>
    UnsupportedUriScheme,

    /// <summary>A Require/Proxy-Require option is not supported (RFC 3261 §8.2.2.3): 420, with Unsupported.</summary>
    BadExtension,

    /// <summary>A CANCEL matched no transaction (RFC 3261 §9.2): 481.</summary>
    CallDoesNotExist,

    /// <summary>A merged request (RFC 3261 §8.2.2.2) or a proxy loop (§16.3 item 4): 482.</summary>
    LoopDetected,

    /// <summary>Max-Forwards reached zero (RFC 3261 §16.3 item 3): 483.</summary>
    TooManyHops,

    /// <summary>The method is not implemented (RFC 3261 §8.2.1): 501.</summary>
    NotImplemented,

    /// <summary>Overload (RFC 3261 §21.5.4): 503, preferably with Retry-After.</summary>
    ServiceUnavailable,

    /// <summary>The SIP version is not 2.0 (RFC 3261 §8.1.1.1): 505.</summary>
    VersionNotSupported,

    /// <summary>The message exceeds the size the element accepts (RFC 3261 §21.5.9): 513.</summary>
    MessageTooLarge,

    /// <summary>Refuse without any answer (scanners, floods, banned sources): the request is dropped.</summary>
    Silent,
}

/// <summary>Whether a stateless reject is answered or dropped.</summary>
public enum StatelessRejectAction : byte
{
    Respond = 0,
    Drop,
}

/// <summary>Why a stateless reject is dropped instead of answered.</summary>
public enum StatelessDropCause : byte
{
    None = 0,

    /// <summary>An ACK is never answered (RFC 3261 §17: the ACK for a 2xx is its own transaction and gets no response; a bad ACK is discarded).</summary>
    AckNeverAnswered,

    /// <summary>
    /// A response cannot be built or routed: Via, From, To, Call-ID or CSeq is missing or unusable (RFC 3261
    /// §8.2.6.2, §18.2.2).
    /// </summary>
    CannotBuildResponse,

    /// <summary>The reason asked for silence.</summary>
    SilentDiscard,
}

/// <summary>The decision for a request rejected before a transaction exists.</summary>
/// <param name="Action">Answer or drop.</param>
/// <param name="StatusCode">The status to answer with, or 0 when dropped.</param>
/// <param name="ReasonPhrase">The default reason phrase for <paramref name="StatusCode"/>, or empty.</param>
/// <param name="DropCause">Why it is dropped, or <see cref="StatelessDropCause.None"/>.</param>
public readonly record struct StatelessRejectDecision(
    StatelessRejectAction Action,
    int StatusCode,
    string ReasonPhrase,
    StatelessDropCause DropCause);

/// <summary>
/// Rejecting a request without creating a transaction (RFC 3261 §8.2.7 stateless UAS behaviour, §16.11 stateless
/// proxy). The response is built by the caller from the request: Via headers copied in order, From, Call-ID and
/// CSeq copied, To copied with a tag added when absent (<see cref="ToTagFor"/>), and sent per §18.2.2. A
/// retransmission of the request is rejected again the same way, which is why the tag must be stable.
/// </summary>
public static class StatelessReject
{
    /// <summary>Decides how to refuse a request of <paramref name="method"/> for <paramref name="reason"/>.</summary>
    /// <param name="method">The request method, or null when even that could not be read.</param>
    /// <param name="reason">Why the request is refused.</param>
    /// <param name="canBuildResponse">Whether Via, From, To, Call-ID and CSeq were all read.</param>
    public static StatelessRejectDecision Decide(string? method, StatelessRejectReason reason, bool canBuildResponse)
    {
        if (method is not null && TransactionMethods.IsAck(method))
        {
            return Drop(StatelessDropCause.AckNeverAnswered);
        }

        if (!canBuildResponse || method is null)
        {
            return Drop(StatelessDropCause.CannotBuildResponse);
        }

        if (reason == StatelessRejectReason.Silent)
        {
            return Drop(StatelessDropCause.SilentDiscard);
        }

        var status = StatusFor(reason);
        return new StatelessRejectDecision(StatelessRejectAction.Respond, status, ReasonPhraseFor(status), StatelessDropCause.None);
    }

    /// <summary>The status code for a reason; 0 for <see cref="StatelessRejectReason.Silent"/>.</summary>
    public static int StatusFor(StatelessRejectReason reason) => reason switch
    {
        StatelessRejectReason.BadRequest => 400,
        StatelessRejectReason.Forbidden => 403,
        StatelessRejectReason.MethodNotAllowed => 405,
        StatelessRejectReason.RequestEntityTooLarge => 413,
        StatelessRejectReason.UnsupportedUriScheme => 416,
        StatelessRejectReason.BadExtension => 420,
        StatelessRejectReason.CallDoesNotExist => 481,
        StatelessRejectReason.LoopDetected => 482,
        StatelessRejectReason.TooManyHops => 483,
        StatelessRejectReason.NotImplemented => 501,
        StatelessRejectReason.ServiceUnavailable => 503,
        StatelessRejectReason.VersionNotSupported => 505,
        StatelessRejectReason.MessageTooLarge => 513,
        _ => 0,
    };

    /// <summary>The RFC 3261 §21 reason phrase for the statuses this helper produces.</summary>
    public static string ReasonPhraseFor(int statusCode) => statusCode switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        _ => string.Empty,
    };

    /// <summary>
    /// A To tag that is the same for every retransmission of one request (RFC 3261 §8.2.7: a stateless UAS must
    /// generate the same tag for the same request), derived from the values that identify it. 16 hex digits of a
    /// 64-bit FNV-1a hash, which is stable across processes (unlike <see cref="string.GetHashCode()"/>).
    /// </summary>
    public static string ToTagFor(string? branch, string callId, string? fromTag, uint cseqNumber)
    {
        ArgumentNullException.ThrowIfNull(callId);
        const ulong offsetBasis = 14695981039346656037UL;
        var hash = offsetBasis;
        hash = Fnv(hash, branch);
        hash = Fnv(hash, callId);
        hash = Fnv(hash, fromTag);
        hash ^= cseqNumber;
        hash *= 1099511628211UL;
        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ulong Fnv(ulong hash, string? value)
    {
        const ulong prime = 1099511628211UL;
        if (value is not null)
        {
            foreach (var c in value)
            {
                hash ^= c;
                hash *= prime;
            }
        }

        // A separator so that ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xFFFF;
        return hash * prime;
    }

    private static StatelessRejectDecision Drop(StatelessDropCause cause) =>
        new(StatelessRejectAction.Drop, 0, string.Empty, cause);
}
