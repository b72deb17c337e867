namespace Routing.Sip.Syntax;

/// <summary>Why a piece of RFC 3261 §25.1 syntax was rejected.</summary>
public enum SipSyntaxError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>A quoted-string has no closing DQUOTE.</summary>
    UnterminatedQuotedString,

    /// <summary>A quoted-pair escapes CR, LF or a non-ASCII octet (RFC 3261 §25.1 quoted-pair).</summary>
    InvalidQuotedPair,

    /// <summary>A byte that qdtext does not allow (a control character) appears inside a quoted-string.</summary>
    InvalidQuotedText,

    /// <summary>A "%" is not followed by two hexadecimal digits (RFC 3261 §25.1 escaped).</summary>
    InvalidEscape,

    /// <summary>A "&lt;" has no matching "&gt;", a "&gt;" has no opening "&lt;", or angle brackets nest.</summary>
    UnbalancedAngleBracket,

    /// <summary>A parameter has an empty name.</summary>
    EmptyParameterName,

    /// <summary>A parameter name holds a byte its grammar does not allow.</summary>
    InvalidParameterName,

    /// <summary>A parameter value is empty after "=" or holds a byte its grammar does not allow.</summary>
    InvalidParameterValue,

    /// <summary>Something other than ";" (and, in headers, LWS) follows a parameter.</summary>
    ExpectedSemicolon,

    /// <summary>A number is empty, holds a non-digit, or does not fit the target type.</summary>
    InvalidNumber,
}

/// <summary>A syntax rejection: the reason and the offset (relative to the span given to the reader) where it was found.</summary>
public readonly record struct SipSyntaxRejection(SipSyntaxError Reason, int Offset);
