using Routing.Sip.Uri;

namespace Routing.Sip.Headers;

/// <summary>
/// From / To = ( name-addr / addr-spec ) *( SEMI from-param ) with the tag parameter of RFC 3261 §19.3 (§20.20,
/// §20.39).
/// </summary>
public readonly struct FromToHeader : ISipHeaderValue<FromToHeader>
{
    private FromToHeader(NameAddress address) => Address = address;

    /// <summary>The parsed address and parameters.</summary>
    public NameAddress Address { get; }

    /// <summary>The URI.</summary>
    public SipUri Uri => Address.Uri;

    /// <summary>The tag, empty when absent (e.g. a To of an out-of-dialog request).</summary>
    public ReadOnlySpan<byte> Tag => Address.Tag;

    /// <summary>True when a tag parameter is present.</summary>
    public bool HasTag => Address.HasTag;

    /// <summary>Parses a From or To header value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out FromToHeader result, out SipHeaderRejection rejection)
    {
        var ok = NameAddress.TryParse(value, out var address, out rejection);
        result = ok ? new FromToHeader(address) : default;
        return ok;
    }
}
