using System.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Uri;

// URI parsing: RFC 3261 §19.1.1 / §25.1 for sip/sips, RFC 3966 §3 for tel, absoluteURI for anything else.
public readonly partial struct SipUri
{
    private static SipUriError Parse(ReadOnlyMemory<byte> source, out SipUri uri, out int offset)
    {
        var error = ParseLayout(source.Span, out var scheme, out var layout, out offset);
        uri = error == SipUriError.None ? new SipUri(source, scheme, layout) : default;
        return error;
    }

    private static SipUriError ParseLayout(ReadOnlySpan<byte> s, out SipUriScheme scheme, out Layout layout, out int offset)
    {
        scheme = SipUriScheme.None;
        layout = default;
        offset = 0;
        if (s.IsEmpty)
        {
            return SipUriError.Empty;
        }

        if (s.Length > MaxLength)
        {
            return SipUriError.TooLong;
        }

        // RFC 3261 §25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        if (!SipCharacters.Alpha.Contains(s[0]))
        {
            return SipUriError.InvalidScheme;
        }

        var colon = s.IndexOfAnyExcept(SipCharacters.SchemeChars);
        if (colon < 0)
        {
            offset = s.Length;
            return SipUriError.MissingScheme;
        }

        if (s[colon] != (byte)':')
        {
            offset = colon;
            return SipUriError.InvalidScheme;
        }

        var name = s[..colon];
        scheme = Ascii.EqualsIgnoreCase(name, "sip"u8) ? SipUriScheme.Sip
            : Ascii.EqualsIgnoreCase(name, "sips"u8) ? SipUriScheme.Sips
            : Ascii.EqualsIgnoreCase(name, "tel"u8) ? SipUriScheme.Tel
            : SipUriScheme.Other;

        layout = new Layout { SchemeLength = colon };
        var bodyStart = colon + 1;
        if (bodyStart >= s.Length)
        {
            offset = bodyStart;
            return SipUriError.EmptyBody;
        }

        return scheme switch
        {
            SipUriScheme.Tel => ParseTel(s, bodyStart, ref layout, out offset),
            SipUriScheme.Other => ParseOpaque(s, bodyStart, out offset),
            _ => ParseSip(s, bodyStart, ref layout, out offset),
        };
    }

    private static SipUriError ParseOpaque(ReadOnlySpan<byte> s, int start, out int offset)
    {
        // RFC 3261 §25.1 absoluteURI; unknown schemes are valid and kept as received (RFC 4475 §3.3.2, §3.3.3).
        var body = s[start..];
        var bad = body.IndexOfAny(OpaqueExcluded);
        if (bad < 0)
        {
            bad = body.IndexOfAnyInRange((byte)0, (byte)0x20);
        }

        if (bad < 0)
        {
            bad = body.IndexOfAnyInRange((byte)0x7F, (byte)0xFF);
        }

        offset = bad < 0 ? 0 : start + bad;
        return bad < 0 ? SipUriError.None : SipUriError.InvalidCharacter;
    }

    private static SipUriError ParseTel(ReadOnlySpan<byte> s, int start, ref Layout layout, out int offset)
    {
        // RFC 3966 §3: telephone-subscriber = global-number / local-number, followed by ;parameters.
        var semi = s[start..].IndexOf((byte)';');
        var end = semi < 0 ? s.Length : start + semi;
        var number = s[start..end];
        var valid = number.Length > 0 && (number[0] == (byte)'+'
            ? IsPhoneDigits(number[1..], allowHex: false)
            : IsPhoneDigits(number, allowHex: true));
        if (!valid)
        {
            offset = start;
            return SipUriError.InvalidTelephoneNumber;
        }

        layout.UserStart = start;
        layout.UserLength = number.Length;
        layout.ParamsStart = end;
        layout.ParamsLength = s.Length - end;
        layout.HeadersStart = s.Length;
        if (!SipParameters.TryValidate(s[end..], SipParameterSyntax.Uri, out var rejection))
        {
            offset = end + rejection.Offset;
            return SipUriError.InvalidParameter;
        }

        offset = 0;
        return SipUriError.None;
    }

    // phonedigit = DIGIT / visual-separator; phonedigit-hex adds HEXDIG, "*" and "#"; at least one digit is needed.
    private static bool IsPhoneDigits(ReadOnlySpan<byte> digits, bool allowHex)
    {
        var any = false;
        foreach (var b in digits)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                any = true;
            }
            else if (allowHex && (PercentEncoding.HexValue(b) >= 0 || b is (byte)'*' or (byte)'#'))
            {
                any = true;
            }
            else if (!IsVisualSeparator(b))
            {
                return false;
            }
        }

        return any;
    }

    private static SipUriError ParseSip(ReadOnlySpan<byte> s, int start, ref Layout layout, out int offset)
    {
        var i = start;

        // The user part may hold ";", "?" and "/" (user-unreserved) but never "@" (RFC 3261 §25.1), so the first
        // "@" ends userinfo (RFC 4475 §3.1.1.9: "sip:user;par=u%40example.net@example.com").
        var at = s[i..].IndexOf((byte)'@');
        if (at >= 0)
        {
            var userinfo = s.Slice(i, at);
            var passColon = userinfo.IndexOf((byte)':');
            var user = passColon < 0 ? userinfo : userinfo[..passColon];
            if (user.IsEmpty)
            {
                offset = i;
                return SipUriError.InvalidUser;
            }

            var badUser = user.IndexOfAnyExcept(SipCharacters.UserChars);
            if (badUser >= 0)
            {
                offset = i + badUser;
                return SipUriError.InvalidUser;
            }

            if (!PercentEncoding.IsWellFormed(user, out var badEscape))
            {
                offset = i + badEscape;
                return SipUriError.InvalidEscape;
            }

            layout.Flags |= FlagUser;
            layout.UserStart = i;
            layout.UserLength = user.Length;
            if (passColon >= 0)
            {
                var password = userinfo[(passColon + 1)..];
                var passStart = i + passColon + 1;
                var badPass = password.IndexOfAnyExcept(SipCharacters.PasswordChars);
                if (badPass >= 0)
                {
                    offset = passStart + badPass;
                    return SipUriError.InvalidPassword;
                }

                if (!PercentEncoding.IsWellFormed(password, out badEscape))
                {
                    offset = passStart + badEscape;
                    return SipUriError.InvalidEscape;
                }

                layout.Flags |= FlagPassword;
                layout.PasswordStart = passStart;
                layout.PasswordLength = password.Length;
            }

            i += at + 1;
        }

        var hostError = ParseHostPort(s, ref i, ref layout, out offset);
        if (hostError != SipUriError.None)
        {
            return hostError;
        }

        var paramsStart = i;
        var question = s[i..].IndexOf((byte)'?');
        var paramsEnd = question < 0 ? s.Length : i + question;
        if (paramsEnd > i && s[i] != (byte)';')
        {
            offset = i;
            return SipUriError.UnexpectedCharacter;
        }

        layout.ParamsStart = paramsStart;
        layout.ParamsLength = paramsEnd - paramsStart;
        if (!SipParameters.TryValidate(s[paramsStart..paramsEnd], SipParameterSyntax.Uri, out var rejection))
        {
            offset = paramsStart + rejection.Offset;
            return rejection.Reason == SipSyntaxError.InvalidEscape ? SipUriError.InvalidEscape : SipUriError.InvalidParameter;
        }

        layout.HeadersStart = s.Length;
        if (question >= 0)
        {
            var headersStart = paramsEnd + 1;
            var headerError = ValidateHeaders(s[headersStart..], out var headerOffset);
            if (headerError != SipUriError.None)
            {
                offset = headersStart + headerOffset;
                return headerError;
            }

            layout.HeadersStart = headersStart;
            layout.HeadersLength = s.Length - headersStart;
        }

        offset = 0;
        return SipUriError.None;
    }

    private static SipUriError ParseHostPort(ReadOnlySpan<byte> s, ref int i, ref Layout layout, out int offset)
    {
        offset = i;
        if (i >= s.Length)
        {
            return SipUriError.MissingHost;
        }

        var hostStart = i;
        if (s[i] == (byte)'[')
        {
            var close = s[i..].IndexOf((byte)']');
            if (close < 0 || !SipHost.IsIPv6Address(s.Slice(i + 1, close - 1)))
            {
                return SipUriError.InvalidIPv6Reference;
            }

            i += close + 1;
            layout.HostKind = SipHostKind.IPv6;
        }
        else
        {
            var len = s[i..].IndexOfAnyExcept(SipCharacters.HostnameChars);
            if (len < 0)
            {
                len = s.Length - i;
            }

            if (len == 0)
            {
                return SipUriError.MissingHost;
            }

            var host = s.Slice(i, len);
            layout.HostKind = SipHost.IsIPv4Address(host) ? SipHostKind.IPv4
                : SipHost.IsHostname(host) ? SipHostKind.Hostname
                : SipHostKind.None;
            if (layout.HostKind == SipHostKind.None)
            {
                return SipUriError.InvalidHost;
            }

            i += len;
        }

        layout.HostStart = hostStart;
        layout.HostLength = i - hostStart;

        if (i < s.Length && s[i] == (byte)':')
        {
            // RFC 5118 §4.2: an unbracketed IPv6 address makes its first ":" look like a port; such a "port" is rejected.
            i++;
            var digits = s[i..].IndexOfAnyExcept(SipCharacters.Digit);
            if (digits < 0)
            {
                digits = s.Length - i;
            }

            if (digits == 0 || !SipNumber.TryParseInt32(s.Slice(i, digits), out var port) || port > 65535)
            {
                offset = i;
                return SipUriError.InvalidPort;
            }

            if (i + digits < s.Length && s[i + digits] is not ((byte)';' or (byte)'?'))
            {
                offset = i + digits;
                return SipUriError.InvalidPort;
            }

            layout.Flags |= FlagPort;
            layout.Port = port;
            i += digits;
        }

        if (i < s.Length && s[i] is not ((byte)';' or (byte)'?'))
        {
            offset = i;
            return SipUriError.InvalidHost;
        }

        return SipUriError.None;
    }

    // headers = "?" header *( "&" header ); header = hname "=" hvalue; hname = 1*( hnv-unreserved / unreserved /
    // escaped ); hvalue = *( hnv-unreserved / unreserved / escaped ) (RFC 3261 §25.1)
    private static SipUriError ValidateHeaders(ReadOnlySpan<byte> headers, out int offset)
    {
        var i = 0;
        while (true)
        {
            var nameLength = headers[i..].IndexOfAnyExcept(SipCharacters.HeaderChars);
            if (nameLength < 0)
            {
                nameLength = headers.Length - i;
            }

            if (nameLength == 0 || i + nameLength >= headers.Length || headers[i + nameLength] != (byte)'=')
            {
                offset = i + nameLength;
                return SipUriError.InvalidHeaders;
            }

            if (!PercentEncoding.IsWellFormed(headers.Slice(i, nameLength), out var bad))
            {
                offset = i + bad;
                return SipUriError.InvalidEscape;
            }

            i += nameLength + 1;
            var valueLength = headers[i..].IndexOfAnyExcept(SipCharacters.HeaderChars);
            if (valueLength < 0)
            {
                valueLength = headers.Length - i;
            }

            if (!PercentEncoding.IsWellFormed(headers.Slice(i, valueLength), out bad))
            {
                offset = i + bad;
                return SipUriError.InvalidEscape;
            }

            i += valueLength;
            if (i == headers.Length)
            {
                offset = 0;
                return SipUriError.None;
            }

            if (headers[i] != (byte)'&')
            {
                offset = i;
                return SipUriError.InvalidHeaders;
            }

            i++;
        }
    }

    private struct Layout
    {
        public SipHostKind HostKind;
        public byte Flags;
        public int SchemeLength;
        public int UserStart;
        public int UserLength;
        public int PasswordStart;
        public int PasswordLength;
        public int HostStart;
        public int HostLength;
        public int Port;
        public int ParamsStart;
        public int ParamsLength;
        public int HeadersStart;
        public int HeadersLength;
    }
}
