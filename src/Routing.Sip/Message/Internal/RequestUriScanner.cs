namespace Routing.Sip.Message.Internal;

/// <summary>
/// Request-URI checks a proxy needs before routing (RFC 3261 §8.2.2.1, §19.1.1, RFC 4475 §3.1.2.7, §3.1.2.11,
/// §3.3.2, RFC 5118 §4.2). Replaceable by the Uri layer's full parser.
/// </summary>
internal static class RequestUriScanner
{
    public static SipRejectionReason Check(ReadOnlySpan<byte> uri, out int errorIndex)
    {
        errorIndex = 0;
        var colon = uri.IndexOf((byte)':');
        if (colon <= 0 || !SipChars.IsAlpha(uri[0]) || uri[1..colon].IndexOfAnyExcept(SipChars.SchemeTail) >= 0)
        {
            return SipRejectionReason.InvalidRequestUri;
        }

        var scheme = uri[..colon];
        var rest = uri[(colon + 1)..];
        if (System.Text.Ascii.EqualsIgnoreCase(scheme, "sip"u8) || System.Text.Ascii.EqualsIgnoreCase(scheme, "sips"u8))
        {
            var reason = CheckSip(rest, out errorIndex);
            errorIndex += colon + 1;
            return reason;
        }

        if (System.Text.Ascii.EqualsIgnoreCase(scheme, "tel"u8))
        {
            // RFC 3966: a telephone-subscriber is at least one digit or visual separator.
            return rest.IsEmpty ? SipRejectionReason.InvalidRequestUri : SipRejectionReason.None;
        }

        return SipRejectionReason.UnsupportedUriScheme;
    }

    private static SipRejectionReason CheckSip(ReadOnlySpan<byte> rest, out int errorIndex)
    {
        // RFC 3261 §25.1: userinfo may hold ';', '?', '/', ',' but never an unescaped '@', so the first '@' ends it.
        var at = rest.IndexOf((byte)'@');
        var i = at >= 0 ? at + 1 : 0;
        errorIndex = i;
        if (at == 0)
        {
            return SipRejectionReason.InvalidRequestUri;
        }

        var hostStart = i;
        if (i < rest.Length && rest[i] == (byte)'[')
        {
            var close = rest[i..].IndexOf((byte)']');
            if (close < 3 || rest[(i + 1)..(i + close)].IndexOfAnyExcept(SipChars.Ipv6) >= 0)
            {
                return SipRejectionReason.InvalidRequestUri;
            }

            i += close + 1;
        }
        else
        {
            i = SipChars.SkipRun(rest, i, rest.Length, SipChars.HostName);

            if (i == hostStart)
            {
                return SipRejectionReason.InvalidRequestUri;
            }
        }

        if (i < rest.Length && rest[i] == (byte)':')
        {
            var portStart = ++i;
            while (i < rest.Length && SipChars.IsDigit(rest[i]))
            {
                i++;
            }

            if (i == portStart || i - portStart > 5)
            {
                errorIndex = portStart;
                return SipRejectionReason.InvalidRequestUri;
            }
        }

        errorIndex = i;
        if (i == rest.Length)
        {
            return SipRejectionReason.None;
        }

        if (rest[i] == (byte)'?')
        {
            return SipRejectionReason.RequestUriHasHeaders;
        }

        if (rest[i] != (byte)';')
        {
            return SipRejectionReason.InvalidRequestUri;
        }

        // uri-parameters; RFC 3261 §19.1.5: headers are not allowed in a Request-URI.
        var q = rest[i..].IndexOf((byte)'?');
        if (q >= 0)
        {
            errorIndex = i + q;
            return SipRejectionReason.RequestUriHasHeaders;
        }

        return SipRejectionReason.None;
    }
}
