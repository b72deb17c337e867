using Routing.Sip.Uri;

namespace Routing.Sip.Headers;

/// <summary>Why a header value was rejected.</summary>
public enum SipHeaderError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The value is empty or only white space.</summary>
    Empty,

    /// <summary>A display name is neither *(token LWS) nor a quoted-string (RFC 3261 §25.1; RFC 4475 §3.1.2.15).</summary>
    InvalidDisplayName,

    /// <summary>A quoted-string has no closing DQUOTE (RFC 4475 §3.1.2.6).</summary>
    UnterminatedQuotedString,

    /// <summary>A quoted-string holds a bad quoted-pair or control character.</summary>
    InvalidQuotedString,

    /// <summary>A display name is not followed by "&lt;".</summary>
    MissingAngleBracket,

    /// <summary>A "&lt;" has no matching "&gt;".</summary>
    UnterminatedAngleBracket,

    /// <summary>The URI is malformed; <see cref="SipHeaderRejection.UriError"/> says how.</summary>
    InvalidUri,

    /// <summary>
    /// An addr-spec outside "&lt;&gt;" holds "?" or "," (RFC 3261 §20.10 requires angle brackets then; RFC 4475
    /// §3.1.2.13).
    /// </summary>
    UriRequiresAngleBrackets,

    /// <summary>The header requires name-addr (angle brackets), e.g. Route and Record-Route (RFC 3261 §25.1).</summary>
    NameAddrRequired,

    /// <summary>A parameter is malformed; <see cref="SipHeaderRejection.SyntaxError"/> says how.</summary>
    InvalidParameter,

    /// <summary>A comma-separated list is malformed (unbalanced quotes or angle brackets).</summary>
    InvalidList,

    /// <summary>"*" is combined with other values or parameters (RFC 3261 §20.10, §10.2.2).</summary>
    InvalidStar,

    /// <summary>A q value is outside qvalue (RFC 3261 §25.1).</summary>
    InvalidQValue,

    /// <summary>The Via sent-protocol is not token SLASH token SLASH token (RFC 3261 §20.42).</summary>
    InvalidSentProtocol,

    /// <summary>The Via sent-by host is missing or malformed.</summary>
    InvalidSentBy,

    /// <summary>A port is empty, not numeric or above 65535.</summary>
    InvalidPort,

    /// <summary>The Via received parameter is not an IPv4 or IPv6 address (RFC 3261 §20.42, RFC 5118 §4.5).</summary>
    InvalidReceived,

    /// <summary>The Via rport parameter value is not a port (RFC 3581 §3).</summary>
    InvalidRport,

    /// <summary>A ttl parameter is not 0-255.</summary>
    InvalidTtl,

    /// <summary>A maddr parameter is not a host.</summary>
    InvalidMaddr,

    /// <summary>A branch parameter is empty or not a token.</summary>
    InvalidBranch,

    /// <summary>A number is missing or holds a non-digit.</summary>
    InvalidNumber,

    /// <summary>A number exceeds its range (e.g. CSeq ≥ 2^31, RFC 3261 §8.1.1.5; RFC 4475 §3.1.2.4, §3.1.2.5).</summary>
    ValueOutOfRange,

    /// <summary>A method is not a token.</summary>
    InvalidMethod,

    /// <summary>The Session-Expires refresher is neither uac nor uas (RFC 4028 §4).</summary>
    InvalidRefresher,

    /// <summary>A Reason protocol is missing or not a token (RFC 3326 §2).</summary>
    InvalidProtocol,

    /// <summary>A Reason cause is not 1*DIGIT (RFC 3326 §2).</summary>
    InvalidCause,

    /// <summary>A comment is unterminated or holds a bad character (RFC 3261 §25.1 comment).</summary>
    InvalidComment,

    /// <summary>A date does not follow rfc1123-date (RFC 3261 §20.17).</summary>
    InvalidDate,

    /// <summary>A date is not in GMT (RFC 3261 §20.17; RFC 4475 §3.1.2.12).</summary>
    InvalidTimeZone,

    /// <summary>A product or product-version is not a token (RFC 3261 §20.41).</summary>
    InvalidProduct,

    /// <summary>Unexpected bytes after a complete value.</summary>
    UnexpectedCharacter,
}

/// <summary>
/// A header value rejection: the reason, the offset in the value, and the underlying URI or syntax reason when the
/// failure came from there.
/// </summary>
public readonly record struct SipHeaderRejection(
    SipHeaderError Reason,
    int Offset,
    SipUriError UriError = SipUriError.None,
    Syntax.SipSyntaxError SyntaxError = Syntax.SipSyntaxError.None)
{
    /// <summary>No rejection.</summary>
    public static SipHeaderRejection None => new(SipHeaderError.None, -1);
}

/// <summary>A header value type that parses one element of a (possibly comma-separated) header value.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface ISipHeaderValue<TSelf>
    where TSelf : struct, ISipHeaderValue<TSelf>
{
    /// <summary>Parses one element; never throws on bad input.</summary>
    static abstract bool TryParse(ReadOnlyMemory<byte> value, out TSelf result, out SipHeaderRejection rejection);
}
