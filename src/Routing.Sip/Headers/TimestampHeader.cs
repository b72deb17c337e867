using System.Buffers.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// Timestamp = 1*(DIGIT) [ "." *(DIGIT) ] [ LWS delay ]; delay = *(DIGIT) [ "." *(DIGIT) ] (RFC 3261 §20.38). The
/// value is opaque to the receiver, which echoes it in responses (§8.2.6.1), so the raw text is kept.
/// </summary>
public readonly struct TimestampHeader : ISipHeaderValue<TimestampHeader>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _valueStart;
    private readonly int _valueLength;
    private readonly int _delayStart;
    private readonly int _delayLength;

    private TimestampHeader(ReadOnlyMemory<byte> source, int valueStart, int valueLength, int delayStart, int delayLength)
    {
        _source = source;
        _valueStart = valueStart;
        _valueLength = valueLength;
        _delayStart = delayStart;
        _delayLength = delayLength;
    }

    /// <summary>The timestamp text.</summary>
    public ReadOnlySpan<byte> Value => _source.Span.Slice(_valueStart, _valueLength);

    /// <summary>True when a delay follows the timestamp.</summary>
    public bool HasDelay => _delayLength > 0;

    /// <summary>The delay text, empty when absent.</summary>
    public ReadOnlySpan<byte> Delay => _source.Span.Slice(_delayStart, _delayLength);

    /// <summary>The timestamp as a number; false when it has more digits than a decimal holds.</summary>
    public bool TryGetValue(out decimal value) => TryToDecimal(Value, out value);

    /// <summary>The delay as a number (0 when absent); false when it has more digits than a decimal holds.</summary>
    public bool TryGetDelay(out decimal value) => TryToDecimal(Delay, out value);

    /// <summary>Parses a Timestamp value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out TimestampHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        var i = Lws.Skip(s, 0);
        var valueLength = ReadDecimal(s, i, requireLeadingDigit: true);
        if (valueLength <= 0)
        {
            rejection = new SipHeaderRejection(i >= s.Length ? SipHeaderError.Empty : SipHeaderError.InvalidNumber, i);
            return false;
        }

        var end = i + valueLength;
        var delayStart = Lws.Skip(s, end);
        var delayLength = 0;
        if (delayStart < s.Length)
        {
            delayLength = delayStart > end ? ReadDecimal(s, delayStart, requireLeadingDigit: false) : 0;
            if (delayLength <= 0 || !HeaderParameters.IsAtEnd(s, delayStart + delayLength))
            {
                var bad = delayLength > 0 ? delayStart + delayLength : delayStart;
                rejection = new SipHeaderRejection(SipHeaderError.UnexpectedCharacter, bad);
                return false;
            }
        }

        result = new TimestampHeader(value, i, valueLength, delayStart, delayLength);
        rejection = SipHeaderRejection.None;
        return true;
    }

    // Length of *DIGIT [ "." *DIGIT ] at i (with at least one digit before "." when required); 0 when nothing matched.
    private static int ReadDecimal(ReadOnlySpan<byte> s, int i, bool requireLeadingDigit)
    {
        var j = i;
        while (j < s.Length && SipCharacters.Digit.Contains(s[j]))
        {
            j++;
        }

        if (requireLeadingDigit && j == i)
        {
            return 0;
        }

        if (j < s.Length && s[j] == (byte)'.')
        {
            j++;
            while (j < s.Length && SipCharacters.Digit.Contains(s[j]))
            {
                j++;
            }
        }

        return j - i;
    }

    private static bool TryToDecimal(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0m;
        if (!text.IsEmpty && text[^1] == (byte)'.')
        {
            text = text[..^1];
        }

        if (text.IsEmpty)
        {
            return true;
        }

        if (text[0] == (byte)'.')
        {
            return Utf8Parser.TryParse(text[1..], out decimal fraction, out var used) && used == text.Length - 1
                && TryScale(fraction, used, out value);
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }

    // ".25" is parsed as 25 and scaled down by its digit count.
    private static bool TryScale(decimal digits, int count, out decimal value)
    {
        value = digits;
        for (var k = 0; k < count; k++)
        {
            value /= 10m;
        }

        return true;
    }
}
