using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Routing.Sip.Sdp;

/// <summary>
/// A parsed session description (RFC 8866). It is a list of lines that keep their received bytes, so writing an
/// untouched session reproduces the input exactly; typed views (<see cref="Origin"/>, <see cref="Connection"/>, ...) are
/// read from the lines on demand. Edits replace only the lines they change. Not thread-safe: one owner edits at a time.
/// </summary>
public sealed class SdpSession
{
    private readonly List<SdpLine> _lines;
    private readonly List<SdpMediaDescription> _media;

    internal SdpSession(List<SdpLine> lines, List<SdpMediaDescription> media, ReadOnlyMemory<byte> trailer)
    {
        _lines = lines;
        _media = media;
        Trailer = trailer;
        foreach (var description in media)
        {
            description.Session = this;
        }
    }

    /// <summary>Parses <paramref name="sdp"/>; see <see cref="SdpParser.TryParse"/>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> sdp, [NotNullWhen(true)] out SdpSession? session, out SdpParseError error) =>
        SdpParser.TryParse(sdp, out session, out error);

    /// <summary>Parses text (UTF-8 encoded first).</summary>
    public static bool TryParse(string sdp, [NotNullWhen(true)] out SdpSession? session, out SdpParseError error) =>
        SdpParser.TryParse(Encoding.UTF8.GetBytes(sdp ?? string.Empty), out session, out error);

    /// <summary>Session-level lines, v= first, in received order.</summary>
    public IReadOnlyList<SdpLine> Lines => _lines;

    /// <summary>Media descriptions in order.</summary>
    public IReadOnlyList<SdpMediaDescription> Media => _media;

    /// <summary>Empty lines received after the last line, written back unchanged.</summary>
    public ReadOnlyMemory<byte> Trailer { get; }

    /// <summary>The line end used for lines added by edits: that of the v= line (CRLF when it had none).</summary>
    public SdpLineEnding NewLineEnding => _lines[0].Ending == SdpLineEnding.None ? SdpLineEnding.CrLf : _lines[0].Ending;

    /// <summary>o= (always present after a successful parse).</summary>
    public SdpOrigin Origin =>
        SdpOrigin.TryParse(Find(_lines, 'o')!.Text, out var origin) ? origin : throw new InvalidOperationException("o= was validated at parse.");

    /// <summary>s=.</summary>
    public string SessionName => Find(_lines, 's')!.Text;

    /// <summary>Session-level i=, or null.</summary>
    public string? Information => Find(_lines, 'i')?.Text;

    /// <summary>u=, or null.</summary>
    public string? Uri => Find(_lines, 'u')?.Text;

    /// <summary>e= lines.</summary>
    public IReadOnlyList<string> Emails => Texts(_lines, 'e');

    /// <summary>p= lines.</summary>
    public IReadOnlyList<string> Phones => Texts(_lines, 'p');

    /// <summary>Session-level c=, or null.</summary>
    public SdpConnection? Connection =>
        Find(_lines, 'c') is { } line && SdpConnection.TryParse(line.Text, out var connection) ? connection : null;

    /// <summary>Session-level b= lines.</summary>
    public IReadOnlyList<SdpBandwidth> Bandwidths => Bandwidth(_lines);

    /// <summary>t= lines.</summary>
    public IReadOnlyList<SdpTiming> Timings
    {
        get
        {
            var result = new List<SdpTiming>(1);
            foreach (var line in _lines)
            {
                if (line.Type == 't' && SdpTiming.TryParse(line.Text, out var timing))
                {
                    result.Add(timing);
                }
            }

            return result;
        }
    }

    /// <summary>Session-level attributes in order.</summary>
    public IReadOnlyList<SdpAttribute> Attributes => SdpAttributeList.All(_lines);

    /// <summary>The session-level direction attribute, or null when none is given (RFC 8866 §6.7).</summary>
    public SdpDirection? Direction => SdpAttributeList.Direction(_lines);

    /// <summary>Session-level a=ice-ufrag (RFC 8839 §5.4).</summary>
    public string? IceUfrag => SdpAttributeList.First(_lines, "ice-ufrag")?.Value;

    /// <summary>Session-level a=ice-pwd (RFC 8839 §5.4).</summary>
    public string? IcePwd => SdpAttributeList.First(_lines, "ice-pwd")?.Value;

    /// <summary>a=ice-lite (RFC 8839 §5.3), session level only.</summary>
    public bool IceLite => SdpAttributeList.First(_lines, "ice-lite") is not null;

    /// <summary>Session-level a=ice-options tokens (RFC 8839 §5.6).</summary>
    public IReadOnlyList<string> IceOptions => SdpMediaDescription.Tokens(SdpAttributeList.First(_lines, "ice-options")?.Value);

    /// <summary>Session-level a=fingerprint lines (RFC 8122 §5).</summary>
    public IReadOnlyList<SdpFingerprint> Fingerprints => SdpAttributeList.Parse<SdpFingerprint>(_lines, "fingerprint", SdpFingerprint.TryParse);

    /// <summary>Session-level a=setup (RFC 4145 §4), or null.</summary>
    public SdpSetup? Setup => SdpSetups.TryParse(SdpAttributeList.First(_lines, "setup")?.Value, out var setup) ? setup : null;

    /// <summary>The first session-level attribute of that name, or null.</summary>
    public SdpAttribute? GetAttribute(string name) => SdpAttributeList.First(_lines, name);

    /// <summary>All session-level attributes of that name.</summary>
    public IReadOnlyList<SdpAttribute> GetAttributes(string name) => SdpAttributeList.Named(_lines, name);

    /// <summary>Bytes <see cref="WriteTo(Span{byte})"/> writes.</summary>
    public int GetByteCount()
    {
        var total = Trailer.Length;
        var last = LastLine();
        foreach (var line in EnumerateLines())
        {
            total += line.GetByteCount(EndingFor(line, last));
        }

        return total;
    }

    /// <summary>Writes the description; returns the bytes written. The destination must hold <see cref="GetByteCount"/>.</summary>
    public int WriteTo(Span<byte> destination)
    {
        var position = 0;
        var last = LastLine();
        foreach (var line in EnumerateLines())
        {
            destination[position++] = (byte)line.Type;
            destination[position++] = (byte)'=';
            line.Value.Span.CopyTo(destination[position..]);
            position += line.Value.Length;
            switch (EndingFor(line, last))
            {
                case SdpLineEnding.CrLf:
                    destination[position++] = (byte)'\r';
                    destination[position++] = (byte)'\n';
                    break;
                case SdpLineEnding.Lf:
                    destination[position++] = (byte)'\n';
                    break;
            }
        }

        Trailer.Span.CopyTo(destination[position..]);
        return position + Trailer.Length;
    }

    /// <summary>Writes the description to <paramref name="writer"/>.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = GetByteCount();
        var written = WriteTo(writer.GetSpan(length));
        writer.Advance(written);
    }

    /// <summary>The description as a new array.</summary>
    public byte[] ToArray()
    {
        var result = new byte[GetByteCount()];
        WriteTo(result);
        return result;
    }

    /// <summary>The description as text (UTF-8 decoded).</summary>
    public override string ToString() => Encoding.UTF8.GetString(ToArray());

    /// <summary>RFC 3264 §8: every new offer or answer in a session increments o= sess-version by one.</summary>
    public void IncrementOriginVersion()
    {
        var origin = Origin;
        var next = origin with { SessionVersion = unchecked(origin.SessionVersion + 1) };
        Replace(_lines, _lines.FindIndex(l => l.Type == 'o'), 'o', next.Format());
    }

    /// <summary>Rewrites the o= address (and its address type), e.g. to hide the caller's address behind the SBC.</summary>
    public void SetOriginAddress(string address)
    {
        CheckAddress(address);
        var origin = Origin with { Address = address, AddressType = SdpConnection.AddressTypeOf(address) };
        Replace(_lines, _lines.FindIndex(l => l.Type == 'o'), 'o', origin.Format());
    }

    /// <summary>
    /// Rewrites every connection address, session and media level, to "IN IP4|IP6 <paramref name="address"/>"
    /// (multicast TTL/count dropped), and the address part of a=rtcp where present. Returns the number of lines changed.
    /// </summary>
    public int SetConnectionAddress(string address)
    {
        CheckAddress(address);
        var changed = RewriteConnections(_lines, address);
        foreach (var description in _media)
        {
            changed += RewriteConnections(description.LineList, address);
            changed += description.RewriteRtcpAddress(address);
        }

        return changed;
    }

    /// <summary>Sets the session-level direction: replaces the first one in place, drops the rest, or appends one.</summary>
    public void SetDirection(SdpDirection direction) => SetDirection(_lines, direction, NewLineEnding);

    /// <summary>Removes every session-level a=<paramref name="name"/> line; returns how many.</summary>
    public int RemoveAttributes(string name) => RemoveAttributes(_lines, name);

    /// <summary>Appends a session-level attribute (after the existing ones, before the media).</summary>
    public void AddAttribute(string name, string? value = null) => _lines.Add(AttributeLine(name, value, NewLineEnding));

    /// <summary>
    /// Keeps only the payload types whose encoding (a=rtpmap or the RFC 3551 static table) is in
    /// <paramref name="allowedEncodings"/> (case-insensitive), in every RTP media description; telephone-event
    /// (RFC 4733) is kept when <paramref name="keepTelephoneEvent"/>. RTX payload types (RFC 4588) follow their
    /// associated payload type. A description left with no codec other than telephone-event is rejected instead:
    /// port set to 0 and its formats kept (RFC 3264 §6 requires at least one). Returns the payload types removed.
    /// </summary>
    public int FilterCodecs(IReadOnlyCollection<string> allowedEncodings, bool keepTelephoneEvent = true)
    {
        ArgumentNullException.ThrowIfNull(allowedEncodings);
        var removed = 0;
        foreach (var description in _media)
        {
            removed += description.FilterCodecs(allowedEncodings, keepTelephoneEvent);
        }

        return removed;
    }

    /// <summary>Edits take addresses from configuration; one that would break the line grammar is a programming error.</summary>
    internal static void CheckAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!SdpText.IsAddress(address))
        {
            throw new ArgumentException("Not an SDP unicast address (empty, or contains whitespace, '/' or a control character).", nameof(address));
        }
    }

    internal static int RemoveAttributes(List<SdpLine> lines, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return lines.RemoveAll(line => SdpAttributeList.IsNamed(line, name));
    }

    /// <summary>An a= line from a name and optional value; both must keep the line grammar (RFC 8866 §5.13).</summary>
    internal static SdpLine AttributeLine(string name, string? value, SdpLineEnding ending)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!SdpText.IsToken(name))
        {
            throw new ArgumentException("An attribute name must be a token (RFC 8866 §9).", nameof(name));
        }

        if (value is not null && (value.Length == 0 || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0))
        {
            throw new ArgumentException("An attribute value must be non-empty and free of CR, LF and NUL.", nameof(value));
        }

        return new SdpLine('a', value is null ? name : name + ":" + value, ending);
    }

    internal static SdpLine? Find(List<SdpLine> lines, char type)
    {
        foreach (var line in lines)
        {
            if (line.Type == type)
            {
                return line;
            }
        }

        return null;
    }

    internal static List<string> Texts(List<SdpLine> lines, char type)
    {
        var result = new List<string>();
        foreach (var line in lines)
        {
            if (line.Type == type)
            {
                result.Add(line.Text);
            }
        }

        return result;
    }

    internal static List<SdpBandwidth> Bandwidth(List<SdpLine> lines)
    {
        var result = new List<SdpBandwidth>();
        foreach (var line in lines)
        {
            if (line.Type == 'b' && SdpBandwidth.TryParse(line.Text, out var bandwidth))
            {
                result.Add(bandwidth);
            }
        }

        return result;
    }

    internal static void Replace(List<SdpLine> lines, int index, char type, string value)
    {
        var old = lines[index];
        lines[index] = new SdpLine(type, value, old.Ending);
    }

    internal static int RewriteConnections(List<SdpLine> lines, string address)
    {
        var changed = 0;
        var value = SdpConnection.ForAddress(address).Format();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type == 'c')
            {
                Replace(lines, i, 'c', value);
                changed++;
            }
        }

        return changed;
    }

    internal static void SetDirection(List<SdpLine> lines, SdpDirection direction, SdpLineEnding ending)
    {
        var value = SdpDirections.ToName(direction);
        var placed = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (SdpAttributeList.IsDirection(line, out _))
            {
                if (placed)
                {
                    lines.RemoveAt(i--);
                }
                else
                {
                    Replace(lines, i, 'a', value);
                    placed = true;
                }
            }
        }

        if (!placed)
        {
            // Attributes are last at their level (RFC 8866 §5), so appending keeps the order valid.
            lines.Add(new SdpLine('a', value, ending));
        }
    }

    private SdpLine LastLine() => _media.Count > 0 ? _media[^1].LineList[^1] : _lines[^1];

    // A line that lost its place as the last one (an edit appended after it) gets a real line end.
    private SdpLineEnding EndingFor(SdpLine line, SdpLine last) =>
        line.Ending == SdpLineEnding.None && !ReferenceEquals(line, last) ? NewLineEnding : line.Ending;

    private IEnumerable<SdpLine> EnumerateLines()
    {
        foreach (var line in _lines)
        {
            yield return line;
        }

        foreach (var description in _media)
        {
            foreach (var line in description.LineList)
            {
                yield return line;
            }
        }
    }
}
