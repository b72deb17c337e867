using System.Buffers;
using System.Globalization;

namespace Routing.Sip.Sdp;

/// <summary>Small readers shared by the SDP value parsers; SP-separated fields are strict (one SP, RFC 8866 §9).</summary>
internal static class SdpText
{
    // RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    public static bool IsToken(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(TokenChars);

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(TokenBytes);

    /// <summary>Takes the next SP-delimited field; false when none is left or it is empty (two SPs in a row).</summary>
    public static bool NextField(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
    {
        if (rest.IsEmpty)
        {
            field = default;
            return false;
        }

        var space = rest.IndexOf(' ');
        if (space < 0)
        {
            field = rest;
            rest = default;
        }
        else
        {
            field = rest[..space];
            rest = rest[(space + 1)..];
            if (rest.IsEmpty)
            {
                // A trailing SP leaves an empty last field.
                return false;
            }
        }

        return !field.IsEmpty;
    }

    public static bool IsDigits(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool TryParseUInt64(ReadOnlySpan<char> value, out ulong result)
    {
        result = 0;
        return IsDigits(value) && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    public static bool TryParseInt32(ReadOnlySpan<char> value, int max, out int result)
    {
        result = 0;
        return IsDigits(value) && value.Length <= 10
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result <= max;
    }

    /// <summary>RFC 8866 §9 typed-time: 1*DIGIT [fixed-len-time-unit] where the unit is d, h, m or s.</summary>
    public static bool IsTypedTime(ReadOnlySpan<char> value, bool allowSign)
    {
        if (allowSign && !value.IsEmpty && value[0] == '-')
        {
            value = value[1..];
        }

        if (!value.IsEmpty && value[^1] is 'd' or 'h' or 'm' or 's')
        {
            value = value[..^1];
        }

        return IsDigits(value);
    }

    /// <summary>RFC 8866 §9 unicast-address / multicast base: an IPv4 or IPv6 literal, or an FQDN or extension address.</summary>
    public static bool IsAddress(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c <= ' ' || c == 0x7F || c == '/')
            {
                return false;
            }
        }

        return true;
    }

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
