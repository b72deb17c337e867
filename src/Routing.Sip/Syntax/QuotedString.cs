using System.Text;

namespace Routing.Sip.Syntax;

/// <summary>
/// A quoted-string found in a span: its total length (both DQUOTEs included) and whether its content holds
/// quoted-pairs or folds, i.e. whether the raw content differs from the unescaped text.
/// </summary>
public readonly record struct QuotedStringToken(int Length, bool NeedsUnescape)
{
    /// <summary>Length of the raw content (quoted-pairs still escaped); the content starts 1 byte after the DQUOTE.</summary>
    public int ContentLength => Length - 2;
}

/// <summary>
/// quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE (RFC 3261 §25.1). The reader validates and measures;
/// unescaping happens only when a caller asks for the text.
/// </summary>
public static class QuotedString
{
    /// <summary>
    /// Reads a quoted-string that starts at <paramref name="input"/>[0] (which must be DQUOTE). On failure
    /// <paramref name="rejection"/> holds the reason and offset.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out QuotedStringToken token, out SipSyntaxRejection rejection)
    {
        token = default;
        if (input.IsEmpty || input[0] != (byte)'"')
        {
            rejection = new SipSyntaxRejection(SipSyntaxError.UnterminatedQuotedString, 0);
            return false;
        }

        var needsUnescape = false;
        var i = 1;
        while (i < input.Length)
        {
            var rest = input[i..];
            var run = rest.IndexOfAnyExcept(SipCharacters.QdText);
            if (run < 0)
            {
                break;
            }

            i += run;
            var b = input[i];
            if (b == (byte)'"')
            {
                token = new QuotedStringToken(i + 1, needsUnescape);
                rejection = default;
                return true;
            }

            if (b == (byte)'\\')
            {
                // RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                if (i + 1 >= input.Length)
                {
                    break;
                }

                var escaped = input[i + 1];
                if (escaped is (byte)'\r' or (byte)'\n' || escaped > 0x7F)
                {
                    rejection = new SipSyntaxRejection(SipSyntaxError.InvalidQuotedPair, i);
                    return false;
                }

                needsUnescape = true;
                i += 2;
                continue;
            }

            if (Lws.IsWsp(b))
            {
                i++;
                continue;
            }

            var fold = Lws.FoldLength(input, i);
            if (fold > 0)
            {
                needsUnescape = true;
                i += fold;
                continue;
            }

            rejection = new SipSyntaxRejection(SipSyntaxError.InvalidQuotedText, i);
            return false;
        }

        rejection = new SipSyntaxRejection(SipSyntaxError.UnterminatedQuotedString, 0);
        return false;
    }

    /// <summary>
    /// Length of the text that <see cref="Unescape"/> writes for <paramref name="content"/> (the raw content between
    /// the DQUOTEs of a quoted-string already accepted by <see cref="TryRead"/>).
    /// </summary>
    public static int GetUnescapedLength(ReadOnlySpan<byte> content)
    {
        var length = 0;
        var i = 0;
        while (i < content.Length)
        {
            i += Step(content, i, out var b);
            if (b >= 0)
            {
                length++;
            }
        }

        return length;
    }

    /// <summary>
    /// Writes the text of <paramref name="content"/>: each quoted-pair becomes the octet it escapes and each fold
    /// becomes nothing (the white space after it stays), per RFC 3261 §7.3.1. Returns the number of bytes written, or
    /// -1 when <paramref name="destination"/> is too small.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (i < content.Length)
        {
            i += Step(content, i, out var b);
            if (b < 0)
            {
                continue;
            }

            if (written >= destination.Length)
            {
                return -1;
            }

            destination[written++] = (byte)b;
        }

        return written;
    }

    /// <summary>The text of <paramref name="content"/> as a string (UTF-8), quoted-pairs resolved.</summary>
    public static string UnescapeToString(ReadOnlySpan<byte> content)
    {
        if (content.IndexOfAny((byte)'\\', (byte)'\r', (byte)'\n') < 0)
        {
            return Encoding.UTF8.GetString(content);
        }

        var length = GetUnescapedLength(content);
        var buffer = length <= 256 ? stackalloc byte[length] : new byte[length];
        var written = Unescape(content, buffer);
        return Encoding.UTF8.GetString(buffer[..written]);
    }

    /// <summary>Length of the quoted-string that encodes <paramref name="text"/>, DQUOTEs included.</summary>
    public static int GetQuotedLength(ReadOnlySpan<byte> text)
    {
        var length = 2;
        foreach (var b in text)
        {
            length += b is (byte)'"' or (byte)'\\' ? 2 : 1;
        }

        return length;
    }

    /// <summary>
    /// Writes <paramref name="text"/> as a quoted-string, escaping DQUOTE and backslash. Returns the bytes written or -1
    /// when <paramref name="destination"/> is too small. CR and LF cannot be quoted (RFC 3261 §25.1) and are dropped.
    /// </summary>
    public static int Quote(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (destination.Length < GetQuotedLength(text))
        {
            return -1;
        }

        var w = 0;
        destination[w++] = (byte)'"';
        foreach (var b in text)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            if (b is (byte)'"' or (byte)'\\')
            {
                destination[w++] = (byte)'\\';
            }

            destination[w++] = b;
        }

        destination[w++] = (byte)'"';
        return w;
    }

    // Returns how many input bytes the element at i spans and the output byte (-1 for a fold, which emits nothing).
    private static int Step(ReadOnlySpan<byte> content, int i, out int output)
    {
        var b = content[i];
        if (b == (byte)'\\' && i + 1 < content.Length)
        {
            output = content[i + 1];
            return 2;
        }

        var fold = Lws.FoldLength(content, i);
        if (fold > 0)
        {
            output = -1;
            return fold;
        }

        output = b;
        return 1;
    }
}
