using System.Buffers;
using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Transactions;

/// <summary>Requests the edge writes for its client transactions: the pushed Via, ACK for non-2xx, CANCEL.</summary>
internal static class ClientRequests
{
    /// <summary>
    /// Inserts this node's Via as the first header line (RFC 3261 §8.1.1.7, §16.6 step 8; rport asked for as RFC 3581
    /// §3 recommends). The request line is kept; everything after it is copied unchanged.
    /// </summary>
    public static byte[] PushVia(ReadOnlySpan<byte> request, SipTransportKind transport, ReadOnlySpan<char> sentByHost, int port, string branch)
    {
        var lineEnd = request.IndexOf("\r\n"u8);
        var output = new ArrayBufferWriter<byte>(request.Length + 96);
        output.Write(request[..(lineEnd + 2)]);
        output.Write("Via: SIP/2.0/"u8);
        output.Write(SipTransportNames.ViaToken(transport));
        output.Write(" "u8);
        WriteHost(output, sentByHost);
        output.Write(":"u8);
        output.WriteNumber(port);
        output.Write(";branch="u8);
        WriteAscii(output, branch);
        output.Write(";rport\r\n"u8);
        output.Write(request[(lineEnd + 2)..]);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The ACK for a 300-699 response to an INVITE (RFC 3261 §17.1.1.3): the INVITE's Request-URI, Call-ID, From,
    /// CSeq number, top Via and Route headers; the To of the response; CSeq method ACK; no body.
    /// </summary>
    public static byte[] BuildAck(SipMessage invite, SipMessage response)
    {
        var output = new ArrayBufferWriter<byte>(512);
        WriteDerived(output, invite, "ACK"u8, response, reasonHeader: null);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The CANCEL for a pending INVITE (RFC 3261 §9.1): Request-URI, Call-ID, To, From and CSeq number of the
    /// INVITE, CSeq method CANCEL, the INVITE's top Via only, its Route headers.
    /// </summary>
    public static byte[] BuildCancel(SipMessage invite, string? reasonHeader)
    {
        var output = new ArrayBufferWriter<byte>(512);
        WriteDerived(output, invite, "CANCEL"u8, null, reasonHeader);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteDerived(ArrayBufferWriter<byte> output, SipMessage invite, ReadOnlySpan<byte> method, SipMessage? response, string? reasonHeader)
    {
        var src = invite.Span;
        output.Write(method);
        output.Write(" "u8);
        output.Write(invite.RequestUri);
        output.Write(" SIP/2.0\r\n"u8);
        var viaWritten = false;
        foreach (var h in invite.Headers)
        {
            switch (h.Id)
            {
                case SipHeaderId.Via when !viaWritten:
                    // Only the first Via value: the one this node pushed, with the INVITE's branch.
                    output.Write("Via: "u8);
                    output.Write(FirstValue(invite.GetValue(h)));
                    output.Write("\r\n"u8);
                    viaWritten = true;
                    break;
                case SipHeaderId.From:
                case SipHeaderId.CallId:
                case SipHeaderId.Route:
                case SipHeaderId.MaxForwards:
                    output.Write(src.Slice(h.Line.Start, h.Line.Length));
                    break;
                case SipHeaderId.To when response is null:
                    output.Write(src.Slice(h.Line.Start, h.Line.Length));
                    break;
                default:
                    break;
            }
        }

        if (response is not null)
        {
            var to = response.IndexOf(SipHeaderId.To);
            if (to >= 0)
            {
                var line = response.Headers[to].Line;
                output.Write(response.Span.Slice(line.Start, line.Length));
            }
        }

        output.Write("CSeq: "u8);
        output.WriteNumber(invite.CSeqNumber);
        output.Write(" "u8);
        output.Write(method);
        output.Write("\r\n"u8);
        if (reasonHeader is not null)
        {
            WriteAscii(output, reasonHeader);
        }

        output.Write("Content-Length: 0\r\n\r\n"u8);
    }

    /// <summary>The first value of a Via header line that may hold several (comma outside quotes).</summary>
    private static ReadOnlySpan<byte> FirstValue(ReadOnlySpan<byte> value)
    {
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (value[i] == (byte)',' && !quoted)
            {
                return value[..i].TrimEnd((byte)' ');
            }
        }

        return value;
    }

    private static void WriteHost(ArrayBufferWriter<byte> output, ReadOnlySpan<char> host)
    {
        var v6 = host.Contains(':');
        if (v6)
        {
            output.Write("["u8);
        }

        WriteAscii(output, host);
        if (v6)
        {
            output.Write("]"u8);
        }
    }

    private static void WriteAscii(ArrayBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    public static string HostOf(IPEndPoint local, IReadOnlyList<string> localHosts) =>
        local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any)
            ? (localHosts.Count > 0 ? localHosts[0] : "127.0.0.1")
            : local.Address.ToString();
}
