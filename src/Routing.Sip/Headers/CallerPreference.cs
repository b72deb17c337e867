using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// One ac-value / rc-value of Accept-Contact or Reject-Contact: "*" *( SEMI params ) with feature parameters and, for
/// Accept-Contact, the require and explicit flags (RFC 3841 §10). A header holding several values is a
/// <see cref="SipHeaderValueList{T}"/> of this type.
/// </summary>
public readonly struct CallerPreference : ISipHeaderValue<CallerPreference>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _paramsStart;

    private CallerPreference(ReadOnlyMemory<byte> source, int paramsStart)
    {
        _source = source;
        _paramsStart = paramsStart;
    }

    /// <summary>The parameters after "*".</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>True when "require" is present (RFC 3841 §7.2.3).</summary>
    public bool IsRequire => HeaderParameters.Has(ParametersText, "require"u8);

    /// <summary>True when "explicit" is present (RFC 3841 §7.2.3).</summary>
    public bool IsExplicit => HeaderParameters.Has(ParametersText, "explicit"u8);

    /// <summary>Enumerates the feature parameters.</summary>
    public FeatureTagEnumerator FeatureTags => new(ParametersText);

    /// <summary>True when the feature tag is present ("sip.video", "video" and "+sip.video" are the same tag).</summary>
    public bool HasFeatureTag(ReadOnlySpan<byte> tag) => Headers.FeatureTags.TryFind(ParametersText, tag, out _);

    /// <summary>Finds a feature tag's value (without DQUOTEs).</summary>
    public bool TryGetFeatureTag(ReadOnlySpan<byte> tag, out ReadOnlySpan<byte> value) => Headers.FeatureTags.TryFind(ParametersText, tag, out value);

    /// <summary>Parses one Accept-Contact or Reject-Contact value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out CallerPreference result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        var i = Lws.Skip(s, 0);
        if (i >= s.Length)
        {
            rejection = new SipHeaderRejection(SipHeaderError.Empty, 0);
            return false;
        }

        if (s[i] != (byte)'*')
        {
            rejection = new SipHeaderRejection(SipHeaderError.UnexpectedCharacter, i);
            return false;
        }

        if (!HeaderParameters.Validate(s, i + 1, out rejection))
        {
            return false;
        }

        result = new CallerPreference(value, i + 1);
        return true;
    }
}
