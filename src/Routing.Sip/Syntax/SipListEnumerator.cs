using System.Buffers;

namespace Routing.Sip.Syntax;

/// <summary>
/// Splits a header value that holds a comma-separated list (RFC 3261 §7.3.1) into its elements without allocating.
/// Commas inside quoted-strings (quoted-pairs honoured) and inside "&lt;...&gt;" do not split. Elements are trimmed
/// of LWS; empty elements (",,") are skipped, as a robust receiver does (RFC 4475 §3.1.1 spirit). When
/// <see cref="MoveNext"/> returns false, <see cref="Error"/> says whether the value ended cleanly.
/// </summary>
public ref struct SipListEnumerator
{
    private static readonly SearchValues<byte> Delimiters = SearchValues.Create(",\"<>"u8);

    private readonly ReadOnlySpan<byte> _input;
    private int _position;

    /// <summary>Starts splitting <paramref name="input"/>.</summary>
    public SipListEnumerator(ReadOnlySpan<byte> input)
    {
        _input = input;
        _position = 0;
        CurrentOffset = 0;
        CurrentLength = 0;
        Error = SipSyntaxError.None;
        ErrorOffset = -1;
    }

    /// <summary>The current element, trimmed.</summary>
    public readonly ReadOnlySpan<byte> Current => _input.Slice(CurrentOffset, CurrentLength);

    /// <summary>Offset of <see cref="Current"/> in the input.</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>Length of <see cref="Current"/>.</summary>
    public int CurrentLength { get; private set; }

    /// <summary>Why splitting stopped early, or <see cref="SipSyntaxError.None"/>.</summary>
    public SipSyntaxError Error { get; private set; }

    /// <summary>Offset of the error, or -1.</summary>
    public int ErrorOffset { get; private set; }

    /// <summary>Lets the enumerator be used in <c>foreach</c>.</summary>
    public readonly SipListEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next non-empty element.</summary>
    public bool MoveNext()
    {
        var input = _input;
        while (Error == SipSyntaxError.None && _position < input.Length)
        {
            var start = _position;
            var end = FindSeparator(input, start);
            if (end < 0)
            {
                return false;
            }

            _position = end + 1;
            var s = Lws.Skip(input, start);
            var e = Lws.SkipBackward(input, end);
            if (e > s)
            {
                CurrentOffset = s;
                CurrentLength = e - s;
                return true;
            }
        }

        return false;
    }

    // Offset of the comma ending the element that starts at start, or input.Length; -1 after recording an error.
    private int FindSeparator(ReadOnlySpan<byte> input, int start)
    {
        var inAngle = -1;
        var i = start;
        while (i < input.Length)
        {
            var rest = input[i..];
            var next = rest.IndexOfAny(Delimiters);
            if (next < 0)
            {
                break;
            }

            i += next;
            switch (input[i])
            {
                case (byte)',':
                    if (inAngle < 0)
                    {
                        return i;
                    }

                    i++;
                    break;
                case (byte)'"':
                    if (!QuotedString.TryRead(input[i..], out var token, out var rejection))
                    {
                        Fail(rejection.Reason, i + rejection.Offset);
                        return -1;
                    }

                    i += token.Length;
                    break;
                case (byte)'<':
                    if (inAngle >= 0)
                    {
                        Fail(SipSyntaxError.UnbalancedAngleBracket, i);
                        return -1;
                    }

                    inAngle = i;
                    i++;
                    break;
                default:
                    if (inAngle < 0)
                    {
                        Fail(SipSyntaxError.UnbalancedAngleBracket, i);
                        return -1;
                    }

                    inAngle = -1;
                    i++;
                    break;
            }
        }

        if (inAngle >= 0)
        {
            Fail(SipSyntaxError.UnbalancedAngleBracket, inAngle);
            return -1;
        }

        return input.Length;
    }

    private void Fail(SipSyntaxError error, int offset)
    {
        Error = error;
        ErrorOffset = offset;
        CurrentOffset = 0;
        CurrentLength = 0;
    }
}

/// <summary>Helpers over <see cref="SipListEnumerator"/>.</summary>
public static class SipList
{
    /// <summary>Enumerates the elements of a comma-separated header value.</summary>
    public static SipListEnumerator Enumerate(ReadOnlySpan<byte> value) => new(value);

    /// <summary>Enumerates the elements of a comma-separated header value as memory views.</summary>
    public static SipListMemoryEnumerator EnumerateMemory(ReadOnlyMemory<byte> value) => new(value);

    /// <summary>Counts the elements; false (with the rejection) when the value is malformed.</summary>
    public static bool TryCount(ReadOnlySpan<byte> value, out int count, out SipSyntaxRejection rejection)
    {
        count = 0;
        var e = new SipListEnumerator(value);
        while (e.MoveNext())
        {
            count++;
        }

        rejection = new SipSyntaxRejection(e.Error, e.ErrorOffset);
        return e.Error == SipSyntaxError.None;
    }
}
