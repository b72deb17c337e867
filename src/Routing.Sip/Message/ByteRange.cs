namespace Routing.Sip.Message;

/// <summary>A slice of a message's bytes: offset from the first byte of the message, and length.</summary>
public readonly record struct ByteRange(int Start, int Length)
{
    public int End => Start + Length;

    public bool IsEmpty => Length == 0;

    public static ByteRange FromBounds(int start, int end) => new(start, end - start);
}

/// <summary>
/// One header line as a view into the message: the name as received, the value with surrounding white space
/// trimmed (folded continuations stay inside the value, RFC 3261 §7.3.1), and the whole line including its CRLF so
/// that the writer can splice lines out or in.
/// </summary>
public readonly record struct SipHeaderField(SipHeaderId Id, ByteRange Name, ByteRange Value, ByteRange Line);
