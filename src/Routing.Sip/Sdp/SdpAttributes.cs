using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Routing.Sip.Sdp;

/// <summary>An "a=" line split into att-field and att-value (RFC 8866 §5.13); Value is null for a property attribute.</summary>
public sealed record SdpAttribute(string Name, string? Value, SdpLine Line)
{
    internal static SdpAttribute From(SdpLine line)
    {
        var text = line.Text;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? new SdpAttribute(text, null, line)
            : new SdpAttribute(text[..colon], text[(colon + 1)..], line);
    }
}

/// <summary>Media direction (RFC 8866 §6.7, RFC 3264 §5.1, §6.1).</summary>
public enum SdpDirection : byte
{
    /// <summary>a=sendrecv, the default when none is given.</summary>
    SendRecv,
    /// <summary>a=sendonly.</summary>
    SendOnly,
    /// <summary>a=recvonly.</summary>
    RecvOnly,
    /// <summary>a=inactive.</summary>
    Inactive,
}

/// <summary>Direction attribute names.</summary>
public static class SdpDirections
{
    /// <summary>The attribute name for <paramref name="direction"/>.</summary>
    public static string ToName(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>Maps an attribute name to a direction.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out SdpDirection direction)
    {
        switch (name)
        {
            case "sendrecv":
                direction = SdpDirection.SendRecv;
                return true;
            case "sendonly":
                direction = SdpDirection.SendOnly;
                return true;
            case "recvonly":
                direction = SdpDirection.RecvOnly;
                return true;
            case "inactive":
                direction = SdpDirection.Inactive;
                return true;
            default:
                direction = SdpDirection.SendRecv;
                return false;
        }
    }

    /// <summary>The direction an answerer mirrors for an offered direction (RFC 3264 §6.1).</summary>
    public static SdpDirection Reverse(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => SdpDirection.RecvOnly,
        SdpDirection.RecvOnly => SdpDirection.SendOnly,
        _ => direction,
    };
}

/// <summary>a=rtpmap (RFC 8866 §6.6): payload type, encoding name, clock rate, optional encoding parameters (channels).</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, string? EncodingParameters = null)
{
    /// <summary>Parses the att-value of a=rtpmap.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpRtpMap? rtpMap)
    {
        rtpMap = null;
        var space = value.IndexOf(' ');
        if (space < 0 || !SdpText.TryParseInt32(value[..space], 127, out var pt))
        {
            return false;
        }

        var encoding = value[(space + 1)..];
        var slash = encoding.IndexOf('/');
        if (slash <= 0 || !SdpText.IsToken(encoding[..slash]))
        {
            return false;
        }

        var rateAndParameters = encoding[(slash + 1)..];
        var second = rateAndParameters.IndexOf('/');
        var rate = second < 0 ? rateAndParameters : rateAndParameters[..second];
        if (!SdpText.TryParseInt32(rate, int.MaxValue, out var clockRate))
        {
            return false;
        }

        string? parameters = null;
        if (second >= 0)
        {
            var p = rateAndParameters[(second + 1)..];
            if (!SdpText.IsToken(p))
            {
                return false;
            }

            parameters = p.ToString();
        }

        rtpMap = new SdpRtpMap(pt, encoding[..slash].ToString(), clockRate, parameters);
        return true;
    }

    /// <summary>The att-value, e.g. "111 opus/48000/2".</summary>
    public string Format() =>
        $"{SdpText.Format(PayloadType)} {EncodingName}/{SdpText.Format(ClockRate)}" + (EncodingParameters is null ? string.Empty : "/" + EncodingParameters);

    /// <summary>RFC 3551 §6 static payload types, used when an m= line lists one without a=rtpmap.</summary>
    public static SdpRtpMap? Static(int payloadType) => payloadType switch
    {
        0 => new(0, "PCMU", 8000, "1"),
        3 => new(3, "GSM", 8000, "1"),
        4 => new(4, "G723", 8000, "1"),
        5 => new(5, "DVI4", 8000, "1"),
        6 => new(6, "DVI4", 16000, "1"),
        7 => new(7, "LPC", 8000, "1"),
        8 => new(8, "PCMA", 8000, "1"),
        9 => new(9, "G722", 8000, "1"),
        10 => new(10, "L16", 44100, "2"),
        11 => new(11, "L16", 44100, "1"),
        12 => new(12, "QCELP", 8000, "1"),
        13 => new(13, "CN", 8000, "1"),
        14 => new(14, "MPA", 90000),
        15 => new(15, "G728", 8000, "1"),
        16 => new(16, "DVI4", 11025, "1"),
        17 => new(17, "DVI4", 22050, "1"),
        18 => new(18, "G729", 8000, "1"),
        25 => new(25, "CelB", 90000),
        26 => new(26, "JPEG", 90000),
        28 => new(28, "nv", 90000),
        31 => new(31, "H261", 90000),
        32 => new(32, "MPV", 90000),
        33 => new(33, "MP2T", 90000),
        34 => new(34, "H263", 90000),
        _ => null,
    };
}

/// <summary>a=fmtp (RFC 8866 §6.15): format and its format-specific parameters, kept as text.</summary>
public sealed record SdpFmtp(string Format, string Parameters)
{
    /// <summary>The payload type when the format is numeric.</summary>
    public int? PayloadType => SdpText.TryParseInt32(Format, 127, out var pt) ? pt : null;

    /// <summary>Parses the att-value of a=fmtp.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpFmtp? fmtp)
    {
        fmtp = null;
        var space = value.IndexOf(' ');
        var format = space < 0 ? value : value[..space];
        if (!SdpText.IsToken(format))
        {
            return false;
        }

        fmtp = new SdpFmtp(format.ToString(), space < 0 ? string.Empty : value[(space + 1)..].ToString());
        return true;
    }

    /// <summary>The value of a "name=value" parameter in a ';'-separated list (e.g. "apt" of RTX, RFC 4588 §8.1).</summary>
    public string? GetParameter(string name)
    {
        var rest = Parameters.AsSpan();
        while (!rest.IsEmpty)
        {
            var semicolon = rest.IndexOf(';');
            var item = (semicolon < 0 ? rest : rest[..semicolon]).Trim(' ');
            var equals = item.IndexOf('=');
            if (equals > 0 && item[..equals].Trim(' ').Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return item[(equals + 1)..].Trim(' ').ToString();
            }

            rest = semicolon < 0 ? default : rest[(semicolon + 1)..];
        }

        return null;
    }
}

/// <summary>a=rtcp-fb (RFC 4585 §4.2): format ("*" or a payload type) and the feedback type with its parameters.</summary>
public sealed record SdpRtcpFeedback(string Format, string Feedback)
{
    /// <summary>Parses the att-value of a=rtcp-fb.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpRtcpFeedback? feedback)
    {
        feedback = null;
        var space = value.IndexOf(' ');
        if (space <= 0 || space == value.Length - 1)
        {
            return false;
        }

        feedback = new SdpRtcpFeedback(value[..space].ToString(), value[(space + 1)..].ToString());
        return true;
    }
}

/// <summary>a=setup (RFC 4145 §4).</summary>
public enum SdpSetup : byte
{
    /// <summary>The endpoint initiates the connection (DTLS client).</summary>
    Active,
    /// <summary>The endpoint accepts the connection.</summary>
    Passive,
    /// <summary>Either; the offerer's usual choice (RFC 5763 §5).</summary>
    ActPass,
    /// <summary>No connection for now.</summary>
    HoldConn,
}

/// <summary>a=setup values.</summary>
public static class SdpSetups
{
    /// <summary>Parses the att-value of a=setup.</summary>
    public static bool TryParse(string? value, out SdpSetup setup)
    {
        switch (value)
        {
            case "active":
                setup = SdpSetup.Active;
                return true;
            case "passive":
                setup = SdpSetup.Passive;
                return true;
            case "actpass":
                setup = SdpSetup.ActPass;
                return true;
            case "holdconn":
                setup = SdpSetup.HoldConn;
                return true;
            default:
                setup = SdpSetup.ActPass;
                return false;
        }
    }

    /// <summary>The att-value for <paramref name="setup"/>.</summary>
    public static string ToValue(SdpSetup setup) => setup switch
    {
        SdpSetup.Active => "active",
        SdpSetup.Passive => "passive",
        SdpSetup.ActPass => "actpass",
        _ => "holdconn",
    };
}

/// <summary>a=fingerprint (RFC 8122 §5): hash function and the certificate fingerprint.</summary>
public sealed record SdpFingerprint(string HashFunction, string Value)
{
    /// <summary>The fingerprint bytes (the hex pairs without ':').</summary>
    public byte[] GetBytes()
    {
        var bytes = new byte[(Value.Length + 1) / 3];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = Convert.FromHexString(Value.AsSpan(i * 3, 2))[0];
        }

        return bytes;
    }

    /// <summary>Parses the att-value of a=fingerprint; the value is 2UHEX *(":" 2UHEX), lower case accepted.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpFingerprint? fingerprint)
    {
        fingerprint = null;
        var space = value.IndexOf(' ');
        if (space <= 0 || !SdpText.IsToken(value[..space]))
        {
            return false;
        }

        var hex = value[(space + 1)..];
        if (hex.Length < 2 || (hex.Length + 1) % 3 != 0)
        {
            return false;
        }

        for (var i = 0; i < hex.Length; i++)
        {
            var ok = i % 3 == 2 ? hex[i] == ':' : char.IsAsciiHexDigit(hex[i]);
            if (!ok)
            {
                return false;
            }
        }

        fingerprint = new SdpFingerprint(value[..space].ToString(), hex.ToString());
        return true;
    }

    /// <summary>The att-value.</summary>
    public string Format() => HashFunction + " " + Value;
}

/// <summary>One key-param of a=crypto (RFC 4568 §9.2); for "inline": key||salt (base64), lifetime, MKI and its length.</summary>
public sealed record SdpCryptoKey(string Method, string KeyInfo, string? KeySalt, string? Lifetime, string? Mki, int? MkiLength)
{
    /// <summary>Lifetime in packets: "2^20" is 1048576; null when absent or too large.</summary>
    public ulong? LifetimePackets
    {
        get
        {
            if (Lifetime is null)
            {
                return null;
            }

            if (Lifetime.StartsWith("2^", StringComparison.Ordinal))
            {
                return SdpText.TryParseInt32(Lifetime.AsSpan(2), 63, out var exponent) ? 1UL << exponent : null;
            }

            return SdpText.TryParseUInt64(Lifetime, out var packets) ? packets : null;
        }
    }

    internal static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpCryptoKey? key)
    {
        key = null;
        var colon = value.IndexOf(':');
        if (colon <= 0 || colon == value.Length - 1 || !SdpText.IsToken(value[..colon]))
        {
            return false;
        }

        var method = value[..colon];
        var info = value[(colon + 1)..];
        if (!method.Equals("inline", StringComparison.Ordinal))
        {
            key = new SdpCryptoKey(method.ToString(), info.ToString(), null, null, null, null);
            return true;
        }

        // RFC 4568 §9.2: inline:<key||salt>["|"lifetime]["|"MKI":"length].
        var rest = info;
        var bar = rest.IndexOf('|');
        var keySalt = bar < 0 ? rest : rest[..bar];
        if (!IsBase64(keySalt))
        {
            return false;
        }

        string? lifetime = null, mki = null;
        int? mkiLength = null;
        if (bar >= 0)
        {
            rest = rest[(bar + 1)..];
            while (true)
            {
                var next = rest.IndexOf('|');
                var part = next < 0 ? rest : rest[..next];
                var mkiColon = part.IndexOf(':');
                if (mkiColon >= 0)
                {
                    if (mki is not null || !SdpText.IsDigits(part[..mkiColon])
                        || !SdpText.TryParseInt32(part[(mkiColon + 1)..], 128, out var length) || length == 0)
                    {
                        return false;
                    }

                    mki = part[..mkiColon].ToString();
                    mkiLength = length;
                }
                else
                {
                    // The lifetime, when present, comes before the MKI.
                    var digits = part.StartsWith("2^") ? part[2..] : part;
                    if (lifetime is not null || mki is not null || !SdpText.IsDigits(digits))
                    {
                        return false;
                    }

                    lifetime = part.ToString();
                }

                if (next < 0)
                {
                    break;
                }

                rest = rest[(next + 1)..];
            }
        }

        key = new SdpCryptoKey(method.ToString(), info.ToString(), keySalt.ToString(), lifetime, mki, mkiLength);
        return true;
    }

    private static bool IsBase64(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '/' and not '=')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>a=crypto (RFC 4568 §9.1): tag crypto-suite key-params *(SP session-param).</summary>
public sealed record SdpCrypto(int Tag, string Suite, IReadOnlyList<SdpCryptoKey> Keys, IReadOnlyList<string> SessionParameters)
{
    /// <summary>Parses the att-value of a=crypto.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpCrypto? crypto)
    {
        crypto = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var tagField) || !SdpText.NextField(ref rest, out var suite)
            || !SdpText.NextField(ref rest, out var keyParams))
        {
            return false;
        }

        // RFC 4568 §9.1: tag = 1*9DIGIT.
        if (tagField.Length > 9 || !SdpText.TryParseInt32(tagField, 999_999_999, out var tag) || !SdpText.IsToken(suite))
        {
            return false;
        }

        var keys = new List<SdpCryptoKey>(1);
        var keyRest = keyParams;
        while (true)
        {
            var semicolon = keyRest.IndexOf(';');
            if (!SdpCryptoKey.TryParse(semicolon < 0 ? keyRest : keyRest[..semicolon], out var key))
            {
                return false;
            }

            keys.Add(key);
            if (semicolon < 0)
            {
                break;
            }

            keyRest = keyRest[(semicolon + 1)..];
        }

        var sessionParameters = new List<string>();
        while (!rest.IsEmpty)
        {
            if (!SdpText.NextField(ref rest, out var parameter))
            {
                return false;
            }

            sessionParameters.Add(parameter.ToString());
        }

        crypto = new SdpCrypto(tag, suite.ToString(), keys, sessionParameters);
        return true;
    }

    /// <summary>The att-value.</summary>
    public string Format()
    {
        var builder = new StringBuilder(96);
        builder.Append(SdpText.Format(Tag)).Append(' ').Append(Suite).Append(' ');
        for (var i = 0; i < Keys.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(';');
            }

            builder.Append(Keys[i].Method).Append(':').Append(Keys[i].KeyInfo);
        }

        foreach (var parameter in SessionParameters)
        {
            builder.Append(' ').Append(parameter);
        }

        return builder.ToString();
    }
}

/// <summary>ICE candidate types (RFC 8839 §5.1).</summary>
public enum SdpCandidateType : byte
{
    /// <summary>typ host.</summary>
    Host,
    /// <summary>typ srflx (server reflexive).</summary>
    ServerReflexive,
    /// <summary>typ prflx (peer reflexive).</summary>
    PeerReflexive,
    /// <summary>typ relay.</summary>
    Relay,
    /// <summary>Another token; see <see cref="SdpCandidate.TypeToken"/>.</summary>
    Other,
}

/// <summary>
/// a=candidate (RFC 8839 §5.1): foundation component-id transport priority connection-address port "typ" cand-type
/// ["raddr" rel-addr] ["rport" rel-port] *(extension-att-name extension-att-value).
/// </summary>
public sealed record SdpCandidate(
    string Foundation,
    int Component,
    string Transport,
    uint Priority,
    string Address,
    int Port,
    SdpCandidateType Type,
    string TypeToken,
    string? RelatedAddress,
    int? RelatedPort,
    IReadOnlyList<KeyValuePair<string, string>> Extensions)
{
    /// <summary>The value of an extension, e.g. "generation" or "tcptype" (RFC 6544 §4.5), or null.</summary>
    public string? GetExtension(string name)
    {
        foreach (var pair in Extensions)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>Parses the att-value of a=candidate.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpCandidate? candidate)
    {
        candidate = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var foundation) || !SdpText.NextField(ref rest, out var componentField)
            || !SdpText.NextField(ref rest, out var transport) || !SdpText.NextField(ref rest, out var priorityField)
            || !SdpText.NextField(ref rest, out var address) || !SdpText.NextField(ref rest, out var portField)
            || !SdpText.NextField(ref rest, out var typ) || !SdpText.NextField(ref rest, out var typeField))
        {
            return false;
        }

        // RFC 8839 §5.1: foundation = 1*32ice-char; component-id = 1*3DIGIT; priority = 1*10DIGIT.
        if (foundation.Length > 32 || !IsIceChars(foundation)
            || componentField.Length > 3 || !SdpText.TryParseInt32(componentField, 256, out var component) || component == 0
            || !SdpText.IsToken(transport)
            || priorityField.Length > 10 || !SdpText.TryParseUInt64(priorityField, out var priority) || priority > uint.MaxValue
            || !SdpText.IsAddress(address)
            || !SdpText.TryParseInt32(portField, 65535, out var port)
            || !typ.Equals("typ", StringComparison.Ordinal) || !SdpText.IsToken(typeField))
        {
            return false;
        }

        var type = typeField switch
        {
            "host" => SdpCandidateType.Host,
            "srflx" => SdpCandidateType.ServerReflexive,
            "prflx" => SdpCandidateType.PeerReflexive,
            "relay" => SdpCandidateType.Relay,
            _ => SdpCandidateType.Other,
        };

        string? relatedAddress = null;
        int? relatedPort = null;
        var extensions = new List<KeyValuePair<string, string>>();
        while (!rest.IsEmpty)
        {
            if (!SdpText.NextField(ref rest, out var name) || !SdpText.NextField(ref rest, out var attValue))
            {
                return false;
            }

            if (name.Equals("raddr", StringComparison.Ordinal) && relatedAddress is null && extensions.Count == 0)
            {
                if (!SdpText.IsAddress(attValue))
                {
                    return false;
                }

                relatedAddress = attValue.ToString();
            }
            else if (name.Equals("rport", StringComparison.Ordinal) && relatedPort is null && extensions.Count == 0)
            {
                if (!SdpText.TryParseInt32(attValue, 65535, out var rp))
                {
                    return false;
                }

                relatedPort = rp;
            }
            else
            {
                if (!IsIceChars(name) || !SdpText.IsAddress(attValue))
                {
                    return false;
                }

                extensions.Add(new(name.ToString(), attValue.ToString()));
            }
        }

        candidate = new SdpCandidate(
            foundation.ToString(), component, transport.ToString(), (uint)priority, address.ToString(), port, type,
            typeField.ToString(), relatedAddress, relatedPort, extensions);
        return true;
    }

    /// <summary>The att-value.</summary>
    public string Format()
    {
        var builder = new StringBuilder(96);
        builder.Append(Foundation).Append(' ').Append(SdpText.Format(Component)).Append(' ').Append(Transport).Append(' ')
            .Append(SdpText.Format(Priority)).Append(' ').Append(Address).Append(' ').Append(SdpText.Format(Port))
            .Append(" typ ").Append(TypeToken);
        if (RelatedAddress is not null)
        {
            builder.Append(" raddr ").Append(RelatedAddress);
        }

        if (RelatedPort is { } relatedPort)
        {
            builder.Append(" rport ").Append(SdpText.Format(relatedPort));
        }

        foreach (var pair in Extensions)
        {
            builder.Append(' ').Append(pair.Key).Append(' ').Append(pair.Value);
        }

        return builder.ToString();
    }

    // RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/".
    private static bool IsIceChars(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '/' and not '-' and not '_' and not '.')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>a=rtcp (RFC 3605 §2.1): port [nettype addrtype connection-address].</summary>
public sealed record SdpRtcp(int Port, SdpConnection? Connection = null)
{
    /// <summary>Parses the att-value of a=rtcp.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpRtcp? rtcp)
    {
        rtcp = null;
        var space = value.IndexOf(' ');
        if (!SdpText.TryParseInt32(space < 0 ? value : value[..space], 65535, out var port))
        {
            return false;
        }

        SdpConnection? connection = null;
        if (space >= 0 && !SdpConnection.TryParse(value[(space + 1)..], out connection))
        {
            return false;
        }

        rtcp = new SdpRtcp(port, connection);
        return true;
    }

    /// <summary>The att-value.</summary>
    public string Format() => Connection is null ? SdpText.Format(Port) : SdpText.Format(Port) + " " + Connection.Format();
}

/// <summary>a=extmap (RFC 8285 §7): id["/"direction] URI [extension attributes].</summary>
public sealed record SdpExtmap(int Id, SdpDirection? Direction, string Uri, string? Attributes)
{
    /// <summary>Parses the att-value of a=extmap.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpExtmap? extmap)
    {
        extmap = null;
        var rest = value;
        if (!SdpText.NextField(ref rest, out var idField) || !SdpText.NextField(ref rest, out var uri))
        {
            return false;
        }

        SdpDirection? direction = null;
        var slash = idField.IndexOf('/');
        if (!SdpText.TryParseInt32(slash < 0 ? idField : idField[..slash], 4095, out var id) || id == 0)
        {
            return false;
        }

        if (slash >= 0)
        {
            if (!SdpDirections.TryParse(idField[(slash + 1)..], out var d))
            {
                return false;
            }

            direction = d;
        }

        extmap = new SdpExtmap(id, direction, uri.ToString(), rest.IsEmpty ? null : rest.ToString());
        return true;
    }
}

/// <summary>a=ssrc (RFC 5576 §4.1): ssrc-id attribute[:value].</summary>
public sealed record SdpSsrc(uint Ssrc, string Attribute, string? Value)
{
    /// <summary>Parses the att-value of a=ssrc.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, [NotNullWhen(true)] out SdpSsrc? ssrc)
    {
        ssrc = null;
        var space = value.IndexOf(' ');
        if (space < 0 || !SdpText.TryParseUInt64(value[..space], out var id) || id > uint.MaxValue)
        {
            return false;
        }

        var attribute = value[(space + 1)..];
        var colon = attribute.IndexOf(':');
        var name = colon < 0 ? attribute : attribute[..colon];
        if (!SdpText.IsToken(name))
        {
            return false;
        }

        ssrc = new SdpSsrc((uint)id, name.ToString(), colon < 0 ? null : attribute[(colon + 1)..].ToString());
        return true;
    }
}
