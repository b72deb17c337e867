using System.Buffers;

namespace Routing.Sip.Syntax;

/// <summary>
/// Character classes of the RFC 3261 §25.1 ABNF, one <see cref="SearchValues{T}"/> per rule, named after the rule.
/// Composite sets (e.g. the characters a URI user part may hold) are provided so scanners need one probe per byte.
/// </summary>
public static class SipCharacters
{
    private const string AlphaText = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string DigitText = "0123456789";
    private const string AlphanumText = AlphaText + DigitText;

    // RFC 3261 §25.1: mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
    private const string MarkText = "-_.!~*'()";

    // RFC 3261 §25.1: user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
    private const string UserUnreservedText = "&=+$,;?/";

    // RFC 3261 §25.1: param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
    private const string ParamUnreservedText = "[]/:&+$";

    // RFC 3261 §25.1: hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"
    private const string HnvUnreservedText = "[]/?:+$";

    // RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
    private const string TokenText = AlphanumText + "-.!%*_+`'~";

    // RFC 3261 §25.1: word adds ( ) < > : \ DQUOTE / [ ] ? { } to the token characters.
    private const string WordText = TokenText + "()<>:\\\"/[]?{}";

    /// <summary>ALPHA (RFC 5234 B.1).</summary>
    public static readonly SearchValues<byte> Alpha = Create(AlphaText);

    /// <summary>DIGIT (RFC 5234 B.1).</summary>
    public static readonly SearchValues<byte> Digit = Create(DigitText);

    /// <summary>HEXDIG, both cases (RFC 3261 §25.1 uses the RFC 2234 rule case-insensitively).</summary>
    public static readonly SearchValues<byte> HexDigit = Create(DigitText + "ABCDEFabcdef");

    /// <summary>alphanum = ALPHA / DIGIT.</summary>
    public static readonly SearchValues<byte> Alphanum = Create(AlphanumText);

    /// <summary>mark (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> Mark = Create(MarkText);

    /// <summary>unreserved = alphanum / mark (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> Unreserved = Create(AlphanumText + MarkText);

    /// <summary>reserved (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> Reserved = Create(";/?:@&=+$,");

    /// <summary>user-unreserved (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> UserUnreserved = Create(UserUnreservedText);

    /// <summary>param-unreserved (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> ParamUnreserved = Create(ParamUnreservedText);

    /// <summary>hnv-unreserved (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> HnvUnreserved = Create(HnvUnreservedText);

    /// <summary>token (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> Token = Create(TokenText);

    /// <summary>word (RFC 3261 §25.1), used by Call-ID.</summary>
    public static readonly SearchValues<byte> Word = Create(WordText);

    /// <summary>
    /// qdtext without LWS (RFC 3261 §25.1): %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII. LWS inside a quoted string is
    /// accepted by the reader separately because it may be folded.
    /// </summary>
    public static readonly SearchValues<byte> QdText = CreateRange([(0x21, 0x21), (0x23, 0x5B), (0x5D, 0x7E), (0x80, 0xFF)]);

    /// <summary>ctext without LWS (RFC 3261 §25.1): %x21-27 / %x2A-5B / %x5D-7E / UTF8-NONASCII.</summary>
    public static readonly SearchValues<byte> CText = CreateRange([(0x21, 0x27), (0x2A, 0x5B), (0x5D, 0x7E), (0x80, 0xFF)]);

    /// <summary>WSP = SP / HTAB.</summary>
    public static readonly SearchValues<byte> Wsp = Create(" \t");

    /// <summary>Characters of the user rule, with "%" so that escapes are found by the same scan (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> UserChars = Create(AlphanumText + MarkText + UserUnreservedText + "%");

    /// <summary>password = *( unreserved / escaped / "&amp;" / "=" / "+" / "$" / "," ) (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> PasswordChars = Create(AlphanumText + MarkText + "&=+$,%");

    /// <summary>paramchar = param-unreserved / unreserved / escaped (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> ParamChars = Create(AlphanumText + MarkText + ParamUnreservedText + "%");

    /// <summary>hname / hvalue characters: hnv-unreserved / unreserved / escaped (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> HeaderChars = Create(AlphanumText + MarkText + HnvUnreservedText + "%");

    /// <summary>hostname characters: alphanum / "-" / "." (RFC 3261 §25.1).</summary>
    public static readonly SearchValues<byte> HostnameChars = Create(AlphanumText + "-.");

    /// <summary>scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3261 §25.1), continuation characters.</summary>
    public static readonly SearchValues<byte> SchemeChars = Create(AlphanumText + "+-.");

    /// <summary>uric = reserved / unreserved / escaped (RFC 3261 §25.1), the body of an absoluteURI.</summary>
    public static readonly SearchValues<byte> UriChars = Create(AlphanumText + MarkText + ";/?:@&=+$,%");

    /// <summary>
    /// Characters of a generic-param value that is not a quoted string: token plus the IPv6reference characters of
    /// host (RFC 3261 §25.1 gen-value = token / host / quoted-string).
    /// </summary>
    public static readonly SearchValues<byte> GenValueChars = Create(TokenText + "[]:");

    /// <summary>True when <paramref name="value"/> is non-empty and every byte is a token character.</summary>
    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Token);

    /// <summary>True when <paramref name="value"/> is non-empty and every byte is a word character.</summary>
    public static bool IsWord(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(Word);

    private static SearchValues<byte> Create(string chars)
    {
        var bytes = new byte[chars.Length];
        for (var i = 0; i < chars.Length; i++)
        {
            bytes[i] = (byte)chars[i];
        }

        return SearchValues.Create(bytes);
    }

    private static SearchValues<byte> CreateRange(ReadOnlySpan<(int From, int To)> ranges)
    {
        var bytes = new List<byte>();
        foreach (var (from, to) in ranges)
        {
            for (var b = from; b <= to; b++)
            {
                bytes.Add((byte)b);
            }
        }

        return SearchValues.Create(bytes.ToArray());
    }
}
