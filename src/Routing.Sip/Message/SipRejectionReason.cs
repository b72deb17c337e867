namespace Routing.Sip.Message;

/// <summary>Why the parser or the validator refused a message. <see cref="SipRejectionReasons.ToStatusCode"/> maps each to the status to answer.</summary>
public enum SipRejectionReason : byte
{
    None = 0,

    // Framing (RFC 3261 §7, §18.3)
    InvalidStartLine,
    InvalidLineTerminator,
    InvalidHeaderLine,
    MissingContentLength,
    InvalidContentLength,
    MultipleContentLength,
    ContentLengthExceedsDatagram,
    TruncatedMessage,

    // Limits (options)
    MessageTooLarge,
    HeaderSectionTooLarge,
    HeaderLineTooLong,
    TooManyHeaders,
    BodyTooLarge,
    RequestUriTooLong,

    // Start line
    UnsupportedVersion,
    InvalidRequestUri,
    RequestUriHasHeaders,
    UnsupportedUriScheme,
    InvalidStatusCode,

    // Header semantics (RFC 3261 §8.2, §16.3, §20)
    MissingRequiredHeader,
    DuplicateSingletonHeader,
    InvalidVia,
    InvalidFrom,
    InvalidTo,
    InvalidCallId,
    InvalidCSeq,
    CSeqMethodMismatch,
    InvalidMaxForwards,
    InvalidContact,
    InvalidRoute,
    BadExtension,
}

/// <summary>What the receiving element does with a rejected message.</summary>
public enum SipRejectionAction : byte
{
    /// <summary>Answer with <see cref="SipRejection.StatusCode"/> (a request that carries a usable Via).</summary>
    Reject = 1,

    /// <summary>Discard silently: a response (RFC 3261 §18.1.2, §16.7 step 1) or a request no response can reach.</summary>
    Drop = 2,
}

public static class SipRejectionReasons
{
    /// <summary>The final status a server answers a request with for this reason.</summary>
    public static int ToStatusCode(this SipRejectionReason reason) => reason switch
    {
        SipRejectionReason.None => 0,
        // RFC 3261 §21.4.11: the server cannot take a message this large.
        SipRejectionReason.MessageTooLarge or SipRejectionReason.HeaderSectionTooLarge
            or SipRejectionReason.HeaderLineTooLong or SipRejectionReason.TooManyHeaders => 513,
        // RFC 3261 §21.4.11 (413): the body is larger than the server is willing to process.
        SipRejectionReason.BodyTooLarge => 413,
        // RFC 3261 §21.4.12.
        SipRejectionReason.RequestUriTooLong => 414,
        // RFC 3261 §8.2.2.1, RFC 4475 §3.3.2.
        SipRejectionReason.UnsupportedUriScheme => 416,
        // RFC 3261 §8.2.2.3, §16.3 step 4.
        SipRejectionReason.BadExtension => 420,
        // RFC 3261 §21.5.7, RFC 4475 §3.1.2.16.
        SipRejectionReason.UnsupportedVersion => 505,
        _ => 400,
    };

    /// <summary>A short reason phrase for the status line of the answer.</summary>
    public static string ToReasonPhrase(this SipRejectionReason reason) => reason switch
    {
        SipRejectionReason.None => "OK",
        SipRejectionReason.MessageTooLarge => "Message Too Large",
        SipRejectionReason.HeaderSectionTooLarge => "Message Too Large",
        SipRejectionReason.HeaderLineTooLong => "Message Too Large",
        SipRejectionReason.TooManyHeaders => "Message Too Large",
        SipRejectionReason.BodyTooLarge => "Request Entity Too Large",
        SipRejectionReason.RequestUriTooLong => "Request-URI Too Long",
        SipRejectionReason.UnsupportedUriScheme => "Unsupported URI Scheme",
        SipRejectionReason.BadExtension => "Bad Extension",
        SipRejectionReason.UnsupportedVersion => "Version Not Supported",
        SipRejectionReason.MissingRequiredHeader => "Missing Required Header",
        SipRejectionReason.DuplicateSingletonHeader => "Duplicate Header",
        SipRejectionReason.CSeqMethodMismatch => "CSeq Method Mismatch",
        SipRejectionReason.InvalidContentLength or SipRejectionReason.MultipleContentLength
            or SipRejectionReason.ContentLengthExceedsDatagram or SipRejectionReason.MissingContentLength => "Bad Content-Length",
        _ => "Bad Request",
    };

    /// <summary>A stable lower-case, hyphenated name for logs and <c>routectl sip lint --json</c>.</summary>
    public static string ToSlug(this SipRejectionReason reason)
    {
        var name = reason.ToString();
        var chars = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && !(char.IsUpper(name[i - 1]) && (i + 1 >= name.Length || char.IsUpper(name[i + 1]))))
                {
                    chars.Append('-');
                }

                chars.Append(char.ToLowerInvariant(c));
            }
            else
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}

/// <summary>A typed rejection: the reason, the byte offset in the input where it was found, and what to do.</summary>
public readonly record struct SipRejection(SipRejectionReason Reason, int Offset, SipRejectionAction Action)
{
    /// <summary>The status to answer with, or null when the message is dropped.</summary>
    public int? StatusCode => Action == SipRejectionAction.Reject ? Reason.ToStatusCode() : null;
}
