namespace Routing.Sip.Message.Internal;

/// <summary>
/// Validates one <c>(name-addr / addr-spec) *(SEMI param)</c> value (RFC 3261 §20.10, §20.20, §20.39, §25.1) and
/// finds its tag. Enough for framing-time validation; the Headers layer owns the typed value.
/// </summary>
internal static class NameAddrScanner
{
    /// <param name="s">The message bytes.</param>
    /// <param name="start">First byte of the value.</param>
    /// <param name="end">One past the last byte of the value.</param>
    /// <param name="requireAngle">True for Route/Record-Route/Path, which allow only name-addr.</param>
    /// <param name="tag">The tag parameter value, empty when absent.</param>
    public static bool TryScan(ReadOnlySpan<byte> s, int start, int end, bool requireAngle, out ByteRange tag)
    {
        tag = default;
        var v = s[..end];
        var i = SipChars.SkipLws(v, start);
        if (i >= end)
        {
            return false;
        }

        if (v[i] == (byte)'"')
        {
            // RFC 3261 §25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
            if (!TrySkipQuoted(v, ref i))
            {
                return false;
            }

            i = SipChars.SkipLws(v, i);
            if (i >= end || v[i] != (byte)'<')
            {
                return false;
            }
        }
        else if (v[i] != (byte)'<')
        {
            // display-name = *(token LWS): a run of tokens ends at '<'; otherwise this is an addr-spec.
            var j = SipChars.SkipRun(v, i, end, SipChars.DisplayNameRun);

            if (j < end && v[j] == (byte)'<')
            {
                i = j;
            }
            else
            {
                if (requireAngle)
                {
                    return false;
                }

                // RFC 3261 §20.10: an addr-spec outside <> ends at the first ';' and may not hold ',', '?' or LWS.
                var uriEnd = i;
                while (uriEnd < end && v[uriEnd] != (byte)';')
                {
                    var c = v[uriEnd];
                    if (c <= (byte)' ' || c == (byte)'?' || c == (byte)',' || c == (byte)'<' || c == (byte)'>' || c == (byte)'"' || c >= 0x7F)
                    {
                        break;
                    }

                    uriEnd++;
                }

                if (!HasScheme(v[i..uriEnd]))
                {
                    return false;
                }

                return TryScanParams(v, uriEnd, end, ref tag);
            }
        }

        // name-addr: LAQUOT addr-spec RAQUOT with nothing but URI characters in between (RFC 4475 §3.1.2.14).
        i++;
        var uriStart = i;
        var stop = v[i..end].IndexOfAny(SipChars.AngleUriStop);
        if (stop < 0 || v[i + stop] != (byte)'>')
        {
            return false;
        }

        i += stop;
        if (!HasScheme(v[uriStart..i]))
        {
            return false;
        }

        return TryScanParams(v, i + 1, end, ref tag);
    }

    /// <summary>scheme ":" followed by at least one byte (RFC 3261 §25.1 absoluteURI / SIP-URI).</summary>
    public static bool HasScheme(ReadOnlySpan<byte> uri)
    {
        var colon = uri.IndexOf((byte)':');
        if (colon <= 0 || colon == uri.Length - 1 || !SipChars.IsAlpha(uri[0]))
        {
            return false;
        }

        return uri[1..colon].IndexOfAnyExcept(SipChars.SchemeTail) < 0;
    }

    private static bool TrySkipQuoted(ReadOnlySpan<byte> v, ref int i)
    {
        i++;
        while (i < v.Length)
        {
            var rel = v[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (rel < 0)
            {
                return false;
            }

            i += rel;
            if (v[i] == (byte)'"')
            {
                i++;
                return true;
            }

            // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
            if (i + 1 >= v.Length || v[i + 1] == (byte)'\r' || v[i + 1] == (byte)'\n')
            {
                return false;
            }

            i += 2;
        }

        return false;
    }

    /// <summary>*(SEMI generic-param), generic-param = token [EQUAL gen-value], gen-value = token / host / quoted-string.</summary>
    private static bool TryScanParams(ReadOnlySpan<byte> v, int i, int end, ref ByteRange tag)
    {
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
            i = SipChars.SkipRun(v, i, end, SipChars.Token);
            if (i == nameStart)
            {
                return false;
            }

            var isTag = i - nameStart == 3 && System.Text.Ascii.EqualsIgnoreCase(v[nameStart..i], "tag"u8);
            i = SipChars.SkipLws(v, i);
            if (i < end && v[i] == (byte)'=')
            {
                i = SipChars.SkipLws(v, i + 1);
                var valueStart = i;
                if (i < end && v[i] == (byte)'"')
                {
                    if (!TrySkipQuoted(v[..end], ref i))
                    {
                        return false;
                    }
                }
                else
                {
                    i = SipChars.SkipRun(v, i, end, SipChars.GenValue);
                    if (i == valueStart)
                    {
                        return false;
                    }
                }

                if (isTag)
                {
                    tag = ByteRange.FromBounds(valueStart, i);
                }
            }
        }
    }
}
