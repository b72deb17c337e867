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

    // Skips LWS from start and requires the rest to be empty.
    public static bool IsAtEnd(ReadOnlySpan<byte> s, int start) => Lws.Skip(s, start) >= s.Length;
}
