using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Routing.Sip.Sdp;

/// <summary>"o=" (RFC 8866 §5.2): username sess-id sess-version nettype addrtype unicast-address.</summary>
public sealed record SdpOrigin(
    string Username,
    string SessionId,
    ulong SessionVersion,
    string NetworkType,
    string AddressType,
    string Address)
{
    /// <summary>Parses the value after "o=".</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpOrigin? origin) =>
        Parse(value, create: true, out origin) && origin is not null;

    /// <summary>Validates without building the value (the parser checks every line this way).</summary>
    internal static bool IsValid(ReadOnlySpan<char> value) => Parse(value, create: false, out _);

    private static bool Parse(ReadOnlySpan<char> value, bool create, out SdpOrigin? origin)
    {
        origin = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var username)
            || !SdpText.NextField(ref rest, out var sessionId)
            || !SdpText.NextField(ref rest, out var version)
            || !SdpText.NextField(ref rest, out var netType)
            || !SdpText.NextField(ref rest, out var addrType)
            || !SdpText.NextField(ref rest, out var address)
            || !rest.IsEmpty)
        {
            return false;
        }

        // RFC 8866 §5.2: sess-id and sess-version are numeric strings; the version must fit a counter we can bump.
        if (!SdpText.IsDigits(sessionId) || !SdpText.TryParseUInt64(version, out var sessionVersion)
            || !SdpText.IsToken(netType) || !SdpText.IsToken(addrType) || !SdpText.IsAddress(address))
        {
            return false;
        }

        origin = create
            ? new SdpOrigin(username.ToString(), sessionId.ToString(), sessionVersion, netType.ToString(), addrType.ToString(), address.ToString())
            : null;
        return true;
    }

    /// <summary>The value as written after "o=".</summary>
    public string Format() =>
        $"{Username} {SessionId} {SdpText.Format(SessionVersion)} {NetworkType} {AddressType} {Address}";
}

/// <summary>"c=" (RFC 8866 §5.7): nettype addrtype connection-address, with the IP4 multicast "/ttl[/count]" and IP6 "/count" forms.</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address, int? Ttl = null, int? AddressCount = null)
{
    /// <summary>"IN IP4 addr" or "IN IP6 addr" for a unicast address, the address type taken from the literal.</summary>
    public static SdpConnection ForAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new SdpConnection("IN", AddressTypeOf(address), address);
    }

    /// <summary>"IP6" when <paramref name="address"/> is an IPv6 literal, otherwise "IP4".</summary>
    public static string AddressTypeOf(string address) =>
        IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";

    /// <summary>Parses the value after "c=".</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpConnection? connection) =>
        Parse(value, create: true, out connection) && connection is not null;

    /// <summary>Validates without building the value (the parser checks every line this way).</summary>
    internal static bool IsValid(ReadOnlySpan<char> value) => Parse(value, create: false, out _);

    private static bool Parse(ReadOnlySpan<char> value, bool create, out SdpConnection? connection)
    {
        connection = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var netType)
            || !SdpText.NextField(ref rest, out var addrType)
            || !SdpText.NextField(ref rest, out var address)
            || !rest.IsEmpty
            || !SdpText.IsToken(netType) || !SdpText.IsToken(addrType))
        {
            return false;
        }

        int? ttl = null, count = null;
        var slash = address.IndexOf('/');
        var host = slash < 0 ? address : address[..slash];
        if (!SdpText.IsAddress(host))
        {
            return false;
        }

        if (slash >= 0)
        {
            var suffix = address[(slash + 1)..];
            var second = suffix.IndexOf('/');
            var first = second < 0 ? suffix : suffix[..second];
            var isIp4 = addrType.Equals("IP4", StringComparison.OrdinalIgnoreCase);
            var isIp6 = addrType.Equals("IP6", StringComparison.OrdinalIgnoreCase);
            if (isIp4)
            {
                // RFC 8866 §5.7: IP4 multicast is addr/ttl[/number]; ttl is 0..255.
                if (!SdpText.TryParseInt32(first, 255, out var t))
                {
                    return false;
                }

                ttl = t;
                if (second >= 0)
                {
                    if (!SdpText.TryParseInt32(suffix[(second + 1)..], int.MaxValue, out var n) || n == 0)
                    {
                        return false;
                    }

                    count = n;
                }
            }
            else if (isIp6)
            {
                // RFC 8866 §5.7: IP6 multicast carries no TTL, only addr/number.
                if (second >= 0 || !SdpText.TryParseInt32(first, int.MaxValue, out var n) || n == 0)
                {
                    return false;
                }

                count = n;
            }
            else
            {
                return false;
            }
        }

        if (addrType.Equals("IP4", StringComparison.OrdinalIgnoreCase) && IsIpv4Like(host)
            && !IPAddress.TryParse(host, out _))
        {
            return false;
        }

        if (addrType.Equals("IP6", StringComparison.OrdinalIgnoreCase) && host.Contains(':')
            && (!IPAddress.TryParse(host, out var ip6) || ip6.AddressFamily != AddressFamily.InterNetworkV6))
        {
            return false;
        }

        connection = create ? new SdpConnection(netType.ToString(), addrType.ToString(), host.ToString(), ttl, count) : null;
        return true;
    }

    /// <summary>The value as written after "c=".</summary>
    public string Format()
    {
        var builder = new StringBuilder(32);
        builder.Append(NetworkType).Append(' ').Append(AddressType).Append(' ').Append(Address);
        if (Ttl is { } ttl)
        {
            builder.Append('/').Append(SdpText.Format(ttl));
        }

        if (AddressCount is { } count)
        {
            builder.Append('/').Append(SdpText.Format(count));
        }

        return builder.ToString();
    }

    private static bool IsIpv4Like(ReadOnlySpan<char> host)
    {
        foreach (var c in host)
        {
            if (!char.IsAsciiDigit(c) && c != '.')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>"m=" (RFC 8866 §5.14): media port[/number] proto fmt *(SP fmt).</summary>
public sealed record SdpMediaLine(string Media, int Port, int? PortCount, string Protocol, IReadOnlyList<string> Formats)
{
    /// <summary>True for RTP profiles (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF ...), whose formats are payload types.</summary>
    public bool IsRtp => Protocol.Contains("RTP/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses the value after "m=".</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpMediaLine? media) =>
        Parse(value, create: true, out media) && media is not null;

    /// <summary>Validates without building the value (the parser checks every line this way).</summary>
    internal static bool IsValid(ReadOnlySpan<char> value) => Parse(value, create: false, out _);

    private static bool Parse(ReadOnlySpan<char> value, bool create, out SdpMediaLine? media)
    {
        media = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var mediaType)
            || !SdpText.NextField(ref rest, out var portField)
            || !SdpText.NextField(ref rest, out var proto)
            || !SdpText.IsToken(mediaType))
        {
            return false;
        }

        int? count = null;
        var slash = portField.IndexOf('/');
        if (!SdpText.TryParseInt32(slash < 0 ? portField : portField[..slash], 65535, out var port))
        {
            return false;
        }

        if (slash >= 0)
        {
            if (!SdpText.TryParseInt32(portField[(slash + 1)..], 65535, out var n) || n == 0)
            {
                return false;
            }

            count = n;
        }

        if (!IsProtocol(proto))
        {
            return false;
        }

        // RFC 8866 §5.14: at least one fmt.
        var formats = create ? new List<string>(8) : null;
        var formatCount = 0;
        while (!rest.IsEmpty)
        {
            if (!SdpText.NextField(ref rest, out var format) || !SdpText.IsToken(format))
            {
                return false;
            }

            formats?.Add(format.ToString());
            formatCount++;
        }

        if (formatCount == 0)
        {
            return false;
        }

        media = formats is null ? null : new SdpMediaLine(mediaType.ToString(), port, count, proto.ToString(), formats);
        return true;
    }

    /// <summary>RFC 8866 §9: proto = token *("/" token).</summary>
    internal static bool IsProtocol(ReadOnlySpan<char> proto)
    {
        if (proto.IsEmpty)
        {
            return false;
        }

        foreach (var part in proto.Split('/'))
        {
            if (!SdpText.IsToken(proto[part]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value as written after "m=".</summary>
    public string Format()
    {
        var builder = new StringBuilder(64);
        builder.Append(Media).Append(' ').Append(SdpText.Format(Port));
        if (PortCount is { } count)
        {
            builder.Append('/').Append(SdpText.Format(count));
        }

        builder.Append(' ').Append(Protocol);
        foreach (var format in Formats)
        {
            builder.Append(' ').Append(format);
        }

        return builder.ToString();
    }
}

/// <summary>"b=" (RFC 8866 §5.8): bwtype:bandwidth, e.g. AS:64 or TIAS:64000 (RFC 3890).</summary>
public sealed record SdpBandwidth(string Type, ulong Value)
{
    /// <summary>Parses the value after "b=".</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpBandwidth? bandwidth) =>
        Parse(value, create: true, out bandwidth) && bandwidth is not null;

    /// <summary>Validates without building the value (the parser checks every line this way).</summary>
    internal static bool IsValid(ReadOnlySpan<char> value) => Parse(value, create: false, out _);

    private static bool Parse(ReadOnlySpan<char> value, bool create, out SdpBandwidth? bandwidth)
    {
        bandwidth = null;
        var colon = value.IndexOf(':');
        if (colon < 0 || !SdpText.IsToken(value[..colon]) || !SdpText.TryParseUInt64(value[(colon + 1)..], out var bw))
        {
            return false;
        }

        bandwidth = create ? new SdpBandwidth(value[..colon].ToString(), bw) : null;
        return true;
    }

    /// <summary>The value as written after "b=".</summary>
    public string Format() => Type + ":" + SdpText.Format(Value);
}

/// <summary>"t=" (RFC 8866 §5.9): start and stop as NTP seconds; 0 0 means permanent.</summary>
public sealed record SdpTiming(ulong Start, ulong Stop)
{
    /// <summary>Parses the value after "t=".</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpTiming? timing) =>
        Parse(value, create: true, out timing) && timing is not null;

    /// <summary>Validates without building the value (the parser checks every line this way).</summary>
    internal static bool IsValid(ReadOnlySpan<char> value) => Parse(value, create: false, out _);

    private static bool Parse(ReadOnlySpan<char> value, bool create, out SdpTiming? timing)
    {
        timing = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var start) || !SdpText.NextField(ref rest, out var stop) || !rest.IsEmpty
            || !SdpText.TryParseUInt64(start, out var startValue) || !SdpText.TryParseUInt64(stop, out var stopValue))
        {
            return false;
        }

        timing = create ? new SdpTiming(startValue, stopValue) : null;
        return true;
    }
}
