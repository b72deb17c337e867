using System.Buffers;
using System.Net;
using System.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Uri;

/// <summary>
/// A parsed URI as a view over its bytes: SIP/SIPS (RFC 3261 §19.1), tel (RFC 3966) or any other scheme kept opaque.
/// Parsing validates and records offsets only; strings and decoded forms are produced on demand. Equality follows
/// RFC 3261 §19.1.4 for sip/sips.
/// </summary>
public readonly struct SipUri : IEquatable<SipUri>
{
    private const int MaxLength = ushort.MaxValue;

    private const byte FlagUser = 1;
    private const byte FlagPassword = 2;
    private const byte FlagPort = 4;

    private static readonly SearchValues<byte> OpaqueExcluded = SearchValues.Create(" \t\r\n<>\"\\^`{|}"u8);

    private readonly ReadOnlyMemory<byte> _source;
    private readonly SipUriScheme _scheme;
    private readonly SipHostKind _hostKind;
    private readonly byte _flags;
    private readonly ushort _schemeLength;
    private readonly ushort _userStart;
    private readonly ushort _userLength;
    private readonly ushort _passwordStart;
    private readonly ushort _passwordLength;
    private readonly ushort _hostStart;
    private readonly ushort _hostLength;
    private readonly ushort _port;
    private readonly ushort _paramsStart;
    private readonly ushort _paramsLength;
    private readonly ushort _headersStart;
    private readonly ushort _headersLength;

    private SipUri(ReadOnlyMemory<byte> source, SipUriScheme scheme, in Layout layout)
    {
        _source = source;
        _scheme = scheme;
        _hostKind = layout.HostKind;
        _flags = layout.Flags;
        _schemeLength = (ushort)layout.SchemeLength;
        _userStart = (ushort)layout.UserStart;
        _userLength = (ushort)layout.UserLength;
        _passwordStart = (ushort)layout.PasswordStart;
        _passwordLength = (ushort)layout.PasswordLength;
        _hostStart = (ushort)layout.HostStart;
        _hostLength = (ushort)layout.HostLength;
        _port = (ushort)layout.Port;
        _paramsStart = (ushort)layout.ParamsStart;
        _paramsLength = (ushort)layout.ParamsLength;
        _headersStart = (ushort)layout.HeadersStart;
        _headersLength = (ushort)layout.HeadersLength;
    }

    /// <summary>The URI bytes exactly as received.</summary>
    public ReadOnlyMemory<byte> Source => _source;

    /// <summary>True for the default value (nothing parsed).</summary>
    public bool IsEmpty => _scheme == SipUriScheme.None;

    /// <summary>The scheme family.</summary>
    public SipUriScheme Scheme => _scheme;

    /// <summary>True for sip: and sips:.</summary>
    public bool IsSip => _scheme is SipUriScheme.Sip or SipUriScheme.Sips;

    /// <summary>The scheme as received (without ":").</summary>
    public ReadOnlySpan<byte> SchemeName => _source.Span[.._schemeLength];

    /// <summary>Everything after "scheme:" (for opaque URIs, the whole body).</summary>
    public ReadOnlySpan<byte> Body => _source.Span[(_schemeLength + 1)..];

    /// <summary>True when a user part is present (sip/sips).</summary>
    public bool HasUser => (_flags & FlagUser) != 0;

    /// <summary>The user part as received (escapes not decoded); for tel: the telephone number.</summary>
    public ReadOnlySpan<byte> User => _source.Span.Slice(_userStart, _userLength);

    /// <summary>True when a password is present (its use is NOT RECOMMENDED, RFC 3261 §19.1.1).</summary>
    public bool HasPassword => (_flags & FlagPassword) != 0;

    /// <summary>The password as received.</summary>
    public ReadOnlySpan<byte> Password => _source.Span.Slice(_passwordStart, _passwordLength);

    /// <summary>The host as received; an IPv6 reference keeps its brackets.</summary>
    public ReadOnlySpan<byte> Host => _source.Span.Slice(_hostStart, _hostLength);

    /// <summary>What kind of host this is.</summary>
    public SipHostKind HostKind => _hostKind;

    /// <summary>True when an explicit port is present.</summary>
    public bool HasPort => (_flags & FlagPort) != 0;

    /// <summary>The explicit port, or null (no default is substituted, RFC 3261 §19.1.4).</summary>
    public int? Port => HasPort ? _port : null;

    /// <summary>The uri-parameters including the leading ";" (empty when none).</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span.Slice(_paramsStart, _paramsLength);

    /// <summary>True when the URI carries ?headers.</summary>
    public bool HasHeaders => _headersLength > 0;

    /// <summary>The headers component after "?" (empty when none).</summary>
    public ReadOnlySpan<byte> HeadersText => _source.Span.Slice(_headersStart, _headersLength);

    /// <summary>Enumerates the uri-parameters (names and values as received).</summary>
    public SipParameterEnumerator Parameters => new(ParametersText, SipParameterSyntax.Uri);

    /// <summary>Enumerates the ?headers.</summary>
    public SipUriHeaderEnumerator Headers => new(HeadersText);

    /// <summary>transport-param value (RFC 3261 §19.1.1), empty when absent.</summary>
    public ReadOnlySpan<byte> Transport => GetParameterValue("transport"u8);

    /// <summary>user-param value ("phone", "ip", ...), empty when absent.</summary>
    public ReadOnlySpan<byte> UserParameter => GetParameterValue("user"u8);

    /// <summary>method-param value, empty when absent.</summary>
    public ReadOnlySpan<byte> Method => GetParameterValue("method"u8);

    /// <summary>maddr-param value, empty when absent.</summary>
    public ReadOnlySpan<byte> Maddr => GetParameterValue("maddr"u8);

    /// <summary>ttl-param (0-255), or null when absent or not a number in range.</summary>
    public int? Ttl => SipNumber.TryParseInt32(GetParameterValue("ttl"u8), out var ttl) && ttl <= 255 ? ttl : null;

    /// <summary>True when the lr parameter is present (loose routing, RFC 3261 §19.1.1, §16.4).</summary>
    public bool IsLooseRouting => HasParameter("lr"u8);

    /// <summary>For tel: URIs, true when the number is global ("+" E.164, RFC 3966 §5.1.4).</summary>
    public bool IsGlobalNumber => _scheme == SipUriScheme.Tel && _userLength > 0 && _source.Span[_userStart] == (byte)'+';

    /// <summary>Parses <paramref name="source"/> as a whole URI.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> source, out SipUri uri) => TryParse(source, out uri, out _);

    /// <summary>Parses <paramref name="source"/> as a whole URI, reporting why it failed.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> source, out SipUri uri, out SipUriRejection rejection)
    {
        var error = Parse(source, out uri, out var offset);
        rejection = new SipUriRejection(error, error == SipUriError.None ? -1 : offset);
        return error == SipUriError.None;
    }

    /// <summary>Parses a URI from text (UTF-8); for configuration and tests, not the receive path.</summary>
    public static SipUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(Encoding.UTF8.GetBytes(text), out var uri, out var rejection))
        {
            throw new FormatException($"Not a valid URI ({rejection.Reason} at offset {rejection.Offset}): {text}");
        }

        return uri;
    }

    /// <summary>
    /// True when a parameter with this name is present; names compare case-insensitively after decoding, so
    /// ";%6C%72" is the lr parameter (RFC 4475 §3.1.1.3).
    /// </summary>
    public bool HasParameter(ReadOnlySpan<byte> name) => TryFindDecoded(ParametersText, name, out _);

    /// <summary>
    /// Finds a parameter by name (case-insensitive, escapes decoded); <paramref name="value"/> is the raw value, empty
    /// for a parameter without value.
    /// </summary>
    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (TryFindDecoded(ParametersText, name, out var p))
        {
            value = p.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The user part decoded once (escapes resolved), or null when absent.</summary>
    public string? GetUser() => HasUser || _scheme == SipUriScheme.Tel ? PercentEncoding.DecodeToString(User) : null;

    /// <summary>The host as a string; lower-cased, IPv6 without brackets.</summary>
    public string GetHost()
    {
        var host = Host;
        if (_hostKind == SipHostKind.IPv6)
        {
            host = host[1..^1];
        }

        return Encoding.ASCII.GetString(host).ToLowerInvariant();
    }

    /// <summary>Decodes the user part once into <paramref name="destination"/>.</summary>
    public bool TryDecodeUser(Span<byte> destination, out int written) => PercentEncoding.TryDecode(User, destination, out written);

    /// <summary>
    /// Checks the components against RFC 3261 §19.1.1 table 1 for the place the URI appears. Non-SIP URIs always pass.
    /// </summary>
    public SipUriError CheckUsage(SipUriUsage usage)
    {
        if (!IsSip || usage == SipUriUsage.External)
        {
            return SipUriError.None;
        }

        if (HasHeaders && usage != SipUriUsage.RegisterOrRedirectContact)
        {
            return SipUriError.HeadersNotAllowed;
        }

        if (HasParameter("method"u8))
        {
            return SipUriError.ParameterNotAllowed;
        }

        switch (usage)
        {
            case SipUriUsage.FromTo:
                if (HasPort)
                {
                    return SipUriError.PortNotAllowed;
                }

                return HasParameter("maddr"u8) || HasParameter("ttl"u8) || HasParameter("transport"u8) || HasParameter("lr"u8)
                    ? SipUriError.ParameterNotAllowed
                    : SipUriError.None;
            case SipUriUsage.RegisterOrRedirectContact:
                return HasParameter("lr"u8) ? SipUriError.ParameterNotAllowed : SipUriError.None;
            case SipUriUsage.DialogContactOrRoute:
                return HasParameter("ttl"u8) ? SipUriError.ParameterNotAllowed : SipUriError.None;
            default:
                return SipUriError.None;
        }
    }

    /// <summary>
    /// The canonical address-of-record, used as the registrar's entity id: per RFC 3261 §10.3 step 5 all parameters and
    /// headers are removed and escaped unreserved characters are unescaped (escaped reserved characters stay escaped,
    /// because §19.1.4 distinguishes them from their literal form); scheme and host are lower-cased, IPv6
    /// written in RFC 5952 form. sip/sips give "scheme:user@host[:port]"; tel gives the number without visual
    /// separators (RFC 3966 §5.1.1) plus phone-context; other schemes are returned lower-cased in the scheme only.
    /// </summary>
    public string ToAddressOfRecord()
    {
        var sb = new StringBuilder(_source.Length);
        sb.Append(Encoding.ASCII.GetString(SchemeName).ToLowerInvariant()).Append(':');
        switch (_scheme)
        {
            case SipUriScheme.Sip:
            case SipUriScheme.Sips:
                if (HasUser)
                {
                    sb.Append(CanonicalUser(User)).Append('@');
                }

                AppendCanonicalHost(sb);
                if (HasPort)
                {
                    sb.Append(':').Append(_port);
                }

                break;
            case SipUriScheme.Tel:
                foreach (var b in User)
                {
                    if (!IsVisualSeparator(b))
                    {
                        sb.Append((char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b));
                    }
                }

                if (TryGetParameter("phone-context"u8, out var context))
                {
                    sb.Append(";phone-context=").Append(PercentEncoding.DecodeToString(context).ToLowerInvariant());
                }

                break;
            default:
                sb.Append(Encoding.UTF8.GetString(Body));
                break;
        }

        return sb.ToString();
    }

    /// <summary>Copies the URI bytes into <paramref name="destination"/>; returns the length, or -1 when too small.</summary>
    public int CopyTo(Span<byte> destination)
    {
        var span = _source.Span;
        if (destination.Length < span.Length)
        {
            return -1;
        }

        span.CopyTo(destination);
        return span.Length;
    }

    /// <summary>Writes the URI bytes to <paramref name="writer"/>.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_source.Span);
    }

    /// <summary>The URI text as received.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_source.Span);

    /// <summary>URI equivalence per RFC 3261 §19.1.4 (sip/sips), RFC 3966 §4 (tel), case-insensitive scheme and exact body otherwise.</summary>
    public bool Equals(SipUri other)
    {
        if (_scheme != other._scheme)
        {
            return false;
        }

        return _scheme switch
        {
            SipUriScheme.None => true,
            SipUriScheme.Sip or SipUriScheme.Sips => SipEquals(this, other),
            SipUriScheme.Tel => TelEquals(this, other),
            _ => Ascii.EqualsIgnoreCase(SchemeName, other.SchemeName) && Body.SequenceEqual(other.Body),
        };
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SipUri other && Equals(other);

    /// <summary>A hash consistent with <see cref="Equals(SipUri)"/>: scheme, decoded user and host only.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_scheme);
        switch (_scheme)
        {
            case SipUriScheme.Sip:
            case SipUriScheme.Sips:
                AddDecoded(ref hash, User, ignoreCase: false);
                if (_hostKind == SipHostKind.IPv6)
                {
                    Span<byte> address = stackalloc byte[16];
                    SipHost.TryParseIPv6(Host[1..^1], address);
                    hash.AddBytes(address);
                }
                else
                {
                    AddDecoded(ref hash, Host, ignoreCase: true);
                }

                break;
            case SipUriScheme.Tel:
                foreach (var b in User)
                {
                    if (!IsVisualSeparator(b))
                    {
                        hash.Add(ToLower(b));
                    }
                }

                break;
            case SipUriScheme.Other:
                hash.AddBytes(Body);
                break;
        }

        return hash.ToHashCode();
    }

    /// <summary>RFC 3261 §19.1.4 equality.</summary>
    public static bool operator ==(SipUri left, SipUri right) => left.Equals(right);

    /// <summary>RFC 3261 §19.1.4 inequality.</summary>
    public static bool operator !=(SipUri left, SipUri right) => !left.Equals(right);

    private ReadOnlySpan<byte> GetParameterValue(ReadOnlySpan<byte> name) =>
        TryGetParameter(name, out var value) ? value : default;

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

    // Escapes of unreserved characters are decoded, escapes of reserved ones kept (RFC 3261 §19.1.4 treats "%3B" and
    // ";" as different), so that URIs equal under Equals give the same address-of-record.
    private static string CanonicalUser(ReadOnlySpan<byte> user)
    {
        var buffer = new byte[user.Length];
        var length = PercentEncoding.Normalize(user, buffer);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private void AppendCanonicalHost(StringBuilder sb)
    {
        if (_hostKind == SipHostKind.IPv6)
        {
            Span<byte> address = stackalloc byte[16];
            SipHost.TryParseIPv6(Host[1..^1], address);
            sb.Append('[').Append(new IPAddress(address).ToString()).Append(']');
            return;
        }

        var host = Encoding.ASCII.GetString(Host).ToLowerInvariant();
        sb.Append(host.EndsWith('.') ? host[..^1] : host);
    }

    private static SipUriError Parse(ReadOnlyMemory<byte> source, out SipUri uri, out int offset)
    {
        uri = default;
        offset = 0;
        var s = source.Span;
        if (s.IsEmpty)
        {
            return SipUriError.Empty;
        }

        if (s.Length > MaxLength)
        {
            return SipUriError.TooLong;
        }

        // RFC 3261 §25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        if (!SipCharacters.Alpha.Contains(s[0]))
        {
            return SipUriError.InvalidScheme;
        }

        var colon = s.IndexOfAnyExcept(SipCharacters.SchemeChars);
        if (colon < 0)
        {
            offset = s.Length;
            return SipUriError.MissingScheme;
        }

        if (s[colon] != (byte)':')
        {
            offset = colon;
            return SipUriError.InvalidScheme;
        }

        var name = s[..colon];
        var scheme = Ascii.EqualsIgnoreCase(name, "sip"u8) ? SipUriScheme.Sip
            : Ascii.EqualsIgnoreCase(name, "sips"u8) ? SipUriScheme.Sips
            : Ascii.EqualsIgnoreCase(name, "tel"u8) ? SipUriScheme.Tel
            : SipUriScheme.Other;

        var layout = new Layout { SchemeLength = colon };
        var bodyStart = colon + 1;
        if (bodyStart >= s.Length)
        {
            offset = bodyStart;
            return SipUriError.EmptyBody;
        }

        var error = scheme switch
        {
            SipUriScheme.Tel => ParseTel(s, bodyStart, ref layout, out offset),
            SipUriScheme.Other => ParseOpaque(s, bodyStart, out offset),
            _ => ParseSip(s, bodyStart, ref layout, out offset),
        };

        if (error != SipUriError.None)
        {
            return error;
        }

        uri = new SipUri(source, scheme, layout);
        return SipUriError.None;
    }

    private static SipUriError ParseOpaque(ReadOnlySpan<byte> s, int start, out int offset)
    {
        // RFC 3261 §25.1 absoluteURI; unknown schemes are valid and kept as received (RFC 4475 §3.3.2, §3.3.3).
        var body = s[start..];
        var bad = body.IndexOfAny(OpaqueExcluded);
        if (bad < 0)
        {
            bad = body.IndexOfAnyInRange((byte)0, (byte)0x20);
        }

        if (bad < 0)
        {
            bad = body.IndexOfAnyInRange((byte)0x7F, (byte)0xFF);
        }

        offset = bad < 0 ? 0 : start + bad;
        return bad < 0 ? SipUriError.None : SipUriError.InvalidCharacter;
    }

    private static SipUriError ParseTel(ReadOnlySpan<byte> s, int start, ref Layout layout, out int offset)
    {
        // RFC 3966 §3: telephone-subscriber = global-number / local-number, followed by ;parameters.
        var semi = s[start..].IndexOf((byte)';');
        var end = semi < 0 ? s.Length : start + semi;
        var number = s[start..end];
        var valid = number.Length > 0 && (number[0] == (byte)'+'
            ? IsPhoneDigits(number[1..], allowHex: false)
            : IsPhoneDigits(number, allowHex: true));
        if (!valid)
        {
            offset = start;
            return SipUriError.InvalidTelephoneNumber;
        }

        layout.UserStart = start;
        layout.UserLength = number.Length;
        layout.ParamsStart = end;
        layout.ParamsLength = s.Length - end;
        layout.HeadersStart = s.Length;
        if (!SipParameters.TryValidate(s[end..], SipParameterSyntax.Uri, out var rejection))
        {
            offset = end + rejection.Offset;
            return SipUriError.InvalidParameter;
        }

        offset = 0;
        return SipUriError.None;
    }

    // phonedigit = DIGIT / visual-separator; phonedigit-hex adds HEXDIG, "*" and "#"; at least one digit is needed.
    private static bool IsPhoneDigits(ReadOnlySpan<byte> digits, bool allowHex)
    {
        var any = false;
        foreach (var b in digits)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                any = true;
            }
            else if (allowHex && (PercentEncoding.HexValue(b) >= 0 || b is (byte)'*' or (byte)'#'))
            {
                any = true;
            }
            else if (!IsVisualSeparator(b))
            {
                return false;
            }
        }

        return any;
    }

    private static SipUriError ParseSip(ReadOnlySpan<byte> s, int start, ref Layout layout, out int offset)
    {
        var i = start;

        // The user part may hold ";", "?" and "/" (user-unreserved) but never "@" (RFC 3261 §25.1), so the first
        // "@" ends userinfo (RFC 4475 §3.1.1.9: "sip:user;par=u%40example.net@example.com").
        var at = s[i..].IndexOf((byte)'@');
        if (at >= 0)
        {
            var userinfo = s.Slice(i, at);
            var passColon = userinfo.IndexOf((byte)':');
            var user = passColon < 0 ? userinfo : userinfo[..passColon];
            if (user.IsEmpty)
            {
                offset = i;
                return SipUriError.InvalidUser;
            }

            var badUser = user.IndexOfAnyExcept(SipCharacters.UserChars);
            if (badUser >= 0)
            {
                offset = i + badUser;
                return SipUriError.InvalidUser;
            }

            if (!PercentEncoding.IsWellFormed(user, out var badEscape))
            {
                offset = i + badEscape;
                return SipUriError.InvalidEscape;
            }

            layout.Flags |= FlagUser;
            layout.UserStart = i;
            layout.UserLength = user.Length;
            if (passColon >= 0)
            {
                var password = userinfo[(passColon + 1)..];
                var passStart = i + passColon + 1;
                var badPass = password.IndexOfAnyExcept(SipCharacters.PasswordChars);
                if (badPass >= 0)
                {
                    offset = passStart + badPass;
                    return SipUriError.InvalidPassword;
                }

                if (!PercentEncoding.IsWellFormed(password, out badEscape))
                {
                    offset = passStart + badEscape;
                    return SipUriError.InvalidEscape;
                }

                layout.Flags |= FlagPassword;
                layout.PasswordStart = passStart;
                layout.PasswordLength = password.Length;
            }

            i += at + 1;
        }

        var hostError = ParseHostPort(s, ref i, ref layout, out offset);
        if (hostError != SipUriError.None)
        {
            return hostError;
        }

        var paramsStart = i;
        var question = s[i..].IndexOf((byte)'?');
        var paramsEnd = question < 0 ? s.Length : i + question;
        if (paramsEnd > i && s[i] != (byte)';')
        {
            offset = i;
            return SipUriError.UnexpectedCharacter;
        }

        layout.ParamsStart = paramsStart;
        layout.ParamsLength = paramsEnd - paramsStart;
        if (!SipParameters.TryValidate(s[paramsStart..paramsEnd], SipParameterSyntax.Uri, out var rejection))
        {
            offset = paramsStart + rejection.Offset;
            return rejection.Reason == SipSyntaxError.InvalidEscape ? SipUriError.InvalidEscape : SipUriError.InvalidParameter;
        }

        layout.HeadersStart = s.Length;
        if (question >= 0)
        {
            var headersStart = paramsEnd + 1;
            var headerError = ValidateHeaders(s[headersStart..], out var headerOffset);
            if (headerError != SipUriError.None)
            {
                offset = headersStart + headerOffset;
                return headerError;
            }

            layout.HeadersStart = headersStart;
            layout.HeadersLength = s.Length - headersStart;
        }

        offset = 0;
        return SipUriError.None;
    }

    private static SipUriError ParseHostPort(ReadOnlySpan<byte> s, ref int i, ref Layout layout, out int offset)
    {
        offset = i;
        if (i >= s.Length)
        {
            return SipUriError.MissingHost;
        }

        var hostStart = i;
        if (s[i] == (byte)'[')
        {
            var close = s[i..].IndexOf((byte)']');
            if (close < 0 || !SipHost.IsIPv6Address(s.Slice(i + 1, close - 1)))
            {
                return SipUriError.InvalidIPv6Reference;
            }

            i += close + 1;
            layout.HostKind = SipHostKind.IPv6;
        }
        else
        {
            var len = s[i..].IndexOfAnyExcept(SipCharacters.HostnameChars);
            if (len < 0)
            {
                len = s.Length - i;
            }

            if (len == 0)
            {
                return SipUriError.MissingHost;
            }

            var host = s.Slice(i, len);
            layout.HostKind = SipHost.IsIPv4Address(host) ? SipHostKind.IPv4
                : SipHost.IsHostname(host) ? SipHostKind.Hostname
                : SipHostKind.None;
            if (layout.HostKind == SipHostKind.None)
            {
                return SipUriError.InvalidHost;
            }

            i += len;
        }

        layout.HostStart = hostStart;
        layout.HostLength = i - hostStart;

        if (i < s.Length && s[i] == (byte)':')
        {
            // RFC 5118 §4.2: an unbracketed IPv6 address makes its first ":" look like a port; such a "port" is rejected.
            i++;
            var digits = s[i..].IndexOfAnyExcept(SipCharacters.Digit);
            if (digits < 0)
            {
                digits = s.Length - i;
            }

            if (digits == 0 || !SipNumber.TryParseInt32(s.Slice(i, digits), out var port) || port > 65535)
            {
                offset = i;
                return SipUriError.InvalidPort;
            }

            if (i + digits < s.Length && s[i + digits] is not ((byte)';' or (byte)'?'))
            {
                offset = i + digits;
                return SipUriError.InvalidPort;
            }

            layout.Flags |= FlagPort;
            layout.Port = port;
            i += digits;
        }

        if (i < s.Length && s[i] is not ((byte)';' or (byte)'?'))
        {
            offset = i;
            return SipUriError.InvalidHost;
        }

        return SipUriError.None;
    }

    // headers = "?" header *( "&" header ); header = hname "=" hvalue; hname = 1*( hnv-unreserved / unreserved /
    // escaped ); hvalue = *( hnv-unreserved / unreserved / escaped ) (RFC 3261 §25.1)
    private static SipUriError ValidateHeaders(ReadOnlySpan<byte> headers, out int offset)
    {
        var i = 0;
        while (true)
        {
            var nameLength = headers[i..].IndexOfAnyExcept(SipCharacters.HeaderChars);
            if (nameLength < 0)
            {
                nameLength = headers.Length - i;
            }

            if (nameLength == 0 || i + nameLength >= headers.Length || headers[i + nameLength] != (byte)'=')
            {
                offset = i + nameLength;
                return SipUriError.InvalidHeaders;
            }

            if (!PercentEncoding.IsWellFormed(headers.Slice(i, nameLength), out var bad))
            {
                offset = i + bad;
                return SipUriError.InvalidEscape;
            }

            i += nameLength + 1;
            var valueLength = headers[i..].IndexOfAnyExcept(SipCharacters.HeaderChars);
            if (valueLength < 0)
            {
                valueLength = headers.Length - i;
            }

            if (!PercentEncoding.IsWellFormed(headers.Slice(i, valueLength), out bad))
            {
                offset = i + bad;
                return SipUriError.InvalidEscape;
            }

            i += valueLength;
            if (i == headers.Length)
            {
                offset = 0;
                return SipUriError.None;
            }

            if (headers[i] != (byte)'&')
            {
                offset = i;
                return SipUriError.InvalidHeaders;
            }

            i++;
        }
    }

    private struct Layout
    {
        public SipHostKind HostKind;
        public byte Flags;
        public int SchemeLength;
        public int UserStart;
        public int UserLength;
        public int PasswordStart;
        public int PasswordLength;
        public int HostStart;
        public int HostLength;
        public int Port;
        public int ParamsStart;
        public int ParamsLength;
        public int HeadersStart;
        public int HeadersLength;
    }
}
