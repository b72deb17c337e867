using System.Diagnostics.CodeAnalysis;

namespace Routing.Sip.Sdp;

/// <summary>
/// Strict RFC 8866 parser: line order v, o, s, i, u, e, p, c, b, (t, r, z)+, k, a, then media m, i, c, b, k, a
/// (RFC 8866 §5); "type=value" with no whitespace around "="; CRLF or bare LF line ends (RFC 8866 §5 asks parsers to
/// accept LF). Trailing empty lines after the last line are tolerated and kept. Bad input never throws.
/// </summary>
public static class SdpParser
{
    /// <summary>Default limit on the number of lines.</summary>
    public const int DefaultMaxLines = 1024;

    private const int SessionTimeRank = 9;

    /// <summary>
    /// Parses a session description. The bytes are copied once, so the caller may reuse its (pooled) buffer.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<byte> sdp,
        [NotNullWhen(true)] out SdpSession? session,
        out SdpParseError error,
        int maxLines = DefaultMaxLines)
    {
        session = null;
        var buffer = sdp.ToArray();
        ReadOnlyMemory<byte> memory = buffer;
        var span = (ReadOnlySpan<byte>)buffer;
        var sessionLines = new List<SdpLine>(16);
        var media = new List<SdpMediaDescription>(2);
        List<SdpLine>? mediaLines = null;
        var mediaRanks = 0;
        var sessionRank = -1;
        var timingSeen = false;
        var zoneInTime = false;
        var lineNumber = 0;
        var position = 0;
        var trailer = ReadOnlyMemory<byte>.Empty;

        while (position < span.Length)
        {
            var lineStart = position;
            var newline = span[position..].IndexOf((byte)'\n');
            int contentEnd;
            SdpLineEnding ending;
            if (newline < 0)
            {
                contentEnd = span.Length;
                ending = SdpLineEnding.None;
                position = span.Length;
            }
            else
            {
                var lf = position + newline;
                ending = lf > position && span[lf - 1] == (byte)'\r' ? SdpLineEnding.CrLf : SdpLineEnding.Lf;
                contentEnd = ending == SdpLineEnding.CrLf ? lf - 1 : lf;
                position = lf + 1;
            }

            lineNumber++;
            var content = span[lineStart..contentEnd];
            if (content.IsEmpty)
            {
                if (lineNumber > 1 && span[lineStart..].IndexOfAnyExcept((byte)'\r', (byte)'\n') < 0)
                {
                    trailer = memory[lineStart..];
                    break;
                }

                error = new SdpParseError(lineNumber == 1 ? SdpParseErrorReason.Empty : SdpParseErrorReason.EmptyLine, lineStart, lineNumber);
                return false;
            }

            if (lineNumber > maxLines)
            {
                error = new SdpParseError(SdpParseErrorReason.TooManyLines, lineStart, lineNumber);
                return false;
            }

            if (content.Length < 2 || content[1] != (byte)'=' || content[0] < (byte)'a' || content[0] > (byte)'z')
            {
                error = new SdpParseError(SdpParseErrorReason.MalformedLine, lineStart, lineNumber);
                return false;
            }

            // RFC 8866 §9: byte-string excludes NUL, CR and LF.
            var bad = content.IndexOfAny((byte)'\r', (byte)0);
            if (bad >= 0)
            {
                error = new SdpParseError(SdpParseErrorReason.InvalidCharacter, lineStart + bad, lineNumber);
                return false;
            }

            var type = (char)content[0];
            var line = new SdpLine(type, memory.Slice(lineStart + 2, content.Length - 2), ending, lineStart);
            var reason = Check(line, lineNumber, mediaLines is not null, ref sessionRank, ref mediaRanks, ref timingSeen, ref zoneInTime);
            if (reason is { } failure)
            {
                error = new SdpParseError(failure, lineStart, lineNumber);
                return false;
            }

            if (type == 'm')
            {
                mediaLines = new List<SdpLine>(12) { line };
                media.Add(new SdpMediaDescription(mediaLines));
                mediaRanks = 0;
            }
            else if (mediaLines is not null)
            {
                mediaLines.Add(line);
            }
            else
            {
                sessionLines.Add(line);
            }
        }

        var end = span.Length;
        if (sessionLines.Count == 0)
        {
            error = new SdpParseError(SdpParseErrorReason.Empty, 0, 1);
            return false;
        }

        if (sessionLines.Count < 2)
        {
            error = new SdpParseError(SdpParseErrorReason.MissingOrigin, end, lineNumber);
            return false;
        }

        if (sessionLines.Count < 3)
        {
            error = new SdpParseError(SdpParseErrorReason.MissingSessionName, end, lineNumber);
            return false;
        }

        if (!timingSeen)
        {
            error = new SdpParseError(SdpParseErrorReason.MissingTiming, end, lineNumber);
            return false;
        }

        // RFC 8866 §5.7: a session-level c= or one in every media description.
        if (!sessionLines.Exists(l => l.Type == 'c'))
        {
            foreach (var description in media)
            {
                if (!description.LineList.Exists(l => l.Type == 'c'))
                {
                    var m = description.LineList[0];
                    error = new SdpParseError(SdpParseErrorReason.MissingConnection, m.Offset, LineNumberAt(span, m.Offset));
                    return false;
                }
            }
        }

        error = default;
        session = new SdpSession(sessionLines, media, trailer);
        return true;
    }

    private static SdpParseErrorReason? Check(
        SdpLine line,
        int lineNumber,
        bool inMedia,
        ref int sessionRank,
        ref int mediaRank,
        ref bool timingSeen,
        ref bool zoneInTime)
    {
        var type = line.Type;

        // RFC 8866 §5: the description starts with exactly v=, o=, s= in that order.
        if (lineNumber <= 3)
        {
            var expected = lineNumber switch { 1 => 'v', 2 => 'o', _ => 's' };
            if (type != expected)
            {
                return lineNumber switch
                {
                    1 => SdpParseErrorReason.MissingVersion,
                    2 => type == 'v' ? SdpParseErrorReason.DuplicateLine : SdpParseErrorReason.MissingOrigin,
                    _ => type == 'o' ? SdpParseErrorReason.DuplicateLine : SdpParseErrorReason.MissingSessionName,
                };
            }

            sessionRank = lineNumber - 1;
            return type switch
            {
                'v' => line.Value.Span.SequenceEqual("0"u8) ? null : SdpParseErrorReason.UnsupportedVersion,
                'o' => Valid(line, SdpOrigin.IsValid) ? null : SdpParseErrorReason.MalformedOrigin,
                // RFC 8866 §5.3 asks for "s= " when there is no name, but RFC 3264 §10 and RFC 8839 Appendix A
                // examples (and deployed stacks) send an empty "s=": accepted and kept as received.
                _ => null,
            };
        }

        var valueCheck = CheckValue(line);
        if (type is 'v' or 'o' or 's')
        {
            return inMedia ? SdpParseErrorReason.LineOutOfOrder : SdpParseErrorReason.DuplicateLine;
        }

        if (valueCheck is { } invalid)
        {
            return invalid;
        }

        if (type == 'm')
        {
            return timingSeen ? null : SdpParseErrorReason.MissingTiming;
        }

        if (inMedia)
        {
            var rank = type switch { 'i' => 1, 'c' => 2, 'b' => 3, 'k' => 4, 'a' => 5, _ => -1 };
            if (rank < 0 || rank < mediaRank)
            {
                return SdpParseErrorReason.LineOutOfOrder;
            }

            if (rank == mediaRank && type is 'i' or 'k')
            {
                return SdpParseErrorReason.DuplicateLine;
            }

            mediaRank = rank;
            return null;
        }

        var sessionLineRank = type switch
        {
            'i' => 3, 'u' => 4, 'e' => 5, 'p' => 6, 'c' => 7, 'b' => 8, 't' or 'r' or 'z' => SessionTimeRank, 'k' => 10, 'a' => 11, _ => -1,
        };
        if (sessionLineRank < sessionRank)
        {
            return SdpParseErrorReason.LineOutOfOrder;
        }

        if (sessionLineRank == sessionRank && type is 'i' or 'u' or 'c' or 'k')
        {
            return SdpParseErrorReason.DuplicateLine;
        }

        switch (type)
        {
            case 't':
                timingSeen = true;
                zoneInTime = false;
                break;
            case 'r':
                // RFC 8866 §5: time-description = t= *r= [z=]; r= after z= is out of order.
                if (sessionRank != SessionTimeRank || zoneInTime)
                {
                    return SdpParseErrorReason.LineOutOfOrder;
                }

                break;
            case 'z':
                if (sessionRank != SessionTimeRank)
                {
                    return SdpParseErrorReason.LineOutOfOrder;
                }

                if (zoneInTime)
                {
                    return SdpParseErrorReason.DuplicateLine;
                }

                zoneInTime = true;
                break;
        }

        sessionRank = sessionLineRank;
        return null;
    }

    private static SdpParseErrorReason? CheckValue(SdpLine line)
    {
        switch (line.Type)
        {
            case 'v':
            case 'o':
            case 's':
                return null;
            case 'i':
            case 'u':
            case 'e':
            case 'p':
                return line.Value.IsEmpty ? SdpParseErrorReason.MalformedLine : null;
            case 'k':
                return null;
            case 'c':
                return Valid(line, SdpConnection.IsValid) ? null : SdpParseErrorReason.MalformedConnection;
            case 'b':
                return Valid(line, SdpBandwidth.IsValid) ? null : SdpParseErrorReason.MalformedBandwidth;
            case 't':
                return Valid(line, SdpTiming.IsValid) ? null : SdpParseErrorReason.MalformedTiming;
            case 'r':
                return Valid(line, IsRepeat) ? null : SdpParseErrorReason.MalformedRepeat;
            case 'z':
                return Valid(line, IsZoneAdjustments) ? null : SdpParseErrorReason.MalformedTimeZone;
            case 'a':
                return IsAttribute(line.Value.Span) ? null : SdpParseErrorReason.MalformedAttribute;
            case 'm':
                return Valid(line, SdpMediaLine.IsValid) ? null : SdpParseErrorReason.MalformedMedia;
            default:
                return SdpParseErrorReason.UnknownLineType;
        }
    }

    private delegate bool SpanValidator(ReadOnlySpan<char> value);

    // The structured lines are ASCII by grammar; widening the bytes one to one (Latin-1) into a stack buffer lets them be
    // checked without allocating. A non-ASCII byte then fails any token rule, as it should.
    private static bool Valid(SdpLine line, SpanValidator validator)
    {
        var bytes = line.Value.Span;
        if (bytes.Length > 256)
        {
            return validator(line.Text);
        }

        Span<char> chars = stackalloc char[256];
        var length = System.Text.Encoding.Latin1.GetChars(bytes, chars);
        return validator(chars[..length]);
    }

    // RFC 8866 §9: attribute = (attribute-name ":" attribute-value) / attribute-name; the value is a non-empty byte-string.
    private static bool IsAttribute(ReadOnlySpan<byte> value)
    {
        var colon = value.IndexOf((byte)':');
        return colon < 0 ? SdpText.IsToken(value) : SdpText.IsToken(value[..colon]) && colon < value.Length - 1;
    }

    // RFC 8866 §5.10: r=<repeat interval> <active duration> <offsets from start-time>.
    private static bool IsRepeat(ReadOnlySpan<char> value)
    {
        var count = 0;
        while (!value.IsEmpty)
        {
            if (!SdpText.NextField(ref value, out var field) || !SdpText.IsTypedTime(field, allowSign: false))
            {
                return false;
            }

            count++;
        }

        return count >= 3;
    }

    // RFC 8866 §5.11: z=<adjustment time> <offset> *(SP <adjustment time> SP <offset>); offsets may be negative.
    private static bool IsZoneAdjustments(ReadOnlySpan<char> value)
    {
        var pairs = 0;
        while (!value.IsEmpty)
        {
            if (!SdpText.NextField(ref value, out var time) || !SdpText.IsDigits(time)
                || !SdpText.NextField(ref value, out var offset) || !SdpText.IsTypedTime(offset, allowSign: true))
            {
                return false;
            }

            pairs++;
        }

        return pairs > 0;
    }

    private static int LineNumberAt(ReadOnlySpan<byte> span, int offset) => span[..offset].Count((byte)'\n') + 1;
}
