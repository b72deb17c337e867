using System.Text;

namespace Routing.Sip.Sdp;

/// <summary>How a line ended in the received description; kept so that an untouched session writes back byte for byte.</summary>
public enum SdpLineEnding : byte
{
    /// <summary>CRLF, as RFC 8866 §5 prescribes.</summary>
    CrLf,
    /// <summary>A bare LF, which RFC 8866 §5 asks parsers to accept.</summary>
    Lf,
    /// <summary>No line end: the last line of a body that lacks the final CRLF.</summary>
    None,
}

/// <summary>
/// One "&lt;type&gt;=&lt;value&gt;" line (RFC 8866 §5). The value bytes are kept exactly as received; <see cref="Text"/>
/// decodes them (UTF-8) on first use.
/// </summary>
public sealed class SdpLine
{
    private string? _text;

    internal SdpLine(char type, ReadOnlyMemory<byte> value, SdpLineEnding ending, int offset)
    {
        Type = type;
        Value = value;
        Ending = ending;
        Offset = offset;
    }

    /// <summary>Creates a line for an edit; <paramref name="value"/> is everything after "=".</summary>
    internal SdpLine(char type, string value, SdpLineEnding ending = SdpLineEnding.CrLf)
    {
        ArgumentNullException.ThrowIfNull(value);
        Type = type;
        Value = Encoding.UTF8.GetBytes(value);
        Ending = ending;
        Offset = -1;
        _text = value;
    }

    /// <summary>The type letter, e.g. 'a'.</summary>
    public char Type { get; }

    /// <summary>The value bytes after "=" without the line end.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The received line end.</summary>
    public SdpLineEnding Ending { get; }

    /// <summary>Offset of the type letter in the parsed body, or -1 for a line created by an edit.</summary>
    public int Offset { get; }

    /// <summary>The value as text.</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(Value.Span);

    /// <summary>Bytes this line takes when written with <paramref name="ending"/>.</summary>
    internal int GetByteCount(SdpLineEnding ending) => 2 + Value.Length + (ending switch
    {
        SdpLineEnding.CrLf => 2,
        SdpLineEnding.Lf => 1,
        _ => 0,
    });

    /// <summary>"a=value" without the line end.</summary>
    public override string ToString() => Type + "=" + Text;
}
