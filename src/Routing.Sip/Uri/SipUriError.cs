namespace Routing.Sip.Uri;

/// <summary>URI scheme families this layer understands; anything else is kept opaque.</summary>
public enum SipUriScheme
{
    /// <summary>Not parsed (default value).</summary>
    None = 0,

    /// <summary>sip: (RFC 3261 §19.1).</summary>
    Sip,

    /// <summary>sips: (RFC 3261 §19.1).</summary>
    Sips,

    /// <summary>tel: (RFC 3966).</summary>
    Tel,

    /// <summary>Any other scheme: an absoluteURI preserved byte for byte (RFC 3261 §25.1, RFC 4475 §3.3.2-§3.3.4).</summary>
    Other,
}

/// <summary>Why a URI was rejected.</summary>
public enum SipUriError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The input is empty.</summary>
    Empty,

    /// <summary>The URI is longer than 65535 bytes.</summary>
    TooLong,

    /// <summary>No ":" after the scheme.</summary>
    MissingScheme,

    /// <summary>The scheme does not match ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3261 §25.1).</summary>
    InvalidScheme,

    /// <summary>Nothing follows "scheme:".</summary>
    EmptyBody,

    /// <summary>A byte not allowed in an absoluteURI (white space, "&lt;", "&gt;", DQUOTE, controls).</summary>
    InvalidCharacter,

    /// <summary>The user part is empty or holds a byte outside user (RFC 3261 §25.1).</summary>
    InvalidUser,

    /// <summary>The password holds a byte outside password (RFC 3261 §25.1).</summary>
    InvalidPassword,

    /// <summary>A "%" is not followed by two hex digits.</summary>
    InvalidEscape,

    /// <summary>The host is missing.</summary>
    MissingHost,

    /// <summary>The host is not a hostname, IPv4 address or IPv6 reference.</summary>
    InvalidHost,

    /// <summary>An IPv6 reference is malformed or unterminated (RFC 5954 §4.1, RFC 5118 §4.10).</summary>
    InvalidIPv6Reference,

    /// <summary>The port is empty, not numeric, or above 65535.</summary>
    InvalidPort,

    /// <summary>Something other than ";" or "?" follows the host and port.</summary>
    UnexpectedCharacter,

    /// <summary>A uri-parameter is malformed (RFC 3261 §19.1.1).</summary>
    InvalidParameter,

    /// <summary>The ?headers component is malformed (RFC 3261 §19.1.1).</summary>
    InvalidHeaders,

    /// <summary>The telephone-subscriber of a tel: URI is malformed (RFC 3966 §3).</summary>
    InvalidTelephoneNumber,

    /// <summary>The URI carries headers where RFC 3261 §19.1.1 (table 1) forbids them, e.g. in a Request-URI (RFC 4475 §3.1.2.11).</summary>
    HeadersNotAllowed,

    /// <summary>The URI carries a parameter that RFC 3261 §19.1.1 (table 1) forbids in this place.</summary>
    ParameterNotAllowed,

    /// <summary>The URI carries a port where RFC 3261 §19.1.1 (table 1) forbids it (To/From).</summary>
    PortNotAllowed,
}

/// <summary>A URI rejection: why, and the offset in the URI where it was found.</summary>
public readonly record struct SipUriRejection(SipUriError Reason, int Offset);

/// <summary>Where a URI appears; RFC 3261 §19.1.1 table 1 allows different components in each place.</summary>
public enum SipUriUsage
{
    /// <summary>The Request-URI of a request.</summary>
    RequestUri,

    /// <summary>The URI in To or From.</summary>
    FromTo,

    /// <summary>A Contact in REGISTER or a 3xx (redirect) response.</summary>
    RegisterOrRedirectContact,

    /// <summary>A dialog Contact, Route or Record-Route.</summary>
    DialogContactOrRoute,

    /// <summary>A URI used outside a message (e.g. a web page link): everything is allowed.</summary>
    External,
}
