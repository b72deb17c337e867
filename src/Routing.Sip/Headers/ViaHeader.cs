using System.Text;
using Routing.Sip.Syntax;
using Routing.Sip.Uri;

namespace Routing.Sip.Headers;

/// <summary>
/// One via-parm: sent-protocol LWS sent-by *( SEMI via-params ) (RFC 3261 §20.42, §25.1), with received (and the
/// RFC 5118 §4.5 leniency for bracketed IPv6), rport (RFC 3581), branch, maddr and ttl. A Via header value holding
/// several via-parms is a <see cref="SipHeaderValueList{T}"/> of this type.
/// </summary>
public readonly struct ViaHeader : ISipHeaderValue<ViaHeader>
{
    /// <summary>The RFC 3261 §8.1.1.7 branch prefix that marks a transaction id unique across space and time.</summary>
    public static ReadOnlySpan<byte> MagicCookie => "z9hG4bK"u8;

    private readonly ReadOnlyMemory<byte> _source;
    private readonly ushort _nameStart;
    private readonly ushort _nameLength;
    private readonly ushort _versionStart;
    private readonly ushort _versionLength;
    private readonly ushort _transportStart;
    private readonly ushort _transportLength;
    private readonly ushort _hostStart;
    private readonly ushort _hostLength;
    private readonly ushort _sentByEnd;
    private readonly int _port;
    private readonly int _paramsStart;
    private readonly SipHostKind _hostKind;
    private readonly byte _flags;
    private readonly ushort _branchStart;
    private readonly ushort _branchLength;
    private readonly ushort _receivedStart;
    private readonly ushort _receivedLength;
    private readonly int _rport;

    private const byte FlagBranch = 1;
    private const byte FlagReceived = 2;
    private const byte FlagRport = 4;

    private ViaHeader(ReadOnlyMemory<byte> source, in Layout l)
    {
        _source = source;
        _nameStart = (ushort)l.NameStart;
        _nameLength = (ushort)l.NameLength;
        _versionStart = (ushort)l.VersionStart;
        _versionLength = (ushort)l.VersionLength;
        _transportStart = (ushort)l.TransportStart;
        _transportLength = (ushort)l.TransportLength;
        _hostStart = (ushort)l.HostStart;
        _hostLength = (ushort)l.HostLength;
        _sentByEnd = (ushort)l.SentByEnd;
        _port = l.Port;
        _paramsStart = l.ParamsStart;
        _hostKind = l.HostKind;
        _flags = l.Flags;
        _branchStart = (ushort)l.BranchStart;
        _branchLength = (ushort)l.BranchLength;
        _receivedStart = (ushort)l.ReceivedStart;
        _receivedLength = (ushort)l.ReceivedLength;
        _rport = l.Rport;
    }

    /// <summary>The via-parm as received.</summary>
    public ReadOnlyMemory<byte> Source => _source;

    /// <summary>protocol-name ("SIP").</summary>
    public ReadOnlySpan<byte> ProtocolName => _source.Span.Slice(_nameStart, _nameLength);

    /// <summary>protocol-version ("2.0").</summary>
    public ReadOnlySpan<byte> ProtocolVersion => _source.Span.Slice(_versionStart, _versionLength);

    /// <summary>True for SIP/2.0; anything else is answered 505 by the message layer (RFC 4475 §3.1.2.16).</summary>
    public bool IsSip20 => Ascii.EqualsIgnoreCase(ProtocolName, "SIP"u8) && ProtocolVersion.SequenceEqual("2.0"u8);

    /// <summary>The transport token as received (UDP, TCP, TLS, SCTP, WS, WSS or an unknown token, RFC 4475 §3.1.1.10).</summary>
    public ReadOnlySpan<byte> Transport => _source.Span.Slice(_transportStart, _transportLength);

    /// <summary>sent-by host; an IPv6 reference keeps its brackets.</summary>
    public ReadOnlySpan<byte> Host => _source.Span.Slice(_hostStart, _hostLength);

    /// <summary>What kind of host sent-by names.</summary>
    public SipHostKind HostKind => _hostKind;

    /// <summary>sent-by port, or null when absent.</summary>
    public int? Port => _port < 0 ? null : _port;

    /// <summary>sent-by exactly as received (host and optional port).</summary>
    public ReadOnlySpan<byte> SentBy => _source.Span[_hostStart.._sentByEnd];

    /// <summary>The via parameters, from the first ";" (or the LWS before it).</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>Enumerates the via parameters.</summary>
    public SipParameterEnumerator Parameters => new(ParametersText, SipParameterSyntax.Header);

    /// <summary>The branch, empty when absent.</summary>
    public ReadOnlySpan<byte> Branch => _source.Span.Slice(_branchStart, _branchLength);

    /// <summary>True when a branch parameter is present.</summary>
    public bool HasBranch => (_flags & FlagBranch) != 0;

    /// <summary>
    /// True when the branch starts with the magic cookie "z9hG4bK" and has something after it: an RFC 3261 transaction
    /// id (§8.1.1.7, §17.2.3). A bare cookie is not unique (RFC 4475 §3.2.1) and falls back to RFC 2543 matching.
    /// </summary>
    public bool HasMagicCookie
    {
        get
        {
            var branch = Branch;
            return branch.Length > MagicCookie.Length && branch.StartsWith(MagicCookie);
        }
    }

    /// <summary>The received parameter as received (with or without brackets), empty when absent.</summary>
    public ReadOnlySpan<byte> Received => _source.Span.Slice(_receivedStart, _receivedLength);

    /// <summary>True when a received parameter is present.</summary>
    public bool HasReceived => (_flags & FlagReceived) != 0;

    /// <summary>True when rport is present, with or without a value (RFC 3581 §3: a request carries it empty).</summary>
    public bool HasRport => (_flags & FlagRport) != 0;

    /// <summary>The rport value filled in by a server (RFC 3581 §4), or null when absent or empty.</summary>
    public int? Rport => _rport < 0 ? null : _rport;

    /// <summary>The maddr parameter, empty when absent.</summary>
    public ReadOnlySpan<byte> Maddr => HeaderParameters.Get(ParametersText, "maddr"u8);

    /// <summary>The ttl parameter (0-255), or null when absent.</summary>
    public int? Ttl => SipNumber.TryParseInt32(HeaderParameters.Get(ParametersText, "ttl"u8), out var ttl) ? ttl : null;

    /// <summary>True when the transport equals <paramref name="transport"/> (case-insensitive).</summary>
    public bool IsTransport(ReadOnlySpan<byte> transport) => Ascii.EqualsIgnoreCase(Transport, transport);

    /// <summary>Finds a via parameter (case-insensitive name).</summary>
    public bool TryGetParameter(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value) => HeaderParameters.TryGet(ParametersText, name, out value);

    /// <summary>The sent-by host as a string (lower-cased, IPv6 without brackets), for logs and flow keys.</summary>
    public string GetHost()
    {
        var host = _hostKind == SipHostKind.IPv6 ? Host[1..^1] : Host;
        return Encoding.ASCII.GetString(host).ToLowerInvariant();
    }

    /// <summary>Parses one via-parm.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out ViaHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        if (s.Length > ushort.MaxValue)
        {
            rejection = new SipHeaderRejection(SipHeaderError.ValueOutOfRange, 0);
            return false;
        }

        var l = new Layout { Port = -1, Rport = -1 };
        var i = Lws.Skip(s, 0);
        if (i >= s.Length)
        {
            rejection = new SipHeaderRejection(SipHeaderError.Empty, 0);
            return false;
        }

        // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS (RFC 3261 §25.1,
        // RFC 4475 §3.1.1.1 folds it across lines).
        if (!ReadToken(s, ref i, out l.NameStart, out l.NameLength) || !ReadSlash(s, ref i)
            || !ReadToken(s, ref i, out l.VersionStart, out l.VersionLength) || !ReadSlash(s, ref i)
            || !ReadToken(s, ref i, out l.TransportStart, out l.TransportLength))
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidSentProtocol, i);
            return false;
        }

        var afterProtocol = Lws.Skip(s, i);
        if (afterProtocol == i || afterProtocol >= s.Length)
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidSentBy, afterProtocol);
            return false;
        }

        i = afterProtocol;
        if (!ReadSentBy(s, ref i, ref l, out rejection))
        {
            return false;
        }

        l.ParamsStart = i;
        if (!ParseViaParameters(s, i, ref l, out rejection))
        {
            return false;
        }

        result = new ViaHeader(value, l);
        return true;
    }

    private static bool ReadToken(ReadOnlySpan<byte> s, ref int i, out int start, out int length)
    {
        start = i;
        length = i < s.Length ? s[i..].IndexOfAnyExcept(SipCharacters.Token) : 0;
        if (length < 0)
        {
            length = s.Length - i;
        }

        i += length;
        return length > 0;
    }

    private static bool ReadSlash(ReadOnlySpan<byte> s, ref int i)
    {
        var j = Lws.Skip(s, i);
        if (j >= s.Length || s[j] != (byte)'/')
        {
            i = j;
            return false;
        }

        i = Lws.Skip(s, j + 1);
        return true;
    }

    // sent-by = host [ COLON port ]; COLON = SWS ":" SWS (RFC 3261 §25.1).
    private static bool ReadSentBy(ReadOnlySpan<byte> s, ref int i, ref Layout l, out SipHeaderRejection rejection)
    {
        l.HostStart = i;
        if (s[i] == (byte)'[')
        {
            var close = s[i..].IndexOf((byte)']');
            if (close < 0 || !SipHost.IsIPv6Address(s.Slice(i + 1, close - 1)))
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidSentBy, i, SipUriError.InvalidIPv6Reference);
                return false;
            }

            i += close + 1;
            l.HostKind = SipHostKind.IPv6;
        }
        else
        {
            var len = s[i..].IndexOfAnyExcept(SipCharacters.HostnameChars);
            if (len < 0)
            {
                len = s.Length - i;
            }

            var host = s.Slice(i, len);
            l.HostKind = SipHost.IsIPv4Address(host) ? SipHostKind.IPv4 : SipHost.IsHostname(host) ? SipHostKind.Hostname : SipHostKind.None;
            if (l.HostKind == SipHostKind.None)
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidSentBy, i, SipUriError.InvalidHost);
                return false;
            }

            i += len;
        }

        if (i < s.Length && s[i] is not ((byte)';' or (byte)':' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidSentBy, i, SipUriError.InvalidHost);
            return false;
        }

        l.HostLength = i - l.HostStart;
        l.SentByEnd = i;
        var colon = Lws.Skip(s, i);
        if (colon < s.Length && s[colon] == (byte)':')
        {
            var digitsStart = Lws.Skip(s, colon + 1);
            var digits = digitsStart < s.Length ? s[digitsStart..].IndexOfAnyExcept(SipCharacters.Digit) : 0;
            if (digits < 0)
            {
                digits = s.Length - digitsStart;
            }

            if (digits == 0 || !SipNumber.TryParseInt32(s.Slice(digitsStart, digits), out var port) || port > 65535)
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidPort, digitsStart);
                return false;
            }

            l.Port = port;
            i = digitsStart + digits;
            l.SentByEnd = i;
        }

        rejection = SipHeaderRejection.None;
        return true;
    }

    // One pass over the via-params: syntax, the RFC 3261 §20.42 / RFC 3581 value rules, and the offsets of the
    // parameters the transaction layer reads on every message (the first occurrence wins).
    private static bool ParseViaParameters(ReadOnlySpan<byte> s, int start, ref Layout l, out SipHeaderRejection rejection)
    {
        var e = new SipParameterEnumerator(s[start..], SipParameterSyntax.Header);
        while (e.MoveNext())
        {
            var p = e.Current;
            var at = start + (p.HasValue ? p.ValueOffset : p.NameOffset);
            var error = SipHeaderError.None;
            if (p.NameEquals("branch"u8))
            {
                error = p.HasValue && !p.IsQuoted && SipCharacters.IsToken(p.Value) ? SipHeaderError.None : SipHeaderError.InvalidBranch;
                if (error == SipHeaderError.None && (l.Flags & FlagBranch) == 0)
                {
                    l.Flags |= FlagBranch;
                    l.BranchStart = start + p.ValueOffset;
                    l.BranchLength = p.Value.Length;
                }
            }
            else if (p.NameEquals("received"u8))
            {
                error = IsReceivedAddress(p.Value) && !p.IsQuoted ? SipHeaderError.None : SipHeaderError.InvalidReceived;
                if (error == SipHeaderError.None && (l.Flags & FlagReceived) == 0)
                {
                    l.Flags |= FlagReceived;
                    l.ReceivedStart = start + p.ValueOffset;
                    l.ReceivedLength = p.Value.Length;
                }
            }
            else if (p.NameEquals("rport"u8))
            {
                var rport = -1;
                error = !p.HasValue || (!p.IsQuoted && SipNumber.TryParseInt32(p.Value, out rport) && rport <= 65535)
                    ? SipHeaderError.None
                    : SipHeaderError.InvalidRport;
                if (error == SipHeaderError.None && (l.Flags & FlagRport) == 0)
                {
                    l.Flags |= FlagRport;
                    l.Rport = p.HasValue ? rport : -1;
                }
            }
            else if (p.NameEquals("ttl"u8))
            {
                error = SipNumber.TryParseInt32(p.Value, out var ttl) && ttl <= 255 && p.Value.Length <= 3
                    ? SipHeaderError.None
                    : SipHeaderError.InvalidTtl;
            }
            else if (p.NameEquals("maddr"u8))
            {
                error = p.HasValue && SipHost.Classify(p.Value) != SipHostKind.None ? SipHeaderError.None : SipHeaderError.InvalidMaddr;
            }

            if (error != SipHeaderError.None)
            {
                rejection = new SipHeaderRejection(error, at);
                return false;
            }
        }

        if (e.Error != SipSyntaxError.None)
        {
            var reason = e.Error == SipSyntaxError.UnterminatedQuotedString ? SipHeaderError.UnterminatedQuotedString : SipHeaderError.InvalidParameter;
            rejection = new SipHeaderRejection(reason, start + e.ErrorOffset, SyntaxError: e.Error);
            return false;
        }

        rejection = SipHeaderRejection.None;
        return true;
    }

    // via-received = "received" EQUAL (IPv4address / IPv6address); RFC 5118 §4.5 asks receivers to also accept an
    // IPv6 reference (with brackets), which many implementations send.
    private static bool IsReceivedAddress(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        if (value[0] == (byte)'[')
        {
            return SipHost.Classify(value) == SipHostKind.IPv6;
        }

        return SipHost.IsIPv4Address(value) || SipHost.IsIPv6Address(value);
    }

    private struct Layout
    {
        public int NameStart;
        public int NameLength;
        public int VersionStart;
        public int VersionLength;
        public int TransportStart;
        public int TransportLength;
        public int HostStart;
        public int HostLength;
        public int SentByEnd;
        public int Port;
        public int ParamsStart;
        public SipHostKind HostKind;
        public byte Flags;
        public int BranchStart;
        public int BranchLength;
        public int ReceivedStart;
        public int ReceivedLength;
        public int Rport;
    }
}
