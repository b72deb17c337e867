using Routing.Sip.Syntax;
using Routing.Sip.Uri;

namespace Routing.Sip.Headers;

/// <summary>
/// ( name-addr / addr-spec ) *( SEMI generic-param ) as used by From, To, Contact, Route, Record-Route, Path,
/// Service-Route and P-Asserted-Identity (RFC 3261 §20.10, §25.1). The header parameters are kept apart from the URI
/// parameters: in "&lt;sip:a@b;lr&gt;;x=1" lr belongs to the URI and x to the header, and in the addr-spec form
/// "sip:a@b;x=1" x belongs to the header (RFC 3261 §20.10; RFC 4475 §3.3.12, §3.3.13).
/// </summary>
public readonly struct NameAddress : ISipHeaderValue<NameAddress>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _displayStart;
    private readonly int _displayLength;
    private readonly bool _displayQuoted;
    private readonly bool _angleBrackets;
    private readonly int _paramsStart;
    private readonly int _tagStart;
    private readonly int _tagLength;

    private NameAddress(ReadOnlyMemory<byte> source, int displayStart, int displayLength, bool displayQuoted, bool angleBrackets, SipUri uri, int paramsStart, int tagStart, int tagLength)
    {
        _tagStart = tagStart;
        _tagLength = tagLength;
        _source = source;
        _displayStart = displayStart;
        _displayLength = displayLength;
        _displayQuoted = displayQuoted;
        _angleBrackets = angleBrackets;
        Uri = uri;
        _paramsStart = paramsStart;
    }

    /// <summary>The value as received.</summary>
    public ReadOnlyMemory<byte> Source => _source;

    /// <summary>The URI (a view into <see cref="Source"/>).</summary>
    public SipUri Uri { get; }

    /// <summary>True when the URI was enclosed in "&lt;&gt;" (name-addr form).</summary>
    public bool IsNameAddr => _angleBrackets;

    /// <summary>True when a display name (possibly an empty quoted string) was given.</summary>
    public bool HasDisplayName => _displayStart >= 0;

    /// <summary>True when the display name was a quoted-string.</summary>
    public bool IsDisplayNameQuoted => _displayQuoted;

    /// <summary>The raw display name: the content between the DQUOTEs (quoted-pairs still escaped) or the tokens.</summary>
    public ReadOnlySpan<byte> DisplayName => _displayStart >= 0 ? _source.Span.Slice(_displayStart, _displayLength) : default;

    /// <summary>The header parameters (after the URI), starting at the first ";" or LWS; empty when none.</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>Enumerates the header parameters.</summary>
    public SipParameterEnumerator Parameters => new(ParametersText, SipParameterSyntax.Header);

    /// <summary>The tag parameter (RFC 3261 §19.3), empty when absent.</summary>
    public ReadOnlySpan<byte> Tag => _tagStart < 0 ? default : _source.Span.Slice(_tagStart, _tagLength);

    /// <summary>True when a tag parameter is present.</summary>
    public bool HasTag => _tagStart >= 0;

    /// <summary>The display name as text (quoted-pairs resolved), or null when absent.</summary>
    public string? GetDisplayName()
    {
        if (_displayStart < 0)
        {
            return null;
        }

        return _displayQuoted
            ? QuotedString.UnescapeToString(DisplayName)
            : System.Text.Encoding.UTF8.GetString(DisplayName);
    }

    /// <summary>Finds a header parameter (case-insensitive name); a quoted value is returned without its DQUOTEs.</summary>
    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) =>
        HeaderParameters.TryGet(ParametersText, name, out value);

    /// <summary>True when a header parameter with this name is present.</summary>
    public bool HasParameter(ReadOnlySpan<byte> name) => HeaderParameters.Has(ParametersText, name);

    /// <summary>Parses name-addr or addr-spec followed by header parameters.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out NameAddress result, out SipHeaderRejection rejection) =>
        TryParse(value, requireNameAddr: false, out result, out rejection);

    /// <summary>
    /// Parses a value; with <paramref name="requireNameAddr"/> the URI must be in angle brackets (Route,
    /// Record-Route, Path, Service-Route: rec-route = name-addr *( SEMI rr-param ), RFC 3261 §25.1).
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, bool requireNameAddr, out NameAddress result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        var i = Lws.Skip(s, 0);
        if (i >= s.Length)
        {
            rejection = new SipHeaderRejection(SipHeaderError.Empty, 0);
            return false;
        }

        var displayStart = -1;
        var displayLength = 0;
        var quoted = false;

        if (s[i] == (byte)'"')
        {
            if (!QuotedString.TryRead(s[i..], out var token, out var q))
            {
                rejection = new SipHeaderRejection(
                    q.Reason == SipSyntaxError.UnterminatedQuotedString ? SipHeaderError.UnterminatedQuotedString : SipHeaderError.InvalidQuotedString,
                    i + q.Offset,
                    SyntaxError: q.Reason);
                return false;
            }

            displayStart = i + 1;
            displayLength = token.ContentLength;
            quoted = true;
            i = Lws.Skip(s, i + token.Length);
            if (i >= s.Length || s[i] != (byte)'<')
            {
                rejection = new SipHeaderRejection(SipHeaderError.MissingAngleBracket, i);
                return false;
            }
        }
        else if (!ScanTokenDisplayName(s, ref i, out displayStart, out displayLength, out rejection))
        {
            return false;
        }

        if (i < s.Length && s[i] == (byte)'<')
        {
            // RFC 4475 §3.1.2.14: no LWS inside the brackets, so the URI is exactly what lies between them.
            var close = s[(i + 1)..].IndexOf((byte)'>');
            if (close < 0)
            {
                rejection = new SipHeaderRejection(SipHeaderError.UnterminatedAngleBracket, i);
                return false;
            }

            var uriStart = i + 1;
            if (!SipUri.TryParse(value.Slice(uriStart, close), out var uri, out var uriRejection))
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidUri, uriStart + uriRejection.Offset, uriRejection.Reason);
                return false;
            }

            var paramsStart = uriStart + close + 1;
            if (!HeaderParameters.ValidateAndFind(s, paramsStart, "tag"u8, out var tagStart, out var tagLength, out rejection))
            {
                return false;
            }

            result = new NameAddress(value, displayStart, displayLength, quoted, angleBrackets: true, uri, paramsStart, tagStart, tagLength);
            return true;
        }

        if (requireNameAddr)
        {
            rejection = new SipHeaderRejection(SipHeaderError.NameAddrRequired, i);
            return false;
        }

        return TryParseAddrSpec(value, i, out result, out rejection);
    }

    // display-name = *(token LWS) / quoted-string. Scans tokens and LWS from i; stops at "<" (name-addr, display name
    // recorded) or, when the run is a single token followed by ":", at the start of an addr-spec.
    private static bool ScanTokenDisplayName(ReadOnlySpan<byte> s, ref int i, out int displayStart, out int displayLength, out SipHeaderRejection rejection)
    {
        displayStart = -1;
        displayLength = 0;
        var start = i;
        var j = i;
        var sawSpace = false;
        var lastTokenEnd = i;
        while (j < s.Length)
        {
            var run = s[j..].IndexOfAnyExcept(SipCharacters.Token);
            if (run < 0)
            {
                run = s.Length - j;
            }

            if (run > 0)
            {
                j += run;
                lastTokenEnd = j;
                continue;
            }

            var afterSpace = Lws.Skip(s, j);
            if (afterSpace > j)
            {
                sawSpace = true;
                j = afterSpace;
                continue;
            }

            break;
        }

        if (j < s.Length && s[j] == (byte)'<')
        {
            if (lastTokenEnd > start)
            {
                displayStart = start;
                displayLength = lastTokenEnd - start;
            }

            i = j;
            rejection = SipHeaderRejection.None;
            return true;
        }

        if (!sawSpace && j < s.Length && s[j] == (byte)':' && j > start)
        {
            // A scheme: this is an addr-spec.
            rejection = SipHeaderRejection.None;
            return true;
        }

        // Tokens followed by something other than "<": either tokens without a URI, or a non-token character in
        // what must be a display name (RFC 4475 §3.1.2.15 "Bell, Alexander <sip:...>").
        var bad = j < s.Length ? j : start;
        if (sawSpace || (j < s.Length && s[j..].Contains((byte)'<')))
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidDisplayName, bad);
            return false;
        }

        rejection = new SipHeaderRejection(SipHeaderError.InvalidUri, start, SipUriError.MissingScheme);
        return false;
    }

    private static bool TryParseAddrSpec(ReadOnlyMemory<byte> value, int start, out NameAddress result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;

        // RFC 3261 §20.10: without angle brackets, a ";" ends the URI (what follows are header parameters) and the URI
        // cannot carry "?" or ",". White space also ends it ("sip:a@b ;tag=1", RFC 4475 §3.1.1.1).
        var end = start;
        while (end < s.Length && s[end] is not ((byte)';' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            if (s[end] is (byte)'?' or (byte)',')
            {
                rejection = new SipHeaderRejection(SipHeaderError.UriRequiresAngleBrackets, end);
                return false;
            }

            end++;
        }

        if (!SipUri.TryParse(value[start..end], out var uri, out var uriRejection))
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidUri, start + uriRejection.Offset, uriRejection.Reason);
            return false;
        }

        if (!HeaderParameters.ValidateAndFind(s, end, "tag"u8, out var tagStart, out var tagLength, out rejection))
        {
            return false;
        }

        result = new NameAddress(value, -1, 0, displayQuoted: false, angleBrackets: false, uri, end, tagStart, tagLength);
        return true;
    }
}

/// <summary>An element of Route, Record-Route, Path or Service-Route: a name-addr with parameters (RFC 3261 §25.1, RFC 3327, RFC 3608).</summary>
public readonly struct RouteAddress : ISipHeaderValue<RouteAddress>
{
    private RouteAddress(NameAddress address) => Address = address;

    /// <summary>The parsed name-addr.</summary>
    public NameAddress Address { get; }

    /// <summary>The route URI.</summary>
    public SipUri Uri => Address.Uri;

    /// <summary>True when the route URI carries lr (RFC 3261 §16.4, §19.1.1).</summary>
    public bool IsLooseRouting => Address.Uri.IsLooseRouting;

    /// <summary>Parses a route element; the URI must be in angle brackets.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out RouteAddress result, out SipHeaderRejection rejection)
    {
        var ok = NameAddress.TryParse(value, requireNameAddr: true, out var address, out rejection);
        result = ok ? new RouteAddress(address) : default;
        return ok;
    }
}
