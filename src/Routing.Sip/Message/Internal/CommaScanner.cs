namespace Routing.Sip.Message.Internal;

/// <summary>
/// Finds top-level commas in a header value (RFC 3261 §7.3.1): commas inside quoted strings (with quoted-pairs) and
/// inside angle-bracketed URIs do not separate values. Replaceable by the Syntax layer's list splitter.
/// </summary>
internal static class CommaScanner
{
    /// <summary>Index of the next separating comma in [start, end), or <paramref name="end"/>.</summary>
    public static int NextComma(ReadOnlySpan<byte> s, int start, int end)
    {
        var inQuotes = false;
        var inAngle = false;
        for (var i = start; i < end; i++)
        {
            var c = s[i];
            if (inQuotes)
            {
                if (c == (byte)'\\')
                {
                    i++;
                }
                else if (c == (byte)'"')
                {
                    inQuotes = false;
                }
            }
            else if (inAngle)
            {
                if (c == (byte)'>')
                {
                    inAngle = false;
                }
            }
            else if (c == (byte)'"')
            {
                inQuotes = true;
            }
            else if (c == (byte)'<')
            {
                inAngle = true;
            }
            else if (c == (byte)',')
            {
                return i;
            }
        }

        return end;
    }
}
