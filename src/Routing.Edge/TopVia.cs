using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Edge;

/// <summary>
/// The top Via of a received request, read for the two things a server transport does with it: mark where the
/// request really came from (RFC 3261 §18.2.1 "received", RFC 3581 §4 "rport") and pick where the response goes
/// (RFC 3261 §18.2.2).
/// </summary>
public readonly ref struct TopVia
{
    private TopVia(ReadOnlySpan<byte> host, int port, int parmEnd, int rportNameEnd, bool rportHasValue)
    {
        Host = host;
        Port = port;
        ParmEnd = parmEnd;
        RportNameEnd = rportNameEnd;
        RportHasValue = rportHasValue;
    }

    /// <summary>sent-by host without IPv6 brackets.</summary>
    public ReadOnlySpan<byte> Host { get; }

    /// <summary>sent-by port, or 0 when absent.</summary>
    public int Port { get; }

    /// <summary>Offset in the message where the first via-parm ends (before a comma or the end of the value).</summary>
    public int ParmEnd { get; }

    /// <summary>Offset just past the "rport" parameter name, or -1 when the parameter is absent.</summary>
    public int RportNameEnd { get; }

    public bool RportHasValue { get; }

    public bool HasRport => RportNameEnd >= 0;

    public static bool TryRead(SipMessage request, out TopVia via)
    {
        ArgumentNullException.ThrowIfNull(request);
        via = default;
        if (!request.HasUsableTopVia)
        {
            return false;
        }

        var span = request.Span;
        var sentBy = request.TopViaSentByRange;
        var sentBySpan = span.Slice(sentBy.Start, sentBy.Length);
        ReadOnlySpan<byte> host;
        var port = 0;
        int portStart;
        if (sentBySpan[0] == (byte)'[')
        {
            var close = sentBySpan.IndexOf((byte)']');
            if (close < 0)
            {
                return false;
            }

            host = sentBySpan[1..close];
            portStart = close + 1 < sentBySpan.Length && sentBySpan[close + 1] == (byte)':' ? close + 2 : -1;
        }
        else
        {
            var colon = sentBySpan.IndexOf((byte)':');
            host = colon < 0 ? sentBySpan : sentBySpan[..colon];
            portStart = colon < 0 ? -1 : colon + 1;
        }

        if (portStart > 0 && !int.TryParse(sentBySpan[portStart..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        // The first via-parm ends at a comma outside quotes, or with the value of the first Via line.
        var viaIndex = request.IndexOf(SipHeaderId.Via);
        var valueEnd = request.Headers[viaIndex].Value.End;
        var parmEnd = sentBy.End;
        var inQuotes = false;
        var rportNameEnd = -1;
        var rportHasValue = false;
        while (parmEnd < valueEnd)
        {
            var c = span[parmEnd];
            if (c == (byte)'"')
            {
                inQuotes = !inQuotes;
            }
            else if (!inQuotes && c == (byte)',')
            {
                break;
            }
            else if (!inQuotes && c == (byte)';')
            {
                var nameStart = parmEnd + 1;
                while (nameStart < valueEnd && span[nameStart] is (byte)' ' or (byte)'\t')
                {
                    nameStart++;
                }

                if (nameStart + 5 <= valueEnd && Ascii.EqualsIgnoreCase(span.Slice(nameStart, 5), "rport"u8)
                    && (nameStart + 5 == valueEnd || span[nameStart + 5] is (byte)';' or (byte)'=' or (byte)',' or (byte)' ' or (byte)'\t'))
                {
                    rportNameEnd = nameStart + 5;
                    var k = rportNameEnd;
                    while (k < valueEnd && span[k] is (byte)' ' or (byte)'\t')
                    {
                        k++;
                    }

                    rportHasValue = k < valueEnd && span[k] == (byte)'=';
                }
            }

            parmEnd++;
        }

        while (parmEnd > sentBy.End && span[parmEnd - 1] is (byte)' ' or (byte)'\t')
        {
            parmEnd--;
        }

        via = new TopVia(host, port, parmEnd, rportNameEnd, rportHasValue);
        return true;
    }

    /// <summary>
    /// RFC 3261 §18.2.1: add "received" when sent-by's host differs from the source address; RFC 3581 §4: with
    /// "rport" present, always add "received" and fill rport with the source port.
    /// </summary>
    public bool NeedsAnnotation(IPAddress sourceAddress)
    {
        ArgumentNullException.ThrowIfNull(sourceAddress);
        if (HasRport && !RportHasValue)
        {
            return true;
        }

        return !(IPAddress.TryParse(Encoding.ASCII.GetString(Host), out var sentBy) && sentBy.Equals(sourceAddress));
    }

    /// <summary>
    /// Writes only the first Via header line of <paramref name="request"/> (CRLF included) with received (and rport's
    /// value) added, for <see cref="SipResponseBuilder"/>'s top-Via replacement: responses then copy every other line
    /// from the request itself instead of from an annotated copy parsed again.
    /// </summary>
    public void WriteAnnotatedLine(SipMessage request, IPEndPoint source, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        var line = request.Headers[request.IndexOf(SipHeaderId.Via)].Line;
        WriteAnnotated(request.Span, line.Start, line.End, source, output);
    }

    private void WriteAnnotated(ReadOnlySpan<byte> request, int start, int end, IPEndPoint source, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        var fillRport = HasRport && !RportHasValue;
        var cut = fillRport ? RportNameEnd : ParmEnd;
        output.Write(request[start..cut]);
        if (fillRport)
        {
            output.Write("="u8);
            output.WriteNumber(source.Port);
            output.Write(request[cut..ParmEnd]);
        }

        output.Write(";received="u8);
        Span<byte> ip = stackalloc byte[64];
        source.Address.TryFormat(ip, out var n);
        output.Write(ip[..n]);
        output.Write(request[ParmEnd..end]);
    }

    /// <summary>RFC 3261 §18.2.2 (unreliable transport) with RFC 3581 §4: where a UDP response goes.</summary>
    public IPEndPoint ResponseDestination(IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (HasRport)
        {
            return source;
        }

        // §18.2.2: "received" is present (we add it whenever sent-by differs), so the source address with the
        // sent-by port, 5060 when sent-by has none (§19.1.2 default port).
        var port = Port == 0 ? 5060 : Port;
        return port == source.Port ? source : new IPEndPoint(source.Address, port);
    }
}
