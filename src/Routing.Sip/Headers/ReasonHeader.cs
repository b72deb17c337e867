using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// One reason-value: protocol *( SEMI reason-params ), with protocol-cause and reason-text (RFC 3326 §2). A Reason
/// header holding several values is a <see cref="SipHeaderValueList{T}"/> of this type.
/// </summary>
public readonly struct ReasonHeader : ISipHeaderValue<ReasonHeader>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _protocolStart;
    private readonly int _protocolLength;
    private readonly int _paramsStart;

    private ReasonHeader(ReadOnlyMemory<byte> source, int protocolStart, int protocolLength, int paramsStart, int? cause)
    {
        _source = source;
        _protocolStart = protocolStart;
        _protocolLength = protocolLength;
        _paramsStart = paramsStart;
        Cause = cause;
    }

    /// <summary>The protocol: "SIP", "Q.850" or another token.</summary>
    public ReadOnlySpan<byte> Protocol => _source.Span.Slice(_protocolStart, _protocolLength);

    /// <summary>The cause, or null when absent.</summary>
    public int? Cause { get; }

    /// <summary>The raw text (content of the quoted-string), empty when absent.</summary>
    public ReadOnlySpan<byte> Text => HeaderParameters.Get(ParametersText, "text"u8);

    /// <summary>The parameters.</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>The text with quoted-pairs resolved, or null when absent.</summary>
    public string? GetText()
    {
        if (!SipParameters.TryFind(ParametersText, SipParameterSyntax.Header, "text"u8, out var p))
        {
            return null;
        }

        return p.GetValueString();
    }

    /// <summary>Parses one reason-value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out ReasonHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        var i = Lws.Skip(s, 0);
        var length = i < s.Length ? s[i..].IndexOfAnyExcept(SipCharacters.Token) : 0;
        if (length < 0)
        {
            length = s.Length - i;
        }

        if (length == 0)
        {
            rejection = new SipHeaderRejection(i >= s.Length ? SipHeaderError.Empty : SipHeaderError.InvalidProtocol, i);
            return false;
        }

        var paramsStart = i + length;
        if (!HeaderParameters.Validate(s, paramsStart, out rejection))
        {
            return false;
        }

        int? cause = null;
        if (SipParameters.TryFind(s[paramsStart..], SipParameterSyntax.Header, "cause"u8, out var p))
        {
            if (p.IsQuoted || !SipNumber.TryParseInt32(p.Value, out var c))
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidCause, paramsStart + Math.Max(p.ValueOffset, p.NameOffset));
                return false;
            }

            cause = c;
        }

        result = new ReasonHeader(value, i, length, paramsStart, cause);
        return true;
    }
}
