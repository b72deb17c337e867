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
public readonly partial struct SipUri : IEquatable<SipUri>
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

    /// <summary>
    /// Validates a URI held only as a span (e.g. a Request-URI being framed) with the same rules as
    /// <see cref="TryParse(ReadOnlyMemory{byte}, out SipUri, out SipUriRejection)"/>, without creating a view.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> source, out SipUriScheme scheme, out SipUriRejection rejection)
    {
        var error = ParseLayout(source, out scheme, out _, out var offset);
        rejection = new SipUriRejection(error, error == SipUriError.None ? -1 : offset);
        if (error != SipUriError.None)
        {
            scheme = SipUriScheme.None;
        }

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
}
