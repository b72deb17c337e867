namespace Routing.Sip.Message.Internal;

/// <summary>
/// Validates one via-parm (RFC 3261 §20.42, §25.1) and locates transport, sent-by and branch. Liberal where RFC 4475
/// §3.1.1.1 and RFC 5118 §4.5 ask parsers to be: LWS around the slashes, bracketed IPv6 in <c>received</c>.
/// </summary>
internal static class ViaScanner
{
    public static bool TryScan(ReadOnlySpan<byte> s, int start, int end, out ByteRange transport, out ByteRange sentBy, out ByteRange branch)
    {
        transport = sentBy = branch = default;
        var v = s[..end];

        // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
        var i = SipChars.SkipLws(v, start);
        if (!SkipToken(v, ref i) || !SkipSlash(v, ref i) || !SkipToken(v, ref i) || !SkipSlash(v, ref i))
        {
            return false;
        }

        var tStart = i;
        if (!SkipToken(v, ref i))
        {
            return false;
        }

        var tEnd = i;
        var afterLws = SipChars.SkipLws(v, i);
        if (afterLws == i)
        {
            return false;
        }

        i = afterLws;

        // sent-by = host [ COLON port ]
        var hostStart = i;
        if (i < end && v[i] == (byte)'[')
        {
            var close = v[i..].IndexOf((byte)']');
            if (close < 0 || v[(i + 1)..(i + close)].IndexOfAnyExcept(SipChars.Ipv6) >= 0 || close < 3)
            {
                return false;
            }

            i += close + 1;
        }
        else
        {
            i = SipChars.SkipRun(v, i, end, SipChars.HostName);
            if (i == hostStart)
            {
                return false;
            }
        }

        var sentByEnd = i;
        var j = SipChars.SkipLws(v, i);
        if (j < end && v[j] == (byte)':')
        {
            j = SipChars.SkipLws(v, j + 1);
            var portStart = j;
            while (j < end && SipChars.IsDigit(v[j]))
            {
                j++;
            }

            if (j == portStart || j - portStart > 5)
            {
                return false;
            }

            i = sentByEnd = j;
        }

        transport = ByteRange.FromBounds(tStart, tEnd);
        sentBy = ByteRange.FromBounds(hostStart, sentByEnd);

        // *( SEMI via-params ); a malformed parameter makes the value invalid but keeps sent-by usable.
        while (true)
        {
            i = SipChars.SkipLws(v, i);
            if (i >= end)
            {
                return true;
            }

            if (v[i] != (byte)';')
            {
                return false;
            }

            i = SipChars.SkipLws(v, i + 1);
            var nameStart = i;
            if (!SkipToken(v, ref i))
            {
                return false;
            }

            var isBranch = i - nameStart == 6 && System.Text.Ascii.EqualsIgnoreCase(v[nameStart..i], "branch"u8);
            i = SipChars.SkipLws(v, i);
            if (i < end && v[i] == (byte)'=')
            {
                i = SipChars.SkipLws(v, i + 1);
                var valueStart = i;
                if (i < end && v[i] == (byte)'"')
                {
                    var close = v[(i + 1)..].IndexOf((byte)'"');
                    if (close < 0)
                    {
                        return false;
                    }

                    i += close + 2;
                }
                else
                {
                    i = SipChars.SkipRun(v, i, end, SipChars.GenValue);
                    if (i == valueStart)
                    {
                        return false;
                    }
                }

                if (isBranch && branch.Length == 0)
                {
                    branch = ByteRange.FromBounds(valueStart, i);
                }
            }
        }
    }

    private static bool SkipToken(ReadOnlySpan<byte> v, ref int i)
    {
        var start = i;
        i = SipChars.SkipRun(v, i, v.Length, SipChars.Token);
        return i > start;
    }

    private static bool SkipSlash(ReadOnlySpan<byte> v, ref int i)
    {
        var j = SipChars.SkipLws(v, i);
        if (j >= v.Length || v[j] != (byte)'/')
        {
            return false;
        }

        i = SipChars.SkipLws(v, j + 1);
        return true;
    }
}
