namespace Routing.Sip.Auth;

/// <summary>Why a WWW-Authenticate / Authorization value (or its Proxy- twin) was rejected.</summary>
public enum DigestParseErrorReason : byte
{
    /// <summary>The value is empty or only whitespace.</summary>
    Empty,
    /// <summary>No auth-scheme token at the start (RFC 3261 §25.1 challenge / credentials).</summary>
    MissingScheme,
    /// <summary>The scheme is not "Digest" (RFC 3261 §22.4 only defines Digest for SIP).</summary>
    UnsupportedScheme,
    /// <summary>An auth-param did not start with a token name.</summary>
    MalformedParameter,
    /// <summary>An auth-param name was not followed by "=".</summary>
    MissingEquals,
    /// <summary>An auth-param had "=" but no token or quoted-string value.</summary>
    MissingValue,
    /// <summary>A quoted-string ran to the end of the value.</summary>
    UnterminatedQuotedString,
    /// <summary>A control character (bare CR, LF, NUL ...) where RFC 3261 §25.1 allows none.</summary>
    InvalidCharacter,
    /// <summary>Two parameters of the same name (RFC 7235 §2.1: each may occur only once).</summary>
    DuplicateParameter,
    /// <summary>Something other than "," between two parameters.</summary>
    ExpectedComma,
    /// <summary>A challenge without realm or nonce (RFC 7616 §3.3 requires both).</summary>
    MissingParameter,
}

/// <summary>A rejection: reason and the byte offset in the header value where it was detected.</summary>
public readonly record struct DigestParseError(DigestParseErrorReason Reason, int Offset);

/// <summary>One auth-param as received: lower-cased name, unquoted value, and whether it was quoted.</summary>
public sealed record AuthParam(string Name, string Value, bool Quoted);
