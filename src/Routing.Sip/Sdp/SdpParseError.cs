namespace Routing.Sip.Sdp;

/// <summary>Why a session description was rejected (RFC 8866 §5, §9 grammar).</summary>
public enum SdpParseErrorReason : byte
{
    /// <summary>No bytes, or only line ends.</summary>
    Empty,
    /// <summary>More lines than the configured limit.</summary>
    TooManyLines,
    /// <summary>A line that is not "&lt;letter&gt;=..." (no whitespace allowed around "=", RFC 8866 §5).</summary>
    MalformedLine,
    /// <summary>An empty line in the middle of the description.</summary>
    EmptyLine,
    /// <summary>A CR not followed by LF, or a NUL inside a value (RFC 8866 §9 byte-string excludes them).</summary>
    InvalidCharacter,
    /// <summary>A type letter RFC 8866 does not define.</summary>
    UnknownLineType,
    /// <summary>The first line is not "v=".</summary>
    MissingVersion,
    /// <summary>"v=" other than "v=0" (RFC 8866 §5.1).</summary>
    UnsupportedVersion,
    /// <summary>No "o=" right after "v=".</summary>
    MissingOrigin,
    /// <summary>"o=" without six SP-separated fields or with non-numeric sess-id/sess-version (RFC 8866 §5.2).</summary>
    MalformedOrigin,
    /// <summary>No "s=" right after "o=".</summary>
    MissingSessionName,
    /// <summary>A line in a place the RFC 8866 §5 order does not allow.</summary>
    LineOutOfOrder,
    /// <summary>A line that may appear once per level appears twice (v, o, s, i, u, c at session level, z, k).</summary>
    DuplicateLine,
    /// <summary>Malformed "c=" (RFC 8866 §5.7).</summary>
    MalformedConnection,
    /// <summary>Malformed "b=" (RFC 8866 §5.8).</summary>
    MalformedBandwidth,
    /// <summary>Malformed "t=" (RFC 8866 §5.9).</summary>
    MalformedTiming,
    /// <summary>Malformed "r=" (RFC 8866 §5.10).</summary>
    MalformedRepeat,
    /// <summary>Malformed "z=" (RFC 8866 §5.11).</summary>
    MalformedTimeZone,
    /// <summary>Malformed "a=": att-field is not a token (RFC 8866 §5.13).</summary>
    MalformedAttribute,
    /// <summary>Malformed "m=" (RFC 8866 §5.14).</summary>
    MalformedMedia,
    /// <summary>No time description ("t=") before the media (RFC 8866 §5).</summary>
    MissingTiming,
    /// <summary>Neither a session-level "c=" nor one in every media description (RFC 8866 §5.7).</summary>
    MissingConnection,
}

/// <summary>A rejection: reason, byte offset in the body, and 1-based line number.</summary>
public readonly record struct SdpParseError(SdpParseErrorReason Reason, int Offset, int Line);
