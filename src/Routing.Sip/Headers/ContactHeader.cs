using Routing.Sip.Syntax;
using Routing.Sip.Uri;

namespace Routing.Sip.Headers;

/// <summary>
/// One contact-param: ( name-addr / addr-spec ) *( SEMI contact-params ) (RFC 3261 §20.10), with the registration
/// parameters of RFC 3261 §10 (q, expires), RFC 5626 (+sip.instance, reg-id), RFC 8599 push parameters and RFC 3840
/// feature tags.
/// </summary>
public readonly struct ContactValue : ISipHeaderValue<ContactValue>
{
    private readonly short _q;

    private ContactValue(NameAddress address, short q)
    {
        Address = address;
        _q = q;
    }

    /// <summary>The address and its parameters.</summary>
    public NameAddress Address { get; }

    /// <summary>The contact URI.</summary>
    public SipUri Uri => Address.Uri;

    /// <summary>The contact parameters (after the URI).</summary>
    public ReadOnlySpan<byte> ParametersText => Address.ParametersText;

    /// <summary>The q value in thousandths (0-1000), or null when absent (RFC 3261 §20.10 qvalue).</summary>
    public int? QValue => _q < 0 ? null : _q;

    /// <summary>True when an expires parameter is present.</summary>
    public bool HasExpires => Address.HasParameter("expires"u8);

    /// <summary>+sip.instance without its DQUOTEs (e.g. "&lt;urn:uuid:...&gt;"), empty when absent (RFC 5626 §4.1).</summary>
    public ReadOnlySpan<byte> Instance => HeaderParameters.Get(ParametersText, "+sip.instance"u8);

    /// <summary>True when +sip.instance is present.</summary>
    public bool HasInstance => Address.HasParameter("+sip.instance"u8);

    /// <summary>reg-id (RFC 5626 §4.2), or null when absent. Validated at parse time.</summary>
    public int? RegId => SipNumber.TryParseInt32(HeaderParameters.Get(ParametersText, "reg-id"u8), out var id) ? id : null;

    /// <summary>pn-provider (RFC 8599 §4.1.1), from the URI parameters, else from the contact parameters.</summary>
    public ReadOnlySpan<byte> PushProvider => GetPushParameter("pn-provider"u8);

    /// <summary>pn-prid (RFC 8599 §4.1.2), from the URI parameters, else from the contact parameters.</summary>
    public ReadOnlySpan<byte> PushPrid => GetPushParameter("pn-prid"u8);

    /// <summary>pn-param (RFC 8599 §4.1.3), from the URI parameters, else from the contact parameters.</summary>
    public ReadOnlySpan<byte> PushParam => GetPushParameter("pn-param"u8);

    /// <summary>Enumerates the feature tags (RFC 3840 §9).</summary>
    public FeatureTagEnumerator FeatureTags => new(ParametersText);

    /// <summary>
    /// The expires parameter. False when absent or when its value is not a delta-seconds that fits 32 bits: RFC 3261
    /// §20.19 and RFC 4475 §3.1.2.4 let a registrar treat such a value as the default (3600) rather than reject the
    /// request, so the caller decides.
    /// </summary>
    public bool TryGetExpires(out uint seconds) =>
        SipNumber.TryParseUInt32(HeaderParameters.Get(ParametersText, "expires"u8), out seconds);

    /// <summary>True when the feature tag is present ("sip.video", "video" and "+sip.video" are the same tag).</summary>
    public bool HasFeatureTag(ReadOnlySpan<byte> tag) => Headers.FeatureTags.TryFind(ParametersText, tag, out _);

    /// <summary>Finds a feature tag's value (without DQUOTEs; empty for a boolean tag).</summary>
    public bool TryGetFeatureTag(ReadOnlySpan<byte> tag, out ReadOnlySpan<byte> value) => Headers.FeatureTags.TryFind(ParametersText, tag, out value);

    /// <summary>Parses one contact.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out ContactValue result, out SipHeaderRejection rejection)
    {
        result = default;
        var span = value.Span;
        var trimmed = Lws.TrimRange(span);
        if (trimmed.Length > 0 && span[trimmed.Offset] == (byte)'*'
            && (trimmed.Length == 1 || span[trimmed.Offset + 1] is (byte)';' or (byte)' ' or (byte)'\t'))
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidStar, trimmed.Offset);
            return false;
        }

        if (!NameAddress.TryParse(value, out var address, out rejection))
        {
            return false;
        }

        short q = -1;
        var e = address.Parameters;
        while (e.MoveNext())
        {
            var p = e.Current;
            var offset = value.Length - address.ParametersText.Length + p.ValueOffset;
            if (p.NameEquals("q"u8))
            {
                if (!TryParseQValue(p.Value, out q))
                {
                    rejection = new SipHeaderRejection(SipHeaderError.InvalidQValue, offset);
                    return false;
                }
            }
            else if (p.NameEquals("reg-id"u8))
            {
                // RFC 5626 §4.2: reg-id = 1*DIGIT, 1 to 2^31-1.
                if (!SipNumber.TryParseInt32(p.Value, out var id) || id == 0)
                {
                    rejection = new SipHeaderRejection(SipHeaderError.InvalidParameter, offset);
                    return false;
                }
            }
        }

        result = new ContactValue(address, q);
        return true;
    }

    /// <summary>qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 3261 §25.1), in thousandths.</summary>
    public static bool TryParseQValue(ReadOnlySpan<byte> text, out short thousandths)
    {
        thousandths = 0;
        if (text.IsEmpty || text.Length > 5 || text[0] is not ((byte)'0' or (byte)'1'))
        {
            return false;
        }

        var whole = text[0] - '0';
        var fraction = 0;
        if (text.Length > 1)
        {
            if (text[1] != (byte)'.')
            {
                return false;
            }

            var digits = text[2..];
            for (var k = 0; k < 3; k++)
            {
                var d = 0;
                if (k < digits.Length)
                {
                    d = digits[k] - '0';
                    if ((uint)d > 9)
                    {
                        return false;
                    }
                }

                fraction = (fraction * 10) + d;
            }
        }

        if (whole == 1 && fraction != 0)
        {
            return false;
        }

        thousandths = (short)((whole * 1000) + fraction);
        return true;
    }

    private ReadOnlySpan<byte> GetPushParameter(ReadOnlySpan<byte> name) =>
        Uri.TryGetParameter(name, out var value) ? value : HeaderParameters.Get(ParametersText, name);
}

/// <summary>
/// A Contact header value: "*" (only valid in REGISTER with Expires: 0, RFC 3261 §10.2.2) or a comma-separated list of
/// <see cref="ContactValue"/> (RFC 3261 §20.10).
/// </summary>
public readonly struct ContactHeader
{
    private ContactHeader(bool isStar, SipHeaderValueList<ContactValue> values)
    {
        IsStar = isStar;
        Values = values;
    }

    /// <summary>True for "Contact: *".</summary>
    public bool IsStar { get; }

    /// <summary>The contacts (empty when <see cref="IsStar"/>).</summary>
    public SipHeaderValueList<ContactValue> Values { get; }

    /// <summary>Number of contacts (0 for "*").</summary>
    public int Count => IsStar ? 0 : Values.Count;

    /// <summary>Parses a Contact header value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out ContactHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var span = value.Span;
        var (offset, length) = Lws.TrimRange(span);
        if (length == 1 && span[offset] == (byte)'*')
        {
            result = new ContactHeader(isStar: true, default);
            rejection = SipHeaderRejection.None;
            return true;
        }

        if (!SipHeaderValueList<ContactValue>.TryParse(value, out var list, out rejection))
        {
            return false;
        }

        result = new ContactHeader(isStar: false, list);
        return true;
    }

    /// <summary>Enumerates the contacts.</summary>
    public SipHeaderValueList<ContactValue>.Enumerator GetEnumerator() => Values.GetEnumerator();
}
