namespace Routing.Sip.Syntax;

/// <summary>
/// Linear white space: LWS = [*WSP CRLF] 1*WSP and SWS = [LWS] (RFC 3261 §25.1). A line fold (CRLF or a bare LF
/// followed by SP/HTAB) counts as white space so that values handed over unfolded or folded read the same
/// (RFC 3261 §7.3.1: a fold is equivalent to a single SP).
/// </summary>
public static class Lws
{
    /// <summary>True for SP and HTAB.</summary>
    public static bool IsWsp(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>Returns the first position at or after <paramref name="position"/> that is not white space or a fold.</summary>
    public static int Skip(ReadOnlySpan<byte> input, int position)
    {
        var i = position;
        while (i < input.Length)
        {
            var b = input[i];
            if (IsWsp(b))
            {
                i++;
                continue;
            }

            var fold = FoldLength(input, i);
            if (fold == 0)
            {
                break;
            }

            i += fold;
        }

        return i;
    }

    /// <summary>Returns the end of <paramref name="input"/>[..<paramref name="end"/>] with trailing white space and folds removed.</summary>
    public static int SkipBackward(ReadOnlySpan<byte> input, int end)
    {
        var i = end;
        while (i > 0)
        {
            var b = input[i - 1];
            if (IsWsp(b) || b is (byte)'\r' or (byte)'\n')
            {
                i--;
                continue;
            }

            break;
        }

        return i;
    }

    /// <summary>The offset and length of <paramref name="input"/> without leading and trailing LWS.</summary>
    public static (int Offset, int Length) TrimRange(ReadOnlySpan<byte> input)
    {
        var start = Skip(input, 0);
        var end = SkipBackward(input, input.Length);
        return end <= start ? (start, 0) : (start, end - start);
    }

    /// <summary><paramref name="input"/> without leading and trailing LWS.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> input)
    {
        var (offset, length) = TrimRange(input);
        return input.Slice(offset, length);
    }

    /// <summary>
    /// Length of a line fold starting at <paramref name="position"/>: CRLF or LF followed by SP/HTAB (the WSP is not
    /// counted); 0 when there is no fold there.
    /// </summary>
    public static int FoldLength(ReadOnlySpan<byte> input, int position)
    {
        if (position < input.Length - 2 && input[position] == (byte)'\r' && input[position + 1] == (byte)'\n'
            && IsWsp(input[position + 2]))
        {
            return 2;
        }

        if (position < input.Length - 1 && input[position] == (byte)'\n' && IsWsp(input[position + 1]))
        {
            return 1;
        }

        return 0;
    }
}
