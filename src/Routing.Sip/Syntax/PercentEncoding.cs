using System.Buffers;
using System.Text;

namespace Routing.Sip.Syntax;

/// <summary>
/// escaped = "%" HEXDIG HEXDIG (RFC 3261 §25.1). Decoding is done exactly once: "%2541" decodes to "%41" and is never
/// decoded again (RFC 3261 §19.1.2; RFC 4475 §3.1.1.1 and §3.1.2.x exercise this).
/// </summary>
public static class PercentEncoding
{
    /// <summary>True when <paramref name="input"/> holds at least one "%".</summary>
    public static bool ContainsEscapes(ReadOnlySpan<byte> input) => input.Contains((byte)'%');

    /// <summary>
    /// True when every "%" in <paramref name="input"/> starts a well-formed escape; otherwise
    /// <paramref name="errorOffset"/> is the offset of the first bad one.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> input, out int errorOffset)
    {
        var i = 0;
        while (true)
        {
            var next = input[i..].IndexOf((byte)'%');
            if (next < 0)
            {
                errorOffset = -1;
                return true;
            }

            i += next;
            if (i + 2 >= input.Length)
            {
                errorOffset = i;
                return false;
            }

            if (HexValue(input[i + 1]) < 0 || HexValue(input[i + 2]) < 0)
            {
                errorOffset = i;
                return false;
            }

            i += 3;
        }
    }

    /// <summary>Length of the decoded form of a well-formed <paramref name="input"/>.</summary>
    public static int GetDecodedLength(ReadOnlySpan<byte> input)
    {
        var length = 0;
        var i = 0;
        while (i < input.Length)
        {
            i += DecodeAt(input, i, out _);
            length++;
        }

        return length;
    }

    /// <summary>
    /// Decodes <paramref name="input"/> once into <paramref name="destination"/>. Fails (returns false) when an escape
    /// is malformed or the destination is too small; <paramref name="written"/> is then 0.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, Span<byte> destination, out int written)
    {
        written = 0;
        if (!IsWellFormed(input, out _))
        {
            return false;
        }

        var w = 0;
        var i = 0;
        while (i < input.Length)
        {
            if (w >= destination.Length)
            {
                return false;
            }

            i += DecodeAt(input, i, out destination[w]);
            w++;
        }

        written = w;
        return true;
    }

    /// <summary>
    /// The decoded text of <paramref name="input"/> as a string (UTF-8, invalid sequences replaced). A malformed escape
    /// is kept literally rather than thrown on, so this never fails.
    /// </summary>
    public static string DecodeToString(ReadOnlySpan<byte> input)
    {
        if (!input.Contains((byte)'%'))
        {
            return Encoding.UTF8.GetString(input);
        }

        byte[]? rented = null;
        var buffer = input.Length <= 256 ? stackalloc byte[input.Length] : (rented = ArrayPool<byte>.Shared.Rent(input.Length));
        try
        {
            var w = 0;
            var i = 0;
            while (i < input.Length)
            {
                i += DecodeAt(input, i, out buffer[w]);
                w++;
            }

            return Encoding.UTF8.GetString(buffer[..w]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Compares the decoded forms of two spans without materialising them (RFC 3261 §19.1.4: "%61lice" equals
    /// "alice"). With <paramref name="ignoreCase"/> ASCII letters compare case-insensitively after decoding.
    /// </summary>
    public static bool DecodedEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, bool ignoreCase) =>
        DecodedEquals(left, right, ignoreCase, significantEscapes: null);

    /// <summary>
    /// Like <see cref="DecodedEquals(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool)"/>, but an escaped byte that is in
    /// <paramref name="significantEscapes"/> only equals the same escaped byte, never its literal form. RFC 3261
    /// §19.1.4 makes only characters outside "reserved" equivalent to their escapes, so "a%3Bb" differs from "a;b".
    /// </summary>
    public static bool DecodedEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, bool ignoreCase, SearchValues<byte>? significantEscapes)
    {
        // Fast path: without escapes on either side this is a plain comparison.
        if (!left.Contains((byte)'%') && !right.Contains((byte)'%'))
        {
            return ignoreCase ? Ascii.EqualsIgnoreCase(left, right) : left.SequenceEqual(right);
        }

        var i = 0;
        var j = 0;
        while (i < left.Length && j < right.Length)
        {
            var stepA = DecodeAt(left, i, out var a);
            var stepB = DecodeAt(right, j, out var b);
            i += stepA;
            j += stepB;
            if (a != b && (!ignoreCase || ToLower(a) != ToLower(b)))
            {
                return false;
            }

            if (stepA != stepB && significantEscapes is not null && significantEscapes.Contains(a))
            {
                return false;
            }
        }

        return i == left.Length && j == right.Length;
    }

    /// <summary>
    /// Writes <paramref name="input"/> in normal form: escapes of unreserved characters (alphanum and mark, RFC 3261
    /// §25.1) are decoded, every other escape is kept with upper-case hex, literal bytes are copied. Two inputs equal
    /// under <see cref="DecodedEquals(ReadOnlySpan{byte}, ReadOnlySpan{byte}, bool, SearchValues{byte})"/> with the
    /// reserved set (and case-sensitive) have the same normal form. Returns bytes written, or -1 when too small.
    /// </summary>
    public static int Normalize(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        var w = 0;
        var i = 0;
        while (i < input.Length)
        {
            var step = DecodeAt(input, i, out var b);
            i += step;
            if (step == 1 || SipCharacters.Unreserved.Contains(b))
            {
                if (w >= destination.Length)
                {
                    return -1;
                }

                destination[w++] = b;
                continue;
            }

            if (w + 3 > destination.Length)
            {
                return -1;
            }

            destination[w++] = (byte)'%';
            destination[w++] = HexUpper[b >> 4];
            destination[w++] = HexUpper[b & 0xF];
        }

        return w;
    }

    /// <summary>
    /// Length of <paramref name="input"/> after escaping every byte not in <paramref name="allowed"/> (RFC 3261 §19.1.2:
    /// characters outside a component's set are escaped).
    /// </summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> input, SearchValues<byte> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var length = 0;
        foreach (var b in input)
        {
            length += b != (byte)'%' && allowed.Contains(b) ? 1 : 3;
        }

        return length;
    }

    /// <summary>
    /// Escapes every byte of <paramref name="input"/> not in <paramref name="allowed"/> (and "%" itself) into
    /// <paramref name="destination"/>. Returns bytes written or -1 when the destination is too small.
    /// </summary>
    public static int Encode(ReadOnlySpan<byte> input, SearchValues<byte> allowed, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (destination.Length < GetEncodedLength(input, allowed))
        {
            return -1;
        }

        var w = 0;
        foreach (var b in input)
        {
            if (b != (byte)'%' && allowed.Contains(b))
            {
                destination[w++] = b;
                continue;
            }

            destination[w++] = (byte)'%';
            destination[w++] = HexUpper[b >> 4];
            destination[w++] = HexUpper[b & 0xF];
        }

        return w;
    }

    /// <summary>Value of a hexadecimal digit, or -1.</summary>
    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static ReadOnlySpan<byte> HexUpper => "0123456789ABCDEF"u8;

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    // Decodes one element at i: an escape yields its octet (3 bytes consumed); anything else, including a malformed
    // escape, yields itself (1 byte consumed).
    private static int DecodeAt(ReadOnlySpan<byte> input, int i, out byte value)
    {
        var b = input[i];
        if (b == (byte)'%' && i + 2 < input.Length)
        {
            var hi = HexValue(input[i + 1]);
            var lo = HexValue(input[i + 2]);
            if (hi >= 0 && lo >= 0)
            {
                value = (byte)((hi << 4) | lo);
                return 3;
            }
        }

        value = b;
        return 1;
    }
}
