using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

internal static class HeaderParameters
{
    // Validates the generic-param list s[start..] and reports the offset in s.
    public static bool Validate(ReadOnlySpan<byte> s, int start, out SipHeaderRejection rejection)
    {
        if (!SipParameters.TryValidate(s[start..], SipParameterSyntax.Header, out var syntax))
        {
            var reason = syntax.Reason == SipSyntaxError.UnterminatedQuotedString
                ? SipHeaderError.UnterminatedQuotedString
                : SipHeaderError.InvalidParameter;
            rejection = new SipHeaderRejection(reason, start + syntax.Offset, SyntaxError: syntax.Reason);
            return false;
        }

        rejection = SipHeaderRejection.None;
        return true;
    }

    // Validates s[start..] like Validate and, in the same pass, finds the first parameter named name: its value's
    // offset in s (or -1 when absent) and length.
    public static bool ValidateAndFind(ReadOnlySpan<byte> s, int start, ReadOnlySpan<byte> name, out int valueStart, out int valueLength, out SipHeaderRejection rejection)
    {
        valueStart = -1;
        valueLength = 0;
        var e = new SipParameterEnumerator(s[start..], SipParameterSyntax.Header);
        while (e.MoveNext())
        {
            if (valueStart < 0 && e.Current.NameEquals(name))
            {
                valueStart = e.Current.HasValue ? start + e.Current.ValueOffset : start + e.Current.NameOffset + e.Current.Name.Length;
                valueLength = e.Current.Value.Length;
            }
        }

        if (e.Error != SipSyntaxError.None)
        {
            var reason = e.Error == SipSyntaxError.UnterminatedQuotedString
                ? SipHeaderError.UnterminatedQuotedString
                : SipHeaderError.InvalidParameter;
            rejection = new SipHeaderRejection(reason, start + e.ErrorOffset, SyntaxError: e.Error);
            return false;
        }

        rejection = SipHeaderRejection.None;
        return true;
    }

    public static bool TryGet(ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (SipParameters.TryFind(parameters, SipParameterSyntax.Header, name, out var p))
        {
            value = p.Value;
            return true;
        }

        value = default;
        return false;
    }

    public static ReadOnlySpan<byte> Get(ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> name) =>
        TryGet(parameters, name, out var value) ? value : default;

    public static bool Has(ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> name) =>
        SipParameters.Contains(parameters, SipParameterSyntax.Header, name);

    // True when nothing but LWS (and a trailing line end) follows start.
    public static bool IsAtEnd(ReadOnlySpan<byte> s, int start) => Lws.SkipBackward(s, s.Length) <= Lws.Skip(s, start);
}
