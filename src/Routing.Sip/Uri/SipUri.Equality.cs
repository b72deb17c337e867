using Routing.Sip.Syntax;

namespace Routing.Sip.Uri;

// URI comparison: RFC 3261 §19.1.4 for sip/sips, RFC 3966 §4 for tel.
public readonly partial struct SipUri
{
    private static bool SipEquals(in SipUri a, in SipUri b)
    {
        // RFC 3261 §19.1.4: userinfo is case-sensitive after decoding; presence must agree.
        if (a.HasUser != b.HasUser || a.HasPassword != b.HasPassword)
        {
            return false;
        }

        if (!PercentEncoding.DecodedEquals(a.User, b.User, ignoreCase: false, SipCharacters.Reserved)
            || !PercentEncoding.DecodedEquals(a.Password, b.Password, ignoreCase: false, SipCharacters.Reserved))
        {
            return false;
        }

        // A URI omitting a component with a default value does not match one that gives the default explicitly.
        if (a.HasPort != b.HasPort || (a.HasPort && a._port != b._port))
        {
            return false;
        }

        if (!SipHost.HostEquals(a.Host, b.Host))
        {
            return false;
        }

        return ParametersEqual(a.ParametersText, b.ParametersText) && HeadersEqual(a.HeadersText, b.HeadersText);
    }

    // RFC 3261 §19.1.4: user, ttl, method, maddr and transport must match when present in either URI; any other
    // parameter is compared only when present in both. Names and values compare case-insensitively after decoding.
    private static bool ParametersEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (!OneSidedParametersEqual(a, b))
        {
            return false;
        }

        var e = new SipParameterEnumerator(b, SipParameterSyntax.Uri);
        while (e.MoveNext())
        {
            var p = e.Current;
            if (IsMustMatchParameter(p.Name) && !TryFindDecoded(a, p.Name, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static bool OneSidedParametersEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var e = new SipParameterEnumerator(a, SipParameterSyntax.Uri);
        while (e.MoveNext())
        {
            var p = e.Current;
            if (!TryFindDecoded(b, p.Name, out var other))
            {
                if (IsMustMatchParameter(p.Name))
                {
                    return false;
                }

                continue;
            }

            if (p.HasValue != other.HasValue || !PercentEncoding.DecodedEquals(p.Value, other.Value, ignoreCase: true, SipCharacters.Reserved))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryFindDecoded(ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> name, out SipParameter found)
    {
        var e = new SipParameterEnumerator(parameters, SipParameterSyntax.Uri);
        while (e.MoveNext())
        {
            if (PercentEncoding.DecodedEquals(e.Current.Name, name, ignoreCase: true))
            {
                found = e.Current;
                return true;
            }
        }

        found = default;
        return false;
    }

    private static bool IsMustMatchParameter(ReadOnlySpan<byte> name) =>
        PercentEncoding.DecodedEquals(name, "user"u8, ignoreCase: true)
        || PercentEncoding.DecodedEquals(name, "ttl"u8, ignoreCase: true)
        || PercentEncoding.DecodedEquals(name, "method"u8, ignoreCase: true)
        || PercentEncoding.DecodedEquals(name, "maddr"u8, ignoreCase: true)
        || PercentEncoding.DecodedEquals(name, "transport"u8, ignoreCase: true);

    // RFC 3261 §19.1.4: header components are never ignored; every header must be present in both and match.
    private static bool HeadersEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var countA = 0;
        foreach (var h in new SipUriHeaderEnumerator(a))
        {
            countA++;
            var found = false;
            foreach (var o in new SipUriHeaderEnumerator(b))
            {
                if (PercentEncoding.DecodedEquals(h.Name, o.Name, ignoreCase: true, SipCharacters.Reserved)
                    && PercentEncoding.DecodedEquals(h.Value, o.Value, ignoreCase: true, SipCharacters.Reserved))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        var countB = 0;
        foreach (var unused in new SipUriHeaderEnumerator(b))
        {
            countB++;
        }

        return countA == countB;
    }

    // RFC 3966 §4: numbers compare ignoring visual separators; parameters must be the same set, compared
    // case-insensitively regardless of order.
    private static bool TelEquals(in SipUri a, in SipUri b)
    {
        var x = a.User;
        var y = b.User;
        int i = 0, j = 0;
        while (true)
        {
            while (i < x.Length && IsVisualSeparator(x[i]))
            {
                i++;
            }

            while (j < y.Length && IsVisualSeparator(y[j]))
            {
                j++;
            }

            if (i == x.Length || j == y.Length)
            {
                break;
            }

            if (ToLower(x[i]) != ToLower(y[j]))
            {
                return false;
            }

            i++;
            j++;
        }

        if (i != x.Length || j != y.Length)
        {
            return false;
        }

        return SipParameters.Count(a.ParametersText, SipParameterSyntax.Uri) == SipParameters.Count(b.ParametersText, SipParameterSyntax.Uri)
            && OneSidedParametersEqual(a.ParametersText, b.ParametersText)
            && AllPresent(a.ParametersText, b.ParametersText);
    }

    private static bool AllPresent(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var e = new SipParameterEnumerator(a, SipParameterSyntax.Uri);
        while (e.MoveNext())
        {
            if (!TryFindDecoded(b, e.Current.Name, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsVisualSeparator(byte b) => b is (byte)'-' or (byte)'.' or (byte)'(' or (byte)')';

    private static byte ToLower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

    private static void AddDecoded(ref HashCode hash, ReadOnlySpan<byte> text, bool ignoreCase)
    {
        Span<byte> one = stackalloc byte[1];
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i];
            if (b == (byte)'%' && i + 2 < text.Length && PercentEncoding.TryDecode(text.Slice(i, 3), one, out _))
            {
                b = one[0];
                i += 3;
            }
            else
            {
                i++;
            }

            hash.Add(ignoreCase ? ToLower(b) : b);
        }
    }
}
