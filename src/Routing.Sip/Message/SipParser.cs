using System.Buffers;
using Routing.Sip.Message.Internal;
using Routing.Sip.Syntax;

namespace Routing.Sip.Message;

/// <summary>
/// Parses SIP messages from bytes. Two entry points: <see cref="ParseDatagram"/> (one message per datagram,
/// RFC 3261 §18.3) and <see cref="ParseStream(in ReadOnlySequence{byte}, SipParserOptions?)"/> (framing by
/// Content-Length, CRLF keep-alives, RFC 3261 §18.3 and RFC 5626 §4.4.1). Bad input never throws: it yields a typed
/// <see cref="SipRejection"/>. A need-more-data result consumes nothing, so a caller simply calls again with the
/// same bytes plus whatever arrived.
/// </summary>
public static class SipParser
{
    private enum Frame
    {
        Complete,
        NeedMore,
        Fatal,
    }

    /// <summary>Parses one datagram. <see cref="SipParseResult.Consumed"/> is always the datagram length.</summary>
    public static SipParseResult ParseDatagram(ReadOnlySpan<byte> datagram, SipParserOptions? options = null)
    {
        options ??= SipParserOptions.Default;
        var s = 0;
        while (s < datagram.Length && (datagram[s] == (byte)'\r' || datagram[s] == (byte)'\n'))
        {
            s++;
        }

        if (s == datagram.Length)
        {
            // RFC 5626 §4.4.1 keep-alives also arrive over UDP from some clients; an empty datagram carries nothing.
            return s == 0
                ? SipParseResult.Rejected(new SipRejection(SipRejectionReason.TruncatedMessage, 0, SipRejectionAction.Drop), null, 0)
                : SipParseResult.Alive(s >= 4 ? SipKeepAlive.Ping : SipKeepAlive.Pong, s);
        }

        return ParseMessage(datagram[s..], s, true, datagram.Length, options);
    }

    /// <summary>Parses the next message or keep-alive from the head of a stream buffer.</summary>
    public static SipParseResult ParseStream(in ReadOnlySequence<byte> buffer, SipParserOptions? options = null)
    {
        options ??= SipParserOptions.Default;
        if (buffer.IsSingleSegment)
        {
            return ParseStream(buffer.FirstSpan, options);
        }

        // A message is at most MaxMessageSize bytes; a little more lets the parser see that a limit was crossed.
        var take = (int)Math.Min(buffer.Length, options.MaxMessageSize + 8L);
        var scratch = ArrayPool<byte>.Shared.Rent(take);
        try
        {
            buffer.Slice(0, take).CopyTo(scratch);
            return ParseStream(scratch.AsSpan(0, take), options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Parses the next message or keep-alive from the head of a contiguous stream buffer.</summary>
    public static SipParseResult ParseStream(ReadOnlySpan<byte> buffer, SipParserOptions? options = null)
    {
        options ??= SipParserOptions.Default;
        if (buffer.IsEmpty)
        {
            return SipParseResult.NeedMore;
        }

        if (buffer[0] == (byte)'\r' || buffer[0] == (byte)'\n')
        {
            return ParseKeepAlive(buffer);
        }

        return ParseMessage(buffer, 0, false, buffer.Length, options);
    }

    // RFC 5626 §4.4.1: a ping is CRLF CRLF, the pong a single CRLF; RFC 3261 §7.5 lets CRLFs precede a start line.
    private static SipParseResult ParseKeepAlive(ReadOnlySpan<byte> b)
    {
        if (b[0] != (byte)'\r')
        {
            return SipParseResult.Rejected(new SipRejection(SipRejectionReason.InvalidLineTerminator, 0, SipRejectionAction.Drop), null, 0);
        }

        if (b.Length < 2)
        {
            return SipParseResult.NeedMore;
        }

        if (b[1] != (byte)'\n')
        {
            return SipParseResult.Rejected(new SipRejection(SipRejectionReason.InvalidLineTerminator, 1, SipRejectionAction.Drop), null, 0);
        }

        if (b.Length < 3)
        {
            return SipParseResult.NeedMore;
        }

        if (b[2] != (byte)'\r')
        {
            return SipParseResult.Alive(SipKeepAlive.Pong, 2);
        }

        if (b.Length < 4)
        {
            return SipParseResult.NeedMore;
        }

        return b[3] == (byte)'\n' ? SipParseResult.Alive(SipKeepAlive.Ping, 4) : SipParseResult.Alive(SipKeepAlive.Pong, 2);
    }

    private static SipParseResult ParseMessage(ReadOnlySpan<byte> b, int baseOffset, bool datagram, int inputLength, SipParserOptions o)
    {
        var m = SipMessage.Rent();
        var st = new ParseState();
        var frame = IndexHeaders(b, datagram, o, m, ref st);
        if (frame == Frame.NeedMore)
        {
            m.Dispose();
            return SipParseResult.NeedMore;
        }

        if (frame == Frame.Fatal)
        {
            return Reject(m, b[..st.Scanned], baseOffset, ref st, keepFraming: false, datagram, inputLength);
        }

        var bodyStart = m.HeaderSectionEnd + 2;
        var cl = m.ContentLength;
        int total;
        if (datagram)
        {
            total = b.Length;
            if (cl >= 0 && !st.ContentLengthBroken)
            {
                if (bodyStart + (long)cl > b.Length)
                {
                    // RFC 4475 §3.1.2.2: a Content-Length larger than the datagram is a 400.
                    st.Fail(SipRejectionReason.ContentLengthExceedsDatagram, m.HeaderSectionEnd);
                }
                else
                {
                    // RFC 3261 §18.3: octets beyond Content-Length in a datagram are discarded.
                    total = bodyStart + cl;
                }
            }
        }
        else
        {
            // RFC 3261 §18.3: on a stream Content-Length is mandatory and the only framing.
            if (st.ContentLengthBroken || cl < 0)
            {
                if (cl < 0 && !st.ContentLengthBroken)
                {
                    st.Fail(SipRejectionReason.MissingContentLength, m.HeaderSectionEnd, force: true);
                }

                return Reject(m, b[..bodyStart], baseOffset, ref st, keepFraming: false, datagram, inputLength);
            }

            if (cl > o.MaxBodySize)
            {
                st.Fail(SipRejectionReason.BodyTooLarge, m.HeaderSectionEnd, force: true);
                return Reject(m, b[..bodyStart], baseOffset, ref st, keepFraming: false, datagram, inputLength);
            }

            if ((long)bodyStart + cl > o.MaxMessageSize)
            {
                st.Fail(SipRejectionReason.MessageTooLarge, 0, force: true);
                return Reject(m, b[..bodyStart], baseOffset, ref st, keepFraming: false, datagram, inputLength);
            }

            total = bodyStart + cl;
            if (total > b.Length)
            {
                m.Dispose();
                return SipParseResult.NeedMore;
            }
        }

        if (total > o.MaxMessageSize)
        {
            st.Fail(SipRejectionReason.MessageTooLarge, 0, force: true);
        }
        else if (total - bodyStart > o.MaxBodySize)
        {
            st.Fail(SipRejectionReason.BodyTooLarge, bodyStart, force: true);
        }

        m.SetBytes(b[..total]);
        m.BodyRange = ByteRange.FromBounds(bodyStart, total);
        Validate(m, o, ref st);
        if (st.Reason == SipRejectionReason.None)
        {
            return SipParseResult.Parsed(m, datagram ? inputLength : total);
        }

        st.Scanned = total;
        return Reject(m, default, baseOffset, ref st, keepFraming: true, datagram, inputLength, bytesCopied: true, consumed: total);
    }

    private static SipParseResult Reject(
        SipMessage m, ReadOnlySpan<byte> seen, int baseOffset, ref ParseState st, bool keepFraming, bool datagram, int inputLength,
        bool bytesCopied = false, int consumed = 0)
    {
        // A request is answerable when its top Via gives somewhere to send the response (RFC 3261 §18.2.2);
        // responses with errors are discarded (RFC 3261 §18.1.2, §16.7 step 1).
        var answerable = m.IsRequest && m.HasUsableTopVia && st.Reason != SipRejectionReason.InvalidLineTerminator;
        var action = answerable ? SipRejectionAction.Reject : SipRejectionAction.Drop;
        var rejection = new SipRejection(st.Reason, baseOffset + st.Offset, action);
        var used = datagram ? inputLength : keepFraming ? baseOffset + consumed : 0;
        if (!answerable)
        {
            m.Dispose();
            return SipParseResult.Rejected(rejection, null, used);
        }

        if (!bytesCopied)
        {
            m.SetBytes(seen);
            var end = Math.Max(m.HeaderSectionEnd, 0);
            m.BodyRange = new ByteRange(seen.Length, 0);
            if (end == 0)
            {
                m.HeaderSectionEnd = seen.Length;
            }
        }

        return SipParseResult.Rejected(rejection, m, used);
    }

    private static Frame IndexHeaders(ReadOnlySpan<byte> b, bool datagram, SipParserOptions o, SipMessage m, ref ParseState st)
    {
        // Start line (RFC 3261 §7.1, §7.2).
        var lf = b.IndexOf((byte)'\n');
        if (lf < 0 || lf > o.MaxLineLength)
        {
            var tooLong = (lf < 0 ? b.Length : lf) > o.MaxLineLength;
            if (!tooLong && !datagram)
            {
                return Frame.NeedMore;
            }

            m.IsRequest = !b.StartsWith("SIP/"u8);
            st.Fail(tooLong ? (m.IsRequest ? SipRejectionReason.RequestUriTooLong : SipRejectionReason.HeaderLineTooLong) : SipRejectionReason.TruncatedMessage, 0, force: true);
            return Frame.Fatal;
        }

        if (lf == 0 || b[lf - 1] != (byte)'\r' || b[..(lf - 1)].Contains((byte)'\r'))
        {
            m.IsRequest = !b.StartsWith("SIP/"u8);
            st.Fail(SipRejectionReason.InvalidLineTerminator, lf, force: true);
            return Frame.Fatal;
        }

        ParseStartLine(b[..(lf - 1)], o, m, ref st);
        var p = lf + 1;
        m.StartLineRange = new ByteRange(0, p);
        st.Scanned = p;

        while (true)
        {
            if (p >= b.Length)
            {
                return Incomplete(b, p, p, datagram, o, ref st);
            }

            var c = b[p];
            if (c == (byte)'\r')
            {
                if (p + 1 >= b.Length)
                {
                    return Incomplete(b, p, p, datagram, o, ref st);
                }

                if (b[p + 1] != (byte)'\n')
                {
                    st.Fail(SipRejectionReason.InvalidLineTerminator, p + 1, force: true);
                    return Frame.Fatal;
                }

                m.HeaderSectionEnd = p;
                st.Scanned = p + 2;
                return Frame.Complete;
            }

            if (c == (byte)'\n' || SipChars.IsWsp(c))
            {
                // A bare LF, or a continuation line with no header before it (RFC 3261 §7.3.1).
                st.Fail(c == (byte)'\n' ? SipRejectionReason.InvalidLineTerminator : SipRejectionReason.InvalidHeaderLine, p, force: true);
                return Frame.Fatal;
            }

            // Find the end of this header line, following folded continuations.
            var lineStart = p;
            var q = p;
            int lineEnd;
            while (true)
            {
                var rel = b[q..].IndexOfAny((byte)'\r', (byte)'\n');
                if (rel < 0)
                {
                    return Incomplete(b, b.Length, lineStart, datagram, o, ref st);
                }

                var k = q + rel;
                if (b[k] == (byte)'\n')
                {
                    st.Fail(SipRejectionReason.InvalidLineTerminator, k, force: true);
                    return Frame.Fatal;
                }

                if (k + 2 >= b.Length)
                {
                    if (k + 1 < b.Length && b[k + 1] != (byte)'\n')
                    {
                        st.Fail(SipRejectionReason.InvalidLineTerminator, k, force: true);
                        return Frame.Fatal;
                    }

                    return Incomplete(b, b.Length, lineStart, datagram, o, ref st);
                }

                if (b[k + 1] != (byte)'\n')
                {
                    st.Fail(SipRejectionReason.InvalidLineTerminator, k, force: true);
                    return Frame.Fatal;
                }

                if (SipChars.IsWsp(b[k + 2]))
                {
                    q = k + 3;
                    continue;
                }

                lineEnd = k + 2;
                break;
            }

            if (lineEnd - lineStart > o.MaxLineLength)
            {
                st.Fail(SipRejectionReason.HeaderLineTooLong, lineStart, force: true);
                return Frame.Fatal;
            }

            if (lineEnd > o.MaxHeaderSectionSize)
            {
                st.Fail(SipRejectionReason.HeaderSectionTooLarge, lineStart, force: true);
                return Frame.Fatal;
            }

            if (m.HeaderCount >= o.MaxHeaderCount)
            {
                st.Fail(SipRejectionReason.TooManyHeaders, lineStart, force: true);
                return Frame.Fatal;
            }

            // RFC 3261 §7.3.1: header-name HCOLON header-value, HCOLON = *( SP / HTAB ) ":" SWS.
            var n = SipChars.SkipRun(b, lineStart, lineEnd, SipChars.Token);
            var nameEnd = n;
            while (n < lineEnd && SipChars.IsWsp(b[n]))
            {
                n++;
            }

            if (nameEnd == lineStart || b[n] != (byte)':')
            {
                st.Fail(SipRejectionReason.InvalidHeaderLine, lineStart);
                p = lineEnd;
                st.Scanned = p;
                continue;
            }

            var vs = SipChars.SkipLws(b[..(lineEnd - 2)], n + 1);
            var ve = SipChars.TrimEnd(b, vs, lineEnd - 2);
            var id = SipHeaderTable.Lookup(b[lineStart..nameEnd]);
            var field = new SipHeaderField(id, ByteRange.FromBounds(lineStart, nameEnd), ByteRange.FromBounds(vs, ve), ByteRange.FromBounds(lineStart, lineEnd));
            m.AddHeader(field);
            if (id != SipHeaderId.Unknown)
            {
                ParseKnownHeader(b, m, field, ref st);
            }

            p = lineEnd;
            st.Scanned = p;
        }
    }

    private static Frame Incomplete(ReadOnlySpan<byte> b, int seen, int lineStart, bool datagram, SipParserOptions o, ref ParseState st)
    {
        if (datagram)
        {
            // RFC 3261 §7: the empty line ending the header section is mandatory, even over UDP.
            st.Fail(SipRejectionReason.TruncatedMessage, b.Length, force: true);
            return Frame.Fatal;
        }

        if (seen - lineStart > o.MaxLineLength)
        {
            st.Fail(SipRejectionReason.HeaderLineTooLong, lineStart, force: true);
            return Frame.Fatal;
        }

        if (seen > o.MaxHeaderSectionSize)
        {
            st.Fail(SipRejectionReason.HeaderSectionTooLarge, lineStart, force: true);
            return Frame.Fatal;
        }

        return Frame.NeedMore;
    }

    private static void ParseStartLine(ReadOnlySpan<byte> line, SipParserOptions o, SipMessage m, ref ParseState st)
    {
        if (line.StartsWith("SIP/"u8))
        {
            ParseStatusLine(line, m, ref st);
            return;
        }

        // RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF, single SPs, nothing else.
        m.IsRequest = true;
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0 || line[..sp1].IndexOfAnyExcept(SipChars.Token) >= 0)
        {
            st.Fail(SipRejectionReason.InvalidStartLine, 0);
            return;
        }

        m.MethodRange = new ByteRange(0, sp1);
        m.Method = SipMethods.Parse(line[..sp1]);
        var uriStart = sp1 + 1;
        var sp2 = line[uriStart..].IndexOf((byte)' ');
        if (sp2 <= 0)
        {
            st.Fail(SipRejectionReason.InvalidStartLine, uriStart);
            return;
        }

        var uriEnd = uriStart + sp2;
        m.RequestUriRange = ByteRange.FromBounds(uriStart, uriEnd);
        var version = line[(uriEnd + 1)..];
        m.VersionRange = ByteRange.FromBounds(uriEnd + 1, line.Length);
        if (version.IsEmpty || version.Contains((byte)' '))
        {
            st.Fail(SipRejectionReason.InvalidStartLine, uriEnd + 1);
            return;
        }

        // RFC 3261 §25.1: a Request-URI is visible US-ASCII only; anything else must be %HH-escaped.
        var uri = line[uriStart..uriEnd];
        var bad = uri.IndexOfAnyExceptInRange((byte)'!', (byte)'~');
        if (bad >= 0)
        {
            st.Fail(SipRejectionReason.InvalidRequestUri, uriStart + bad);
            return;
        }

        var versionFailure = CheckVersion(version);
        if (versionFailure != SipRejectionReason.None)
        {
            st.Fail(versionFailure, uriEnd + 1);
            return;
        }

        if (uri.Length > o.MaxRequestUriLength)
        {
            st.Fail(SipRejectionReason.RequestUriTooLong, uriStart);
            return;
        }

        var uriFailure = RequestUriScanner.Check(uri, out var at);
        if (uriFailure == SipRejectionReason.UnsupportedUriScheme && IsExtraScheme(uri, o))
        {
            return;
        }

        if (uriFailure != SipRejectionReason.None)
        {
            st.Fail(uriFailure, uriStart + at);
        }
    }

    private static bool IsExtraScheme(ReadOnlySpan<byte> uri, SipParserOptions o)
    {
        var scheme = uri[..uri.IndexOf((byte)':')];
        foreach (var extra in o.ExtraRequestUriSchemes)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(scheme, extra))
            {
                return true;
            }
        }

        return false;
    }

    private static void ParseStatusLine(ReadOnlySpan<byte> line, SipMessage m, ref ParseState st)
    {
        // RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
        m.IsRequest = false;
        var sp = line.IndexOf((byte)' ');
        if (sp < 0)
        {
            st.Fail(SipRejectionReason.InvalidStartLine, 0);
            return;
        }

        m.VersionRange = new ByteRange(0, sp);
        var versionFailure = CheckVersion(line[..sp]);
        if (versionFailure != SipRejectionReason.None)
        {
            st.Fail(versionFailure, 0);
            return;
        }

        var codeStart = sp + 1;
        var codeEnd = codeStart;
        while (codeEnd < line.Length && SipChars.IsDigit(line[codeEnd]))
        {
            codeEnd++;
        }

        // Status-Code = 3DIGIT, 100..699 (RFC 4475 §3.1.2.19: anything longer is malformed).
        if (codeEnd - codeStart != 3 || (codeEnd < line.Length && line[codeEnd] != (byte)' ') || line[codeStart] < (byte)'1' || line[codeStart] > (byte)'6')
        {
            st.Fail(SipRejectionReason.InvalidStatusCode, codeStart);
            return;
        }

        m.StatusCode = ((line[codeStart] - '0') * 100) + ((line[codeStart + 1] - '0') * 10) + (line[codeStart + 2] - '0');
        var reasonStart = Math.Min(codeEnd + 1, line.Length);
        m.ReasonPhraseRange = ByteRange.FromBounds(reasonStart, line.Length);
        // Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB): no controls.
        var control = line[reasonStart..].IndexOfAny(SipChars.ReasonPhraseControls);
        if (control >= 0)
        {
            st.Fail(SipRejectionReason.InvalidStartLine, reasonStart + control);
        }
    }

    private static SipRejectionReason CheckVersion(ReadOnlySpan<byte> version)
    {
        // RFC 3261 §7.1: SIP-Version is case-insensitive; "SIP" "/" 1*DIGIT "." 1*DIGIT.
        if (System.Text.Ascii.EqualsIgnoreCase(version, "SIP/2.0"u8))
        {
            return SipRejectionReason.None;
        }

        if (version.Length < 7 || !System.Text.Ascii.EqualsIgnoreCase(version[..4], "SIP/"u8))
        {
            return SipRejectionReason.InvalidStartLine;
        }

        var rest = version[4..];
        var dot = rest.IndexOf((byte)'.');
        if (dot <= 0 || dot == rest.Length - 1 || rest[..dot].IndexOfAnyExcept(SipChars.Digits) >= 0 || rest[(dot + 1)..].IndexOfAnyExcept(SipChars.Digits) >= 0)
        {
            return SipRejectionReason.InvalidStartLine;
        }

        return SipRejectionReason.UnsupportedVersion;
    }

    private static void ParseKnownHeader(ReadOnlySpan<byte> b, SipMessage m, in SipHeaderField field, ref ParseState st)
    {
        var v = field.Value;
        var value = b.Slice(v.Start, v.Length);
        var first = m.CountOf(field.Id) == 1;
        switch (field.Id)
        {
            case SipHeaderId.ContentLength:
                // RFC 3261 §20.14: Content-Length = 1*DIGIT; RFC 4475 §3.1.2.3 (negative), §3.3.9 (several values).
                if (!SipChars.TryParseDigits(value, int.MaxValue, out var cl))
                {
                    st.Fail(SipRejectionReason.InvalidContentLength, v.Start);
                    st.ContentLengthBroken = true;
                }
                else if (first)
                {
                    m.ContentLength = (int)cl;
                }
                else if (m.ContentLength != cl)
                {
                    st.Fail(SipRejectionReason.MultipleContentLength, field.Line.Start);
                    st.ContentLengthBroken = true;
                }

                break;

            case SipHeaderId.CSeq:
                ParseCSeq(b, m, field, first, ref st);
                break;

            case SipHeaderId.MaxForwards:
                // RFC 3261 §20.22: an integer 0..255.
                if (!SipChars.TryParseDigits(value, 255, out var mf))
                {
                    st.Fail(SipRejectionReason.InvalidMaxForwards, v.Start);
                }
                else if (first)
                {
                    m.MaxForwards = (int)mf;
                }

                break;

            case SipHeaderId.CallId:
                // RFC 3261 §25.1: callid = word [ "@" word ]
                var at = value.IndexOf((byte)'@');
                var ok = value.Length > 0 && value.IndexOfAnyExcept(SipChars.Word) < 0
                    || (at > 0 && at < value.Length - 1 && value[..at].IndexOfAnyExcept(SipChars.Word) < 0
                        && value[(at + 1)..].IndexOfAnyExcept(SipChars.Word) < 0);
                if (!ok)
                {
                    st.Fail(SipRejectionReason.InvalidCallId, v.Start);
                }
                else if (first)
                {
                    m.CallIdRange = v;
                }

                break;

            case SipHeaderId.Via:
                ScanVia(b, m, field, ref st);
                break;

            case SipHeaderId.From:
            case SipHeaderId.To:
                if (!NameAddrScanner.TryScan(b, v.Start, v.End, false, out var tag))
                {
                    st.Fail(field.Id == SipHeaderId.From ? SipRejectionReason.InvalidFrom : SipRejectionReason.InvalidTo, v.Start);
                }
                else if (first)
                {
                    if (field.Id == SipHeaderId.From)
                    {
                        m.FromTagRange = tag;
                    }
                    else
                    {
                        m.ToTagRange = tag;
                    }
                }

                break;

            case SipHeaderId.Contact:
                // RFC 3261 §20.10: Contact = ("*" / (contact-param *(COMMA contact-param)))
                if (!(value.Length == 1 && value[0] == (byte)'*'))
                {
                    ScanAddressList(b, v, requireAngle: false, SipRejectionReason.InvalidContact, ref st);
                }

                break;

            case SipHeaderId.Route:
            case SipHeaderId.RecordRoute:
            case SipHeaderId.Path:
            case SipHeaderId.ServiceRoute:
                // RFC 3261 §20.30, §20.34; RFC 3327; RFC 3608: name-addr only.
                ScanAddressList(b, v, requireAngle: true, SipRejectionReason.InvalidRoute, ref st);
                break;

            default:
                break;
        }
    }

    private static void ParseCSeq(ReadOnlySpan<byte> b, SipMessage m, in SipHeaderField field, bool first, ref ParseState st)
    {
        // RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method; §8.1.1.5: the number is below 2**31.
        var v = field.Value;
        var i = v.Start;
        while (i < v.End && SipChars.IsDigit(b[i]))
        {
            i++;
        }

        var digitsEnd = i;
        var methodStart = SipChars.SkipLws(b[..v.End], i);
        var methodEnd = SipChars.SkipRun(b, methodStart, v.End, SipChars.Token);

        if (digitsEnd == v.Start || methodStart == digitsEnd || methodEnd == methodStart || methodEnd != v.End
            || !SipChars.TryParseDigits(b[v.Start..digitsEnd], int.MaxValue, out var number))
        {
            st.Fail(SipRejectionReason.InvalidCSeq, v.Start);
            return;
        }

        if (first)
        {
            m.CSeqNumber = number;
            m.CSeqMethodRange = ByteRange.FromBounds(methodStart, methodEnd);
        }
    }

    private static void ScanVia(ReadOnlySpan<byte> b, SipMessage m, in SipHeaderField field, ref ParseState st)
    {
        var v = field.Value;
        var top = m.CountOf(SipHeaderId.Via) == 1;
        if (v.Length > 0 && b.Slice(v.Start, v.Length).IndexOf((byte)',') < 0)
        {
            // One via-parm: no list to split (the common case, one pass instead of two).
            var single = ViaScanner.TryScan(b, v.Start, v.End, out var t, out var s, out var br);
            if (top)
            {
                m.TopViaTransportRange = t;
                m.TopViaSentByRange = s;
                m.TopViaBranchRange = br;
            }

            if (!single)
            {
                st.Fail(SipRejectionReason.InvalidVia, v.Start);
            }

            return;
        }

        var list = new SipListEnumerator(b.Slice(v.Start, v.Length));
        var any = false;
        while (list.MoveNext())
        {
            any = true;
            var start = v.Start + list.CurrentOffset;
            var ok = ViaScanner.TryScan(b, start, start + list.CurrentLength, out var transport, out var sentBy, out var branch);
            if (top)
            {
                m.TopViaTransportRange = transport;
                m.TopViaSentByRange = sentBy;
                m.TopViaBranchRange = branch;
                top = false;
            }

            if (!ok)
            {
                st.Fail(SipRejectionReason.InvalidVia, start);
            }
        }

        // RFC 3261 §20.42: Via = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm): never empty.
        if (list.Error != SipSyntaxError.None || !any)
        {
            st.Fail(SipRejectionReason.InvalidVia, any ? v.Start + list.ErrorOffset : v.Start);
        }
    }

    private static void ScanAddressList(ReadOnlySpan<byte> b, ByteRange v, bool requireAngle, SipRejectionReason failure, ref ParseState st)
    {
        if (v.Length > 0 && b.Slice(v.Start, v.Length).IndexOf((byte)',') < 0)
        {
            // One address: no list to split.
            if (!NameAddrScanner.TryScan(b, v.Start, v.End, requireAngle, out _))
            {
                st.Fail(failure, v.Start);
            }

            return;
        }

        var list = new SipListEnumerator(b.Slice(v.Start, v.Length));
        var any = false;
        while (list.MoveNext())
        {
            any = true;
            var start = v.Start + list.CurrentOffset;
            if (!NameAddrScanner.TryScan(b, start, start + list.CurrentLength, requireAngle, out _))
            {
                st.Fail(failure, start);
                return;
            }
        }

        // Contact, Route, Record-Route, Path and Service-Route all hold at least one address.
        if (list.Error != SipSyntaxError.None || !any)
        {
            st.Fail(failure, any ? v.Start + list.ErrorOffset : v.Start);
        }
    }

    private static void Validate(SipMessage m, SipParserOptions o, ref ParseState st)
    {
        if (st.Reason != SipRejectionReason.None)
        {
            return;
        }

        // RFC 3261 §8.1.1 / §8.2.1 / RFC 4475 §3.3.1, §3.3.8: To, From, Call-ID, CSeq exactly once; Via at least once.
        if (!RequireOnce(m, SipHeaderId.To, ref st) || !RequireOnce(m, SipHeaderId.From, ref st)
            || !RequireOnce(m, SipHeaderId.CallId, ref st) || !RequireOnce(m, SipHeaderId.CSeq, ref st))
        {
            return;
        }

        if (m.CountOf(SipHeaderId.Via) == 0)
        {
            st.Fail(SipRejectionReason.MissingRequiredHeader, m.HeaderSectionEnd);
            return;
        }

        if (m.CountOf(SipHeaderId.MaxForwards) > 1)
        {
            st.Fail(SipRejectionReason.DuplicateSingletonHeader, SecondLine(m, SipHeaderId.MaxForwards));
            return;
        }

        if (m.CountOf(SipHeaderId.ContentLength) > 1)
        {
            st.Fail(SipRejectionReason.MultipleContentLength, SecondLine(m, SipHeaderId.ContentLength));
            return;
        }

        if (m.IsRequest)
        {
            if (o.RequireMaxForwards && m.MaxForwards < 0)
            {
                st.Fail(SipRejectionReason.MissingRequiredHeader, m.HeaderSectionEnd);
                return;
            }

            // RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.17/18: the CSeq method matches the request method (case-sensitive).
            if (!m.CSeqMethod.SequenceEqual(m.MethodBytes))
            {
                st.Fail(SipRejectionReason.CSeqMethodMismatch, m.CSeqMethodRange.Start);
            }
        }
    }

    private static bool RequireOnce(SipMessage m, SipHeaderId id, ref ParseState st)
    {
        var count = m.CountOf(id);
        if (count == 1)
        {
            return true;
        }

        if (count == 0)
        {
            st.Fail(SipRejectionReason.MissingRequiredHeader, m.HeaderSectionEnd);
        }
        else
        {
            st.Fail(SipRejectionReason.DuplicateSingletonHeader, SecondLine(m, id));
        }

        return false;
    }

    private static int SecondLine(SipMessage m, SipHeaderId id)
    {
        var seen = 0;
        foreach (var h in m.EnumerateHeaders(id))
        {
            if (++seen == 2)
            {
                return h.Line.Start;
            }
        }

        return 0;
    }

    private struct ParseState
    {
        public SipRejectionReason Reason;
        public int Offset;
        public int Scanned;
        public bool ContentLengthBroken;

        /// <summary>Keeps the first failure; a framing failure (<paramref name="force"/>) replaces a softer one.</summary>
        public void Fail(SipRejectionReason reason, int offset, bool force = false)
        {
            if (Reason == SipRejectionReason.None || force)
            {
                Reason = reason;
                Offset = offset;
            }
        }
    }
}
