namespace Routing.Sip.Syntax;

/// <summary>Decimal number parsing over bytes (1*DIGIT), no culture, no allocation.</summary>
public static class SipNumber
{
    /// <summary>Parses 1*DIGIT that fits in a <see cref="uint"/>.</summary>
    public static bool TryParseUInt32(ReadOnlySpan<byte> digits, out uint value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        ulong acc = 0;
        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            acc = (acc * 10) + d;
            if (acc > uint.MaxValue)
            {
                return false;
            }
        }

        value = (uint)acc;
        return true;
    }

    /// <summary>Parses 1*DIGIT that fits in an <see cref="int"/> (non-negative).</summary>
    public static bool TryParseInt32(ReadOnlySpan<byte> digits, out int value)
    {
        if (TryParseUInt32(digits, out var u) && u <= int.MaxValue)
        {
            value = (int)u;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// Parses delta-seconds = 1*DIGIT (RFC 3261 §25.1), saturating at <see cref="uint.MaxValue"/>: a huge value means
    /// "as long as possible", not an error (RFC 3261 §20.19 leaves the bound to the element; RFC 4475 §3.1.1.2
    /// carries a large value that must be accepted).
    /// </summary>
    public static bool TryParseDeltaSeconds(ReadOnlySpan<byte> digits, out uint value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        ulong acc = 0;
        foreach (var b in digits)
        {
            var d = (uint)(b - '0');
            if (d > 9)
            {
                return false;
            }

            if (acc <= uint.MaxValue)
            {
                acc = (acc * 10) + d;
            }
        }

        value = acc > uint.MaxValue ? uint.MaxValue : (uint)acc;
        return true;
    }
}
