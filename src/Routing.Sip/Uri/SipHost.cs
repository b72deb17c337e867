using Routing.Sip.Syntax;

namespace Routing.Sip.Uri;

/// <summary>What kind of host a URI or Via sent-by names.</summary>
public enum SipHostKind
{
    /// <summary>No host (tel: and opaque URIs).</summary>
    None = 0,

    /// <summary>A DNS hostname (RFC 3261 §25.1 hostname).</summary>
    Hostname,

    /// <summary>A dotted IPv4 address.</summary>
    IPv4,

    /// <summary>An IPv6 reference "[...]" (RFC 3261 §25.1 as corrected by RFC 5954 §4.1).</summary>
    IPv6,
}

/// <summary>Host syntax checks shared by URIs and Via (RFC 3261 §25.1 host, RFC 5954 §4.1 IPv6address).</summary>
public static class SipHost
{
    /// <summary>
    /// Classifies and validates a host: an IPv6 reference (with brackets), an IPv4 address, or a hostname. Returns
    /// <see cref="SipHostKind.None"/> when <paramref name="host"/> is none of them.
    /// </summary>
    public static SipHostKind Classify(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty)
        {
            return SipHostKind.None;
        }

        if (host[0] == (byte)'[')
        {
            return host.Length > 2 && host[^1] == (byte)']' && IsIPv6Address(host[1..^1]) ? SipHostKind.IPv6 : SipHostKind.None;
        }

        if (IsIPv4Address(host))
        {
            return SipHostKind.IPv4;
        }

        return IsHostname(host) ? SipHostKind.Hostname : SipHostKind.None;
    }

    /// <summary>IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, each 0-255 (RFC 5954 §4.1).</summary>
    public static bool IsIPv4Address(ReadOnlySpan<byte> text) => TryParseIPv4(text, default);

    /// <summary>
    /// hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum with inner "-"; the top label starts with
    /// ALPHA (RFC 3261 §25.1).
    /// </summary>
    public static bool IsHostname(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.ContainsAnyExcept(SipCharacters.HostnameChars))
        {
            return false;
        }

        if (text[^1] == (byte)'.')
        {
            text = text[..^1];
        }

        var lastLabelStart = 0;
        var labelStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != (byte)'.')
            {
                continue;
            }

            var label = text[labelStart..i];
            if (label.IsEmpty || label[0] == (byte)'-' || label[^1] == (byte)'-')
            {
                return false;
            }

            lastLabelStart = labelStart;
            labelStart = i + 1;
        }

        var top = text[lastLabelStart];
        return SipCharacters.Alpha.Contains(top);
    }

    /// <summary>IPv6address per RFC 5954 §4.1 (the RFC 3986 form), without brackets.</summary>
    public static bool IsIPv6Address(ReadOnlySpan<byte> text)
    {
        Span<byte> bytes = stackalloc byte[16];
        return TryParseIPv6(text, bytes);
    }

    /// <summary>
    /// Parses an IPv6address (no brackets) into 16 bytes, accepting "::" compression and a trailing IPv4 part
    /// (RFC 5954 §4.1, which fixes the RFC 3261 grammar so that e.g. "2001:db8::192.0.2.1" is valid).
    /// </summary>
    public static bool TryParseIPv6(ReadOnlySpan<byte> text, Span<byte> address)
    {
        if (address.Length < 16 || text.Length < 2)
        {
            return false;
        }

        address[..16].Clear();
        Span<ushort> groups = stackalloc ushort[8];
        Span<byte> v4 = stackalloc byte[4];
        var count = 0;
        var compressAt = -1;
        var i = 0;
        if (text[0] == (byte)':')
        {
            if (text[1] != (byte)':')
            {
                return false;
            }

            compressAt = 0;
            i = 2;
            if (i == text.Length)
            {
                return true;
            }
        }

        while (i < text.Length)
        {
            // A trailing IPv4 part takes the place of two groups.
            var rest = text[i..];
            var nextColon = rest.IndexOf((byte)':');
            var piece = nextColon < 0 ? rest : rest[..nextColon];
            if (nextColon < 0 && piece.Contains((byte)'.'))
            {
                if (count > 6 || !TryParseIPv4(piece, v4))
                {
                    return false;
                }

                groups[count++] = (ushort)((v4[0] << 8) | v4[1]);
                groups[count++] = (ushort)((v4[2] << 8) | v4[3]);
                i = text.Length;
                break;
            }

            if (piece.IsEmpty || piece.Length > 4 || count >= 8)
            {
                return false;
            }

            var value = 0;
            foreach (var b in piece)
            {
                var h = PercentEncoding.HexValue(b);
                if (h < 0)
                {
                    return false;
                }

                value = (value << 4) | h;
            }

            groups[count++] = (ushort)value;
            i += piece.Length;
            if (i == text.Length)
            {
                break;
            }

            // at a ':'
            i++;
            if (i < text.Length && text[i] == (byte)':')
            {
                if (compressAt >= 0)
                {
                    return false;
                }

                compressAt = count;
                i++;
                if (i == text.Length)
                {
                    break;
                }
            }
            else if (i == text.Length)
            {
                return false;
            }
        }

        if (compressAt < 0 ? count != 8 : count > 7)
        {
            return false;
        }

        var tail = compressAt < 0 ? 0 : count - compressAt;
        var head = count - tail;
        for (var g = 0; g < head; g++)
        {
            address[g * 2] = (byte)(groups[g] >> 8);
            address[(g * 2) + 1] = (byte)groups[g];
        }

        for (var g = 0; g < tail; g++)
        {
            var target = 8 - tail + g;
            address[target * 2] = (byte)(groups[head + g] >> 8);
            address[(target * 2) + 1] = (byte)groups[head + g];
        }

        return true;
    }

    /// <summary>
    /// True when two hosts name the same host: hostnames compare case-insensitively (RFC 3261 §19.1.4), IPv6 references
    /// compare by address so "[2001:DB8::1]" equals "[2001:db8:0::1]" (RFC 5954 §4.2 clarifies that textual IP
    /// representations compare by value), IPv4 by text.
    /// </summary>
    public static bool HostEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length > 2 && right.Length > 2 && left[0] == (byte)'[' && right[0] == (byte)'[')
        {
            Span<byte> a = stackalloc byte[16];
            Span<byte> b = stackalloc byte[16];
            if (TryParseIPv6(left[1..^1], a) && TryParseIPv6(right[1..^1], b))
            {
                return a.SequenceEqual(b);
            }
        }

        return System.Text.Ascii.EqualsIgnoreCase(left, right);
    }

    private static bool TryParseIPv4(ReadOnlySpan<byte> text, Span<byte> address)
    {
        var part = 0;
        var value = 0;
        var digits = 0;
        foreach (var b in text)
        {
            if (b == (byte)'.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                if (!address.IsEmpty)
                {
                    address[part] = (byte)value;
                }

                part++;
                value = 0;
                digits = 0;
                continue;
            }

            var d = b - '0';
            if ((uint)d > 9 || ++digits > 3)
            {
                return false;
            }

            value = (value * 10) + d;
            if (value > 255)
            {
                return false;
            }
        }

        if (digits == 0 || part != 3)
        {
            return false;
        }

        if (!address.IsEmpty)
        {
            address[3] = (byte)value;
        }

        return true;
    }
}
