using System.Buffers;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>
/// Reads "scheme LWS auth-param *(COMMA auth-param)" (RFC 3261 §25.1, §22; RFC 7235 §2.1) from a header value.
/// Names are case-insensitive and returned lower-cased; values are unquoted with quoted-pairs resolved.
/// </summary>
internal static class AuthParamReader
{
    // RFC 3261 §25.1 token.
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"u8);

    // Liberal unquoted value: peers send nonce/opaque/uri unquoted with "/", "=", ":", "@" in them; accept any visible
    // ASCII except the list and quote delimiters, and UTF-8.
    private static readonly SearchValues<byte> LiberalValueStops = SearchValues.Create(" \t\r\n,\""u8);

    public static bool TryRead(
        ReadOnlySpan<byte> value,
        out string scheme,
        out List<AuthParam> parameters,
        out DigestParseError error)
    {
        scheme = string.Empty;
        parameters = [];
        error = default;
        var position = 0;
        if (!SkipLws(value, ref position, out error))
        {
            return false;
        }

        if (position == value.Length)
        {
            error = new DigestParseError(DigestParseErrorReason.Empty, position);
            return false;
        }

        var schemeLength = TokenLength(value[position..]);
        if (schemeLength == 0)
        {
            error = new DigestParseError(DigestParseErrorReason.MissingScheme, position);
            return false;
        }

        scheme = Encoding.ASCII.GetString(value.Slice(position, schemeLength));
        position += schemeLength;
        var afterScheme = position;
        if (!SkipLws(value, ref position, out error))
        {
            return false;
        }

        if (position == value.Length)
        {
            return true;
        }

        if (position == afterScheme)
        {
            error = new DigestParseError(DigestParseErrorReason.MalformedParameter, position);
            return false;
        }

        while (true)
        {
            var nameStart = position;
            var nameLength = TokenLength(value[position..]);
            if (nameLength == 0)
            {
                error = new DigestParseError(DigestParseErrorReason.MalformedParameter, position);
                return false;
            }

            var name = Encoding.ASCII.GetString(value.Slice(position, nameLength)).ToLowerInvariant();
            position += nameLength;
            if (!SkipLws(value, ref position, out error))
            {
                return false;
            }

            if (position == value.Length || value[position] != (byte)'=')
            {
                error = new DigestParseError(DigestParseErrorReason.MissingEquals, position);
                return false;
            }

            position++;
            if (!SkipLws(value, ref position, out error))
            {
                return false;
            }

            string parameterValue;
            bool quoted;
            if (position < value.Length && value[position] == (byte)'"')
            {
                if (!TryReadQuoted(value, ref position, out parameterValue, out error))
                {
                    return false;
                }

                quoted = true;
            }
            else
            {
                var rest = value[position..];
                var length = rest.IndexOfAny(LiberalValueStops);
                if (length < 0)
                {
                    length = rest.Length;
                }

                if (length == 0)
                {
                    error = new DigestParseError(DigestParseErrorReason.MissingValue, position);
                    return false;
                }

                var raw = rest[..length];
                if (raw.IndexOfAnyInRange((byte)0x00, (byte)0x1F) >= 0 || raw.Contains((byte)0x7F))
                {
                    error = new DigestParseError(DigestParseErrorReason.InvalidCharacter, position);
                    return false;
                }

                parameterValue = Encoding.UTF8.GetString(raw);
                position += length;
                quoted = false;
            }

            foreach (var existing in parameters)
            {
                if (existing.Name == name)
                {
                    error = new DigestParseError(DigestParseErrorReason.DuplicateParameter, nameStart);
                    return false;
                }
            }

            parameters.Add(new AuthParam(name, parameterValue, quoted));
            if (!SkipLws(value, ref position, out error))
            {
                return false;
            }

            if (position == value.Length)
            {
                return true;
            }

            if (value[position] != (byte)',')
            {
                error = new DigestParseError(DigestParseErrorReason.ExpectedComma, position);
                return false;
            }

            // RFC 7230 §7 "#rule": empty list elements are tolerated, so ", ," is skipped.
            while (position < value.Length && value[position] == (byte)',')
            {
                position++;
                if (!SkipLws(value, ref position, out error))
                {
                    return false;
                }
            }

            if (position == value.Length)
            {
                return true;
            }
        }
    }

    private static int TokenLength(ReadOnlySpan<byte> span)
    {
        var end = span.IndexOfAnyExcept(TokenChars);
        return end < 0 ? span.Length : end;
    }

    // RFC 3261 §25.1 LWS = [*WSP CRLF] 1*WSP: folding is whitespace; any other CR or LF is an error.
    private static bool SkipLws(ReadOnlySpan<byte> value, ref int position, out DigestParseError error)
    {
        error = default;
        while (position < value.Length)
        {
            var b = value[position];
            if (b is (byte)' ' or (byte)'\t')
            {
                position++;
            }
            else if (b == (byte)'\r' && position + 2 < value.Length && value[position + 1] == (byte)'\n'
                     && value[position + 2] is (byte)' ' or (byte)'\t')
            {
                position += 3;
            }
            else if (b is (byte)'\r' or (byte)'\n')
            {
                error = new DigestParseError(DigestParseErrorReason.InvalidCharacter, position);
                return false;
            }
            else
            {
                break;
            }
        }

        return true;
    }

    // RFC 3261 §25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE; quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F).
    private static bool TryReadQuoted(ReadOnlySpan<byte> value, ref int position, out string text, out DigestParseError error)
    {
        text = string.Empty;
        error = default;
        var start = position;
        position++;
        var contentStart = position;
        var escaped = false;
        while (position < value.Length)
        {
            var b = value[position];
            if (b == (byte)'"')
            {
                var content = value[contentStart..position];
                position++;
                text = escaped ? Unescape(content) : Encoding.UTF8.GetString(content);
                return true;
            }

            if (b == (byte)'\\')
            {
                if (position + 1 >= value.Length)
                {
                    break;
                }

                var next = value[position + 1];
                if (next is (byte)'\r' or (byte)'\n' || next > 0x7F)
                {
                    error = new DigestParseError(DigestParseErrorReason.InvalidCharacter, position + 1);
                    return false;
                }

                escaped = true;
                position += 2;
                continue;
            }

            if (b is (byte)'\r' or (byte)'\n')
            {
                // Folding inside a quoted string is LWS (qdtext allows LWS).
                if (b == (byte)'\r' && position + 2 < value.Length && value[position + 1] == (byte)'\n'
                    && value[position + 2] is (byte)' ' or (byte)'\t')
                {
                    position += 3;
                    continue;
                }

                error = new DigestParseError(DigestParseErrorReason.InvalidCharacter, position);
                return false;
            }

            if (b == 0x00 || b == 0x7F)
            {
                error = new DigestParseError(DigestParseErrorReason.InvalidCharacter, position);
                return false;
            }

            position++;
        }

        error = new DigestParseError(DigestParseErrorReason.UnterminatedQuotedString, start);
        return false;
    }

    private static string Unescape(ReadOnlySpan<byte> content)
    {
        var buffer = content.Length <= 256 ? stackalloc byte[content.Length] : new byte[content.Length];
        var length = 0;
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\\' && i + 1 < content.Length)
            {
                i++;
            }

            buffer[length++] = content[i];
        }

        return Encoding.UTF8.GetString(buffer[..length]);
    }

    /// <summary>Appends <paramref name="value"/> as a quoted-string, escaping '"' and '\' (RFC 3261 §25.1).</summary>
    public static void AppendQuoted(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('"');
    }

    public static void AppendParameter(StringBuilder builder, ref bool first, string name, string value, bool quoted)
    {
        builder.Append(first ? " " : ", ");
        first = false;
        builder.Append(name).Append('=');
        if (quoted)
        {
            AppendQuoted(builder, value);
        }
        else
        {
            builder.Append(value);
        }
    }
}
