using System.Buffers;

namespace Routing.Sip.Transport;

/// <summary>What the framer found at the start of a stream buffer.</summary>
public enum SipFrameKind
{
    /// <summary>No whole message yet; nothing consumed.</summary>
    NeedMoreData,
    /// <summary>A whole SIP message of <see cref="SipFrame.Length"/> bytes (start-line, headers and body).</summary>
    Message,
    /// <summary>An RFC 5626 §4.4.1 double-CRLF keep-alive ping; answer with a single CRLF pong.</summary>
    KeepAlivePing,
    /// <summary>Bytes to drop without answering (e.g. a lone CRLF before a start-line, RFC 3261 §7.5).</summary>
    Skip,
    /// <summary>The stream cannot be framed (no usable Content-Length, header block too large): close the connection.</summary>
    Unframeable,
}

/// <summary>One framing decision over the bytes buffered on a connection.</summary>
public readonly record struct SipFrame(SipFrameKind Kind, int Length);

/// <summary>Finds message boundaries on a stream transport (RFC 3261 §18.3: Content-Length frames the body).</summary>
public interface ISipStreamFramer
{
    SipFrame Next(in ReadOnlySequence<byte> buffer);
}
