using System.Buffers;

namespace Routing.Sip.Message;

/// <summary>
/// Writes responses to a received request (RFC 3261 §8.2.6): the Via lines, From, To, Call-ID and CSeq are copied
/// byte for byte, a To tag is added when the request has none and the status is above 100, a 100 (Trying) copies
/// Timestamp (§8.2.6.1), and Content-Length is always written (mandatory on streams, §18.3).
/// </summary>
public static class SipResponseBuilder
{
    /// <summary>Writes a response to <paramref name="output"/>.</summary>
    /// <param name="request">The request being answered (possibly one the parser rejected).</param>
    /// <param name="statusCode">100..699.</param>
    /// <param name="reasonPhrase">Reason phrase; empty writes the default phrase for the code.</param>
    /// <param name="toTag">The To tag to add when the request has none; empty draws a random one.</param>
    /// <param name="output">Destination.</param>
    /// <param name="extraHeaders">Preformatted header lines, each ending in CRLF (e.g. Allow, Supported, Retry-After, Unsupported).</param>
    /// <param name="contentType">Content-Type of <paramref name="body"/>; required when the body is not empty.</param>
    /// <param name="body">Message body.</param>
    /// <param name="topViaLine">When not empty, written instead of the request's first Via header line (CRLF included):
    /// the transport's copy with received/rport added (RFC 3261 §18.2.1, RFC 3581 §4).</param>
    public static void Write(
        SipMessage request,
        int statusCode,
        ReadOnlySpan<byte> reasonPhrase,
        ReadOnlySpan<byte> toTag,
        IBufferWriter<byte> output,
        ReadOnlySpan<byte> extraHeaders = default,
        ReadOnlySpan<byte> contentType = default,
        ReadOnlySpan<byte> body = default,
        ReadOnlySpan<byte> topViaLine = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        if (!body.IsEmpty && contentType.IsEmpty)
        {
            throw new ArgumentException("a body needs a content type", nameof(contentType));
        }

        output.Write("SIP/2.0 "u8);
        output.WriteNumber(statusCode);
        output.Write(" "u8);
        output.Write(reasonPhrase.IsEmpty ? DefaultReasonPhrase(statusCode) : reasonPhrase);
        output.Write("\r\n"u8);

        Span<byte> generated = stackalloc byte[SipTag.Length];
        if (toTag.IsEmpty)
        {
            SipTag.Fill(generated);
        }

        var src = request.Span;
        var viaReplaced = topViaLine.IsEmpty;
        foreach (var h in request.Headers)
        {
            switch (h.Id)
            {
                case SipHeaderId.Via when !viaReplaced:
                    output.Write(topViaLine);
                    viaReplaced = true;
                    break;
                case SipHeaderId.Via:
                case SipHeaderId.From:
                case SipHeaderId.CallId:
                case SipHeaderId.CSeq:
                    output.Write(src.Slice(h.Line.Start, h.Line.Length));
                    break;
                case SipHeaderId.Timestamp when statusCode == 100:
                    output.Write(src.Slice(h.Line.Start, h.Line.Length));
                    break;
                case SipHeaderId.To:
                    if (request.ToTagRange.Length > 0 || statusCode == 100 || request.IndexOf(SipHeaderId.To) != IndexOf(request, h))
                    {
                        output.Write(src.Slice(h.Line.Start, h.Line.Length));
                    }
                    else
                    {
                        // RFC 3261 §8.2.6.2: the UAS adds a tag to To for every response but 100.
                        output.Write(src[h.Line.Start..h.Value.End]);
                        output.Write(";tag="u8);
                        output.Write(toTag.IsEmpty ? generated : toTag);

                        output.Write(src[h.Value.End..h.Line.End]);
                    }

                    break;
                default:
                    break;
            }
        }

        output.Write(extraHeaders);
        if (!body.IsEmpty)
        {
            output.WriteHeader(SipHeaderId.ContentType, contentType);
        }

        output.Write("Content-Length: "u8);
        output.WriteNumber(body.Length);
        output.Write("\r\n\r\n"u8);
        output.Write(body);
    }

    /// <summary>Writes the answer a parse rejection calls for (only for <see cref="SipRejectionAction.Reject"/>).</summary>
    public static void WriteRejection(SipMessage request, SipRejection rejection, IBufferWriter<byte> output, ReadOnlySpan<byte> extraHeaders = default)
    {
        if (rejection.StatusCode is not int status)
        {
            throw new ArgumentException("a dropped message gets no answer", nameof(rejection));
        }

        var reason = rejection.Reason.ToReasonPhrase();
        Span<byte> phrase = stackalloc byte[reason.Length];
        for (var i = 0; i < reason.Length; i++)
        {
            phrase[i] = (byte)reason[i];
        }

        Write(request, status, phrase, default, output, extraHeaders);
    }

    /// <summary>RFC 3261 §21 reason phrases for the codes this stack sends.</summary>
    public static ReadOnlySpan<byte> DefaultReasonPhrase(int statusCode) => statusCode switch
    {
        100 => "Trying"u8,
        180 => "Ringing"u8,
        181 => "Call Is Being Forwarded"u8,
        182 => "Queued"u8,
        183 => "Session Progress"u8,
        200 => "OK"u8,
        202 => "Accepted"u8,
        300 => "Multiple Choices"u8,
        301 => "Moved Permanently"u8,
        302 => "Moved Temporarily"u8,
        305 => "Use Proxy"u8,
        380 => "Alternative Service"u8,
        400 => "Bad Request"u8,
        401 => "Unauthorized"u8,
        403 => "Forbidden"u8,
        404 => "Not Found"u8,
        405 => "Method Not Allowed"u8,
        406 => "Not Acceptable"u8,
        407 => "Proxy Authentication Required"u8,
        408 => "Request Timeout"u8,
        410 => "Gone"u8,
        413 => "Request Entity Too Large"u8,
        414 => "Request-URI Too Long"u8,
        415 => "Unsupported Media Type"u8,
        416 => "Unsupported URI Scheme"u8,
        420 => "Bad Extension"u8,
        421 => "Extension Required"u8,
        423 => "Interval Too Brief"u8,
        429 => "Provide Referrer Identity"u8,
        430 => "Flow Failed"u8,
        439 => "First Hop Lacks Outbound Support"u8,
        480 => "Temporarily Unavailable"u8,
        481 => "Call/Transaction Does Not Exist"u8,
        482 => "Loop Detected"u8,
        483 => "Too Many Hops"u8,
        484 => "Address Incomplete"u8,
        485 => "Ambiguous"u8,
        486 => "Busy Here"u8,
        487 => "Request Terminated"u8,
        488 => "Not Acceptable Here"u8,
        489 => "Bad Event"u8,
        491 => "Request Pending"u8,
        493 => "Undecipherable"u8,
        500 => "Server Internal Error"u8,
        501 => "Not Implemented"u8,
        502 => "Bad Gateway"u8,
        503 => "Service Unavailable"u8,
        504 => "Server Time-out"u8,
        505 => "Version Not Supported"u8,
        513 => "Message Too Large"u8,
        600 => "Busy Everywhere"u8,
        603 => "Decline"u8,
        604 => "Does Not Exist Anywhere"u8,
        606 => "Not Acceptable"u8,
        _ => statusCode switch
        {
            < 200 => "Session Progress"u8,
            < 300 => "OK"u8,
            < 400 => "Redirection"u8,
            < 500 => "Client Error"u8,
            < 600 => "Server Error"u8,
            _ => "Global Failure"u8,
        },
    };

    private static int IndexOf(SipMessage m, in SipHeaderField field)
    {
        var headers = m.Headers;
        for (var i = 0; i < headers.Length; i++)
        {
            if (headers[i].Line.Start == field.Line.Start)
            {
                return i;
            }
        }

        return -1;
    }
}
