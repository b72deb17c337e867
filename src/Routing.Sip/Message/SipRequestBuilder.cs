using System.Buffers;

namespace Routing.Sip.Message;

/// <summary>
/// The parts of a new request (RFC 3261 §8.1.1). Values are written as given (already valid SIP text); the builder
/// supplies structure, Max-Forwards and Content-Length.
/// </summary>
public readonly ref struct SipRequestParts
{
    /// <summary>Method token, e.g. <c>INVITE</c>.</summary>
    public ReadOnlySpan<byte> Method { get; init; }

    /// <summary>Request-URI (§8.1.1.1).</summary>
    public ReadOnlySpan<byte> RequestUri { get; init; }

    /// <summary>Via transport, e.g. <c>UDP</c> (§8.1.1.7, §18.1.1).</summary>
    public ReadOnlySpan<byte> ViaTransport { get; init; }

    /// <summary>Via sent-by, host[:port].</summary>
    public ReadOnlySpan<byte> ViaSentBy { get; init; }

    /// <summary>Via branch starting with <c>z9hG4bK</c>; empty draws a random one (§8.1.1.7).</summary>
    public ReadOnlySpan<byte> ViaBranch { get; init; }

    /// <summary>Extra Via parameters without the leading ';', e.g. <c>rport</c>.</summary>
    public ReadOnlySpan<byte> ViaParameters { get; init; }

    /// <summary>From name-addr without tag, e.g. <c>"Alice" &lt;sip:alice@example.com&gt;</c> (§8.1.1.3).</summary>
    public ReadOnlySpan<byte> From { get; init; }

    /// <summary>From tag; empty draws a random one (§8.1.1.3: the UAC always adds a From tag).</summary>
    public ReadOnlySpan<byte> FromTag { get; init; }

    /// <summary>To name-addr (§8.1.1.2).</summary>
    public ReadOnlySpan<byte> To { get; init; }

    /// <summary>To tag for in-dialog requests (§12.2.1.1); empty outside a dialog.</summary>
    public ReadOnlySpan<byte> ToTag { get; init; }

    /// <summary>Call-ID (§8.1.1.4).</summary>
    public ReadOnlySpan<byte> CallId { get; init; }

    /// <summary>CSeq number (§8.1.1.5: below 2**31).</summary>
    public long CSeq { get; init; }

    /// <summary>Max-Forwards; 0 means the recommended 70 (§8.1.1.6).</summary>
    public int MaxForwards { get; init; }

    /// <summary>Contact value, required in requests that can establish a dialog (§8.1.1.8).</summary>
    public ReadOnlySpan<byte> Contact { get; init; }

    /// <summary>Route values, comma-separated, in order (§12.2.1.1); empty for none.</summary>
    public ReadOnlySpan<byte> Route { get; init; }

    /// <summary>Preformatted extra header lines, each ending in CRLF.</summary>
    public ReadOnlySpan<byte> ExtraHeaders { get; init; }

    public ReadOnlySpan<byte> ContentType { get; init; }

    public ReadOnlySpan<byte> Body { get; init; }
}

/// <summary>Writes new requests per RFC 3261 §8.1.1.</summary>
public static class SipRequestBuilder
{
    public static void Write(scoped in SipRequestParts parts, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (parts.Method.IsEmpty || parts.RequestUri.IsEmpty || parts.ViaTransport.IsEmpty || parts.ViaSentBy.IsEmpty
            || parts.From.IsEmpty || parts.To.IsEmpty || parts.CallId.IsEmpty)
        {
            throw new ArgumentException("method, Request-URI, Via, From, To and Call-ID are mandatory (RFC 3261 §8.1.1)", nameof(parts));
        }

        if (parts.CSeq is < 0 or >= 1L << 31)
        {
            throw new ArgumentOutOfRangeException(nameof(parts), "CSeq must be below 2**31 (RFC 3261 §8.1.1.5)");
        }

        if (!parts.Body.IsEmpty && parts.ContentType.IsEmpty)
        {
            throw new ArgumentException("a body needs a content type", nameof(parts));
        }

        Span<byte> random = stackalloc byte[SipTag.Length];
        output.Write(parts.Method);
        output.Write(" "u8);
        output.Write(parts.RequestUri);
        output.Write(" SIP/2.0\r\nVia: SIP/2.0/"u8);
        output.Write(parts.ViaTransport);
        output.Write(" "u8);
        output.Write(parts.ViaSentBy);
        output.Write(";branch="u8);
        if (parts.ViaBranch.IsEmpty)
        {
            output.Write("z9hG4bK"u8);
            SipTag.Fill(random);
            output.Write(random);
        }
        else
        {
            output.Write(parts.ViaBranch);
        }

        if (!parts.ViaParameters.IsEmpty)
        {
            output.Write(";"u8);
            output.Write(parts.ViaParameters);
        }

        output.Write("\r\nMax-Forwards: "u8);
        output.WriteNumber(parts.MaxForwards > 0 ? parts.MaxForwards : 70);
        if (!parts.Route.IsEmpty)
        {
            output.Write("\r\nRoute: "u8);
            output.Write(parts.Route);
        }

        output.Write("\r\nFrom: "u8);
        output.Write(parts.From);
        output.Write(";tag="u8);
        if (parts.FromTag.IsEmpty)
        {
            SipTag.Fill(random);
            output.Write(random);
        }
        else
        {
            output.Write(parts.FromTag);
        }

        output.Write("\r\nTo: "u8);
        output.Write(parts.To);
        if (!parts.ToTag.IsEmpty)
        {
            output.Write(";tag="u8);
            output.Write(parts.ToTag);
        }

        output.Write("\r\nCall-ID: "u8);
        output.Write(parts.CallId);
        output.Write("\r\nCSeq: "u8);
        output.WriteNumber(parts.CSeq);
        output.Write(" "u8);
        output.Write(parts.Method);
        output.Write("\r\n"u8);
        if (!parts.Contact.IsEmpty)
        {
            output.WriteHeader(SipHeaderId.Contact, parts.Contact);
        }

        output.Write(parts.ExtraHeaders);
        if (!parts.Body.IsEmpty)
        {
            output.WriteHeader(SipHeaderId.ContentType, parts.ContentType);
        }

        output.Write("Content-Length: "u8);
        output.WriteNumber(parts.Body.Length);
        output.Write("\r\n\r\n"u8);
        output.Write(parts.Body);
    }
}
