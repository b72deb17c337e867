namespace Routing.Sip.Syntax;

/// <summary>
/// comment = LPAREN *(ctext / quoted-pair / comment) RPAREN (RFC 3261 §25.1), used by User-Agent, Server, Retry-After
/// and Warning. Comments nest.
/// </summary>
public static class SipComment
{
    private const int MaxDepth = 32;

    /// <summary>
    /// Reads a comment starting at <paramref name="input"/>[0] (which must be "("). <paramref name="length"/> includes
    /// both parentheses. Nesting deeper than 32 levels is rejected so that hostile input cannot cost more than a scan.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out int length, out SipSyntaxRejection rejection)
    {
        length = 0;
        if (input.IsEmpty || input[0] != (byte)'(')
        {
            rejection = new SipSyntaxRejection(SipSyntaxError.UnterminatedQuotedString, 0);
            return false;
        }

        var depth = 0;
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            switch (b)
            {
                case (byte)'(':
                    if (++depth > MaxDepth)
                    {
                        rejection = new SipSyntaxRejection(SipSyntaxError.InvalidQuotedText, i);
                        return false;
                    }

                    i++;
                    continue;
                case (byte)')':
                    i++;
                    if (--depth == 0)
                    {
                        length = i;
                        rejection = default;
                        return true;
                    }

                    continue;
                case (byte)'\\':
                    if (i + 1 >= input.Length)
                    {
                        break;
                    }

                    if (input[i + 1] is (byte)'\r' or (byte)'\n' || input[i + 1] > 0x7F)
                    {
                        rejection = new SipSyntaxRejection(SipSyntaxError.InvalidQuotedPair, i);
                        return false;
                    }

                    i += 2;
                    continue;
            }

            if (SipCharacters.CText.Contains(b) || Lws.IsWsp(b))
            {
                i++;
                continue;
            }

            var fold = Lws.FoldLength(input, i);
            if (fold > 0)
            {
                i += fold;
                continue;
            }

            if (b != (byte)'\\')
            {
                rejection = new SipSyntaxRejection(SipSyntaxError.InvalidQuotedText, i);
                return false;
            }

            break;
        }

        rejection = new SipSyntaxRejection(SipSyntaxError.UnterminatedQuotedString, 0);
        return false;
    }
}
