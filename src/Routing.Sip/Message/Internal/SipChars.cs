using System.Buffers;
using Routing.Sip.Syntax;

namespace Routing.Sip.Message.Internal;

/// <summary>
/// Character classes and small scanners the message layer needs for framing and up-front validation
/// (RFC 3261 §25.1), over the Syntax layer's classes.
/// </summary>
internal static class SipChars
{
    public static SearchValues<byte> Token => SipCharacters.Token;

    public static SearchValues<byte> Word => SipCharacters.Word;

    public static SearchValues<byte> Digits => SipCharacters.Digit;

    public static SearchValues<byte> SchemeTail => SipCharacters.SchemeChars;

    public static SearchValues<byte> HostName => SipCharacters.HostnameChars;

    // IPv6reference contents (RFC 3261 §25.1, RFC 5954 §4.1): hex digits, ':' and '.' for the IPv4 tail.
    public static readonly SearchValues<byte> Ipv6 = SearchValues.Create("0123456789abcdefABCDEF:."u8);

    /// <summary>Token chars plus the host characters a gen-value may hold (RFC 3261 §25.1 gen-value = token / host / quoted-string).</summary>
    public static SearchValues<byte> GenValue => SipCharacters.GenValueChars;

    /// <summary>Control characters a Reason-Phrase may not hold (all but HTAB, and DEL).</summary>
    public static readonly SearchValues<byte> ReasonPhraseControls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\n\v\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    /// <summary>display-name = *(token LWS): token characters, white space and fold bytes (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> DisplayNameRun = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~ \t\r\n"u8);

    /// <summary>Bytes that end a URI inside angle brackets: controls, SP, non-ASCII, '&lt;', '&gt;' and DQUOTE.</summary>
    public static readonly SearchValues<byte> AngleUriStop = SearchValues.Create(BuildAngleUriStop());

    /// <summary>Index of the first byte at or after <paramref name="i"/> (before <paramref name="end"/>) not in <paramref name="set"/>.</summary>
    public static int SkipRun(ReadOnlySpan<byte> s, int i, int end, SearchValues<byte> set)
    {
        if (i >= end)
        {
            return i;
        }

        var rel = s[i..end].IndexOfAnyExcept(set);
        return rel < 0 ? end : i + rel;
    }

    private static byte[] BuildAngleUriStop()
    {
        var bytes = new List<byte>();
        for (var b = 0; b < 256; b++)
        {
            if (b <= ' ' || b >= 0x7F || b == '<' || b == '>' || b == '"')
            {
                bytes.Add((byte)b);
            }
        }

        return [.. bytes];
    }

    public static bool IsWsp(byte b) => b == (byte)' ' || b == (byte)'\t';

    public static bool IsAlpha(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Skips linear white space including folded line breaks (RFC 3261 §25.1: LWS = [*WSP CRLF] 1*WSP).</summary>
    public static int SkipLws(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length)
        {
            var c = s[i];
            if (IsWsp(c))
            {
                i++;
            }
            else if (c == (byte)'\r' && i + 2 < s.Length && s[i + 1] == (byte)'\n' && IsWsp(s[i + 2]))
            {
                i += 3;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    /// <summary>Index one past the last byte that is not white space or a fold, never below <paramref name="start"/>.</summary>
    public static int TrimEnd(ReadOnlySpan<byte> s, int start, int end)
    {
        while (end > start)
        {
            var c = s[end - 1];
            if (IsWsp(c) || c == (byte)'\r' || c == (byte)'\n')
            {
                end--;
            }
            else
            {
                break;
            }
        }

        return end;
    }

    /// <summary>Parses 1*DIGIT as a non-negative number; false on an empty run, a non-digit or a value above <paramref name="max"/>.</summary>
    public static bool TryParseDigits(ReadOnlySpan<byte> s, long max, out long value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            if (value > max)
            {
                return false;
            }
        }

        return true;
    }
}
