namespace Routing.Sip.Sdp;

/// <summary>One media description: the m= line and the i=, c=, b=, k=, a= lines after it (RFC 8866 §5.14).</summary>
public sealed class SdpMediaDescription
{
    internal SdpMediaDescription(List<SdpLine> lines)
    {
        LineList = lines;
    }

    internal List<SdpLine> LineList { get; }

    internal SdpSession? Session { get; set; }

    /// <summary>The lines, m= first.</summary>
    public IReadOnlyList<SdpLine> Lines => LineList;

    /// <summary>The parsed m= line.</summary>
    public SdpMediaLine MediaLine =>
        SdpMediaLine.TryParse(LineList[0].Text, out var media) ? media : throw new InvalidOperationException("m= was validated at parse.");

    /// <summary>Media type, e.g. "audio".</summary>
    public string MediaType => MediaLine.Media;

    /// <summary>Transport port; 0 marks a rejected or disabled stream (RFC 3264 §6, §8.2).</summary>
    public int Port => MediaLine.Port;

    /// <summary>Transport protocol, e.g. "RTP/AVP" or "UDP/TLS/RTP/SAVPF".</summary>
    public string Protocol => MediaLine.Protocol;

    /// <summary>The fmt list (payload types for RTP).</summary>
    public IReadOnlyList<string> Formats => MediaLine.Formats;

    /// <summary>True when the port is 0.</summary>
    public bool IsRejected => Port == 0;

    /// <summary>Media-level c= lines (more than one only for layered multicast).</summary>
    public IReadOnlyList<SdpConnection> Connections
    {
        get
        {
            var result = new List<SdpConnection>(1);
            foreach (var line in LineList)
            {
                if (line.Type == 'c' && SdpConnection.TryParse(line.Text, out var connection))
                {
                    result.Add(connection);
                }
            }

            return result;
        }
    }

    /// <summary>The connection in effect: the first media-level c=, else the session-level one (RFC 8866 §5.7).</summary>
    public SdpConnection? EffectiveConnection => Connections.Count > 0 ? Connections[0] : Session?.Connection;

    /// <summary>Media-level i=, or null.</summary>
    public string? Information => SdpSession.Find(LineList, 'i')?.Text;

    /// <summary>Media-level b= lines.</summary>
    public IReadOnlyList<SdpBandwidth> Bandwidths => SdpSession.Bandwidth(LineList);

    /// <summary>Media-level attributes in order.</summary>
    public IReadOnlyList<SdpAttribute> Attributes => SdpAttributeList.All(LineList);

    /// <summary>The first attribute of that name, or null.</summary>
    public SdpAttribute? GetAttribute(string name) => SdpAttributeList.First(LineList, name);

    /// <summary>All attributes of that name.</summary>
    public IReadOnlyList<SdpAttribute> GetAttributes(string name) => SdpAttributeList.Named(LineList, name);

    /// <summary>The media-level direction attribute, or null.</summary>
    public SdpDirection? Direction => SdpAttributeList.Direction(LineList);

    /// <summary>Direction in effect: media level, else session level, else sendrecv (RFC 8866 §6.7).</summary>
    public SdpDirection EffectiveDirection => Direction ?? Session?.Direction ?? SdpDirection.SendRecv;

    /// <summary>a=rtpmap lines that parse.</summary>
    public IReadOnlyList<SdpRtpMap> RtpMaps => SdpAttributeList.Parse<SdpRtpMap>(LineList, "rtpmap", SdpRtpMap.TryParse);

    /// <summary>a=fmtp lines that parse.</summary>
    public IReadOnlyList<SdpFmtp> Fmtps => SdpAttributeList.Parse<SdpFmtp>(LineList, "fmtp", SdpFmtp.TryParse);

    /// <summary>a=rtcp-fb lines that parse.</summary>
    public IReadOnlyList<SdpRtcpFeedback> RtcpFeedback => SdpAttributeList.Parse<SdpRtcpFeedback>(LineList, "rtcp-fb", SdpRtcpFeedback.TryParse);

    /// <summary>a=crypto lines that parse (RFC 4568).</summary>
    public IReadOnlyList<SdpCrypto> Cryptos => SdpAttributeList.Parse<SdpCrypto>(LineList, "crypto", SdpCrypto.TryParse);

    /// <summary>Media-level a=fingerprint lines (RFC 8122).</summary>
    public IReadOnlyList<SdpFingerprint> Fingerprints => SdpAttributeList.Parse<SdpFingerprint>(LineList, "fingerprint", SdpFingerprint.TryParse);

    /// <summary>Fingerprints in effect: media level, else session level (RFC 8122 §5).</summary>
    public IReadOnlyList<SdpFingerprint> EffectiveFingerprints =>
        Fingerprints is { Count: > 0 } own ? own : Session?.Fingerprints ?? [];

    /// <summary>Media-level a=setup, else session level, or null (RFC 4145 §4).</summary>
    public SdpSetup? Setup =>
        SdpSetups.TryParse(SdpAttributeList.First(LineList, "setup")?.Value, out var setup) ? setup : Session?.Setup;

    /// <summary>a=ice-ufrag, media level else session level (RFC 8839 §5.4).</summary>
    public string? IceUfrag => SdpAttributeList.First(LineList, "ice-ufrag")?.Value ?? Session?.IceUfrag;

    /// <summary>a=ice-pwd, media level else session level (RFC 8839 §5.4).</summary>
    public string? IcePwd => SdpAttributeList.First(LineList, "ice-pwd")?.Value ?? Session?.IcePwd;

    /// <summary>a=ice-options tokens, media level else session level (RFC 8839 §5.6).</summary>
    public IReadOnlyList<string> IceOptions =>
        SdpAttributeList.First(LineList, "ice-options") is { } own ? Tokens(own.Value) : Session?.IceOptions ?? [];

    /// <summary>a=candidate lines that parse (RFC 8839 §5.1).</summary>
    public IReadOnlyList<SdpCandidate> Candidates => SdpAttributeList.Parse<SdpCandidate>(LineList, "candidate", SdpCandidate.TryParse);

    /// <summary>a=end-of-candidates present (RFC 8840 §8.2).</summary>
    public bool EndOfCandidates => SdpAttributeList.First(LineList, "end-of-candidates") is not null;

    /// <summary>a=rtcp (RFC 3605), or null.</summary>
    public SdpRtcp? Rtcp =>
        SdpAttributeList.First(LineList, "rtcp") is { Value: { } value } && SdpRtcp.TryParse(value, out var rtcp) ? rtcp : null;

    /// <summary>a=rtcp-mux present (RFC 5761 §5.1.1).</summary>
    public bool RtcpMux => SdpAttributeList.First(LineList, "rtcp-mux") is not null;

    /// <summary>a=mid (RFC 5888 §4), or null.</summary>
    public string? Mid => SdpAttributeList.First(LineList, "mid")?.Value;

    /// <summary>a=ssrc lines (RFC 5576).</summary>
    public IReadOnlyList<SdpSsrc> Ssrcs => SdpAttributeList.Parse<SdpSsrc>(LineList, "ssrc", SdpSsrc.TryParse);

    /// <summary>a=extmap lines (RFC 8285).</summary>
    public IReadOnlyList<SdpExtmap> Extmaps => SdpAttributeList.Parse<SdpExtmap>(LineList, "extmap", SdpExtmap.TryParse);

    /// <summary>a=ptime in milliseconds (RFC 8866 §6.4), or null.</summary>
    public decimal? Ptime => Decimal(SdpAttributeList.First(LineList, "ptime")?.Value);

    /// <summary>a=maxptime in milliseconds (RFC 8866 §6.5), or null.</summary>
    public decimal? MaxPtime => Decimal(SdpAttributeList.First(LineList, "maxptime")?.Value);

    /// <summary>The rtpmap of a payload type: a=rtpmap, else the RFC 3551 static assignment, else null.</summary>
    public SdpRtpMap? GetRtpMap(int payloadType)
    {
        foreach (var map in RtpMaps)
        {
            if (map.PayloadType == payloadType)
            {
                return map;
            }
        }

        return SdpRtpMap.Static(payloadType);
    }

    /// <summary>The a=fmtp of a format, or null.</summary>
    public SdpFmtp? GetFmtp(string format)
    {
        foreach (var fmtp in Fmtps)
        {
            if (fmtp.Format == format)
            {
                return fmtp;
            }
        }

        return null;
    }

    /// <summary>Sets the m= port (keeping a port count) and, when given, the a=rtcp port if that attribute is present.</summary>
    public void SetPort(int port, int? rtcpPort = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (rtcpPort is { } checkedRtcpPort)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(checkedRtcpPort, nameof(rtcpPort));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(checkedRtcpPort, 65535, nameof(rtcpPort));
        }

        SdpSession.Replace(LineList, 0, 'm', (MediaLine with { Port = port }).Format());
        if (rtcpPort is { } rp && Rtcp is { } rtcp)
        {
            ReplaceRtcp(rtcp with { Port = rp });
        }
    }

    /// <summary>Rewrites (or adds) a=rtcp with a port and optionally an address (RFC 3605 §2.1).</summary>
    public void SetRtcp(int port, string? address = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (address is not null)
        {
            SdpSession.CheckAddress(address);
        }

        var rtcp = new SdpRtcp(port, address is null ? null : SdpConnection.ForAddress(address));
        if (Rtcp is not null)
        {
            ReplaceRtcp(rtcp);
        }
        else
        {
            LineList.Add(new SdpLine('a', "rtcp:" + rtcp.Format(), NewLineEnding));
        }
    }

    /// <summary>
    /// Sets the media-level connection address: rewrites c= lines, or inserts one after m=/i= when there is none,
    /// and rewrites the address of a=rtcp when it carries one.
    /// </summary>
    public void SetConnectionAddress(string address)
    {
        SdpSession.CheckAddress(address);
        if (SdpSession.RewriteConnections(LineList, address) == 0)
        {
            // RFC 8866 §5: c= follows m= and the optional i=.
            var index = LineList.Count > 1 && LineList[1].Type == 'i' ? 2 : 1;
            LineList.Insert(index, new SdpLine('c', SdpConnection.ForAddress(address).Format(), NewLineEnding));
        }

        RewriteRtcpAddress(address);
    }

    /// <summary>Removes every a=<paramref name="name"/> line of this media description; returns how many.</summary>
    public int RemoveAttributes(string name) => SdpSession.RemoveAttributes(LineList, name);

    /// <summary>Appends an attribute at the end of this media description.</summary>
    public void AddAttribute(string name, string? value = null) => LineList.Add(SdpSession.AttributeLine(name, value, NewLineEnding));

    /// <summary>Replaces the transport protocol of the m= line, e.g. RTP/AVP to RTP/SAVP when bridging to SRTP.</summary>
    public void SetProtocol(string protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var candidate = MediaLine with { Protocol = protocol };
        if (!SdpMediaLine.IsProtocol(protocol))
        {
            throw new ArgumentException("Not an SDP proto (token *(\"/\" token), RFC 8866 §9).", nameof(protocol));
        }

        SdpSession.Replace(LineList, 0, 'm', candidate.Format());
    }

    /// <summary>Sets the media-level direction: replaces the first one in place, drops the rest, or appends one.</summary>
    public void SetDirection(SdpDirection direction) => SdpSession.SetDirection(LineList, direction, NewLineEnding);

    /// <summary>
    /// Removes payload types from the m= line together with their a=rtpmap, a=fmtp and a=rtcp-fb lines. Removing every
    /// format is refused (RFC 8866 §5.14 needs one); returns how many were removed.
    /// </summary>
    public int RemovePayloadTypes(IReadOnlyCollection<string> formats)
    {
        ArgumentNullException.ThrowIfNull(formats);
        var media = MediaLine;
        var kept = new List<string>(media.Formats.Count);
        foreach (var format in media.Formats)
        {
            if (!Contains(formats, format, StringComparison.Ordinal))
            {
                kept.Add(format);
            }
        }

        var removed = media.Formats.Count - kept.Count;
        if (removed == 0 || kept.Count == 0)
        {
            return 0;
        }

        SdpSession.Replace(LineList, 0, 'm', (media with { Formats = kept }).Format());
        for (var i = LineList.Count - 1; i > 0; i--)
        {
            if (FormatOfAttribute(LineList[i]) is { } format && Contains(formats, format, StringComparison.Ordinal))
            {
                LineList.RemoveAt(i);
            }
        }

        return removed;
    }

    internal int FilterCodecs(IReadOnlyCollection<string> allowedEncodings, bool keepTelephoneEvent)
    {
        var media = MediaLine;
        if (!media.IsRtp)
        {
            return 0;
        }

        // Parsed once: looking each format up through GetRtpMap would re-read every a=rtpmap per format.
        var maps = RtpMaps;
        SdpRtpMap? MapOf(string format)
        {
            if (!SdpText.TryParseInt32(format, 127, out var pt))
            {
                return null;
            }

            foreach (var map in maps)
            {
                if (map.PayloadType == pt)
                {
                    return map;
                }
            }

            return SdpRtpMap.Static(pt);
        }

        var remove = new HashSet<string>(StringComparer.Ordinal);
        var codecsLeft = 0;
        foreach (var format in media.Formats)
        {
            var name = MapOf(format)?.EncodingName;
            if (name is not null && name.Equals("telephone-event", StringComparison.OrdinalIgnoreCase))
            {
                if (!keepTelephoneEvent && !Contains(allowedEncodings, name))
                {
                    remove.Add(format);
                }
            }
            else if (name is not null && name.Equals("rtx", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 4588 §8.1: decided below from the apt it repairs.
            }
            else if (name is null || !Contains(allowedEncodings, name))
            {
                remove.Add(format);
            }
            else
            {
                codecsLeft++;
            }
        }

        foreach (var format in media.Formats)
        {
            if (MapOf(format)?.EncodingName.Equals("rtx", StringComparison.OrdinalIgnoreCase) == true
                && (!Contains(allowedEncodings, "rtx") || GetFmtp(format)?.GetParameter("apt") is not { } apt || remove.Contains(apt)))
            {
                remove.Add(format);
            }
        }

        if (codecsLeft == 0)
        {
            // RFC 3264 §6: reject the stream with port 0; the format list stays as it was.
            if (media.Port != 0)
            {
                SetPort(0);
            }

            return 0;
        }

        return remove.Count == 0 ? 0 : RemovePayloadTypes(remove);
    }

    internal int RewriteRtcpAddress(string address)
    {
        if (Rtcp is { Connection: not null } rtcp)
        {
            ReplaceRtcp(rtcp with { Connection = SdpConnection.ForAddress(address) });
            return 1;
        }

        return 0;
    }

    internal static List<string> Tokens(string? value)
    {
        var result = new List<string>();
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf(' ');
            var token = space < 0 ? rest : rest[..space];
            if (!token.IsEmpty)
            {
                result.Add(token.ToString());
            }

            rest = space < 0 ? default : rest[(space + 1)..];
        }

        return result;
    }

    private SdpLineEnding NewLineEnding => Session?.NewLineEnding ?? SdpLineEnding.CrLf;

    private void ReplaceRtcp(SdpRtcp rtcp)
    {
        var index = LineList.FindIndex(l => SdpAttributeList.IsNamed(l, "rtcp"));
        SdpSession.Replace(LineList, index, 'a', "rtcp:" + rtcp.Format());
    }

    // a=rtpmap:<pt> ..., a=fmtp:<fmt> ..., a=rtcp-fb:<pt> ... name the format they belong to.
    private static string? FormatOfAttribute(SdpLine line)
    {
        if (!SdpAttributeList.IsNamed(line, "rtpmap") && !SdpAttributeList.IsNamed(line, "fmtp")
            && !SdpAttributeList.IsNamed(line, "rtcp-fb"))
        {
            return null;
        }

        var text = line.Text.AsSpan();
        var colon = text.IndexOf(':');
        var rest = text[(colon + 1)..];
        var space = rest.IndexOf(' ');
        return (space < 0 ? rest : rest[..space]).ToString();
    }

    private static bool Contains(IReadOnlyCollection<string> names, string name, StringComparison comparison = StringComparison.OrdinalIgnoreCase)
    {
        foreach (var candidate in names)
        {
            if (candidate.Equals(name, comparison))
            {
                return true;
            }
        }

        return false;
    }

    private static decimal? Decimal(string? value) =>
        value is not null && decimal.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var d)
            ? d
            : null;
}
