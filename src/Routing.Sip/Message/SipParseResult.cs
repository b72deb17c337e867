namespace Routing.Sip.Message;

public enum SipParseStatus : byte
{
    /// <summary>A strict prefix of a message: nothing was consumed; call again with more bytes.</summary>
    NeedMoreData = 0,

    /// <summary>A complete, valid message in <see cref="SipParseResult.Message"/>.</summary>
    Message,

    /// <summary>A CRLF keep-alive (RFC 5626 §4.4.1) in <see cref="SipParseResult.KeepAlive"/>.</summary>
    KeepAlive,

    /// <summary>The input was refused; see <see cref="SipParseResult.Rejection"/>.</summary>
    Rejected,
}

public enum SipKeepAlive : byte
{
    None = 0,

    /// <summary>Double CRLF from a client; a server answers with a single CRLF (RFC 5626 §4.4.1).</summary>
    Ping,

    /// <summary>A single CRLF, the answer to a ping.</summary>
    Pong,
}

/// <summary>
/// Outcome of one parse call. When <see cref="Message"/> is not null the caller owns it and must dispose it; a
/// rejected request may carry its message so that the caller can answer it (RFC 3261 §8.2.6 needs Via, From, To,
/// Call-ID and CSeq).
/// </summary>
public readonly struct SipParseResult : IEquatable<SipParseResult>
{
    private SipParseResult(SipParseStatus status, SipMessage? message, SipRejection rejection, SipKeepAlive keepAlive, long consumed)
    {
        Status = status;
        Message = message;
        Rejection = rejection;
        KeepAlive = keepAlive;
        Consumed = consumed;
    }

    public SipParseStatus Status { get; }

    public SipMessage? Message { get; }

    public SipRejection Rejection { get; }

    public SipKeepAlive KeepAlive { get; }

    /// <summary>
    /// Bytes of the input this result accounts for. Zero for <see cref="SipParseStatus.NeedMoreData"/>. For a stream
    /// rejection it is non-zero only when the framing was still known (the message can be skipped and the connection
    /// kept); zero means the stream cannot be resynchronised and the connection should be closed.
    /// </summary>
    public long Consumed { get; }

    internal static SipParseResult NeedMore => default;

    internal static SipParseResult Parsed(SipMessage message, long consumed) =>
        new(SipParseStatus.Message, message, default, SipKeepAlive.None, consumed);

    internal static SipParseResult Alive(SipKeepAlive kind, long consumed) =>
        new(SipParseStatus.KeepAlive, null, default, kind, consumed);

    internal static SipParseResult Rejected(SipRejection rejection, SipMessage? message, long consumed) =>
        new(SipParseStatus.Rejected, message, rejection, SipKeepAlive.None, consumed);

    public bool Equals(SipParseResult other) =>
        Status == other.Status && ReferenceEquals(Message, other.Message) && Rejection == other.Rejection
        && KeepAlive == other.KeepAlive && Consumed == other.Consumed;

    public override bool Equals(object? obj) => obj is SipParseResult other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Status, Message, Rejection, KeepAlive, Consumed);

    public static bool operator ==(SipParseResult left, SipParseResult right) => left.Equals(right);

    public static bool operator !=(SipParseResult left, SipParseResult right) => !left.Equals(right);

    public override string ToString() => Status switch
    {
        SipParseStatus.Rejected => $"Rejected {Rejection.Reason} at {Rejection.Offset} ({Rejection.Action} {Rejection.StatusCode})",
        SipParseStatus.KeepAlive => $"KeepAlive {KeepAlive} ({Consumed})",
        SipParseStatus.Message => $"Message ({Consumed})",
        _ => "NeedMoreData",
    };
}
