namespace Routing.Sip.Uri;

/// <summary>One "name=value" of a URI's ?headers, as received (escapes not decoded).</summary>
public readonly ref struct SipUriHeader
{
    internal SipUriHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>hname as received.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>hvalue as received (may be empty).</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>The value decoded once (RFC 3261 §19.1.2).</summary>
    public string GetValueString() => Syntax.PercentEncoding.DecodeToString(Value);
}

/// <summary>Enumerates the "&amp;"-separated headers of a URI already validated by <see cref="SipUri.TryParse(ReadOnlyMemory{byte}, out SipUri)"/>.</summary>
public ref struct SipUriHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _input;
    private int _position;
    private SipUriHeader _current;

    /// <summary>Starts enumerating the text after "?".</summary>
    public SipUriHeaderEnumerator(ReadOnlySpan<byte> input)
    {
        _input = input;
        _position = 0;
        _current = default;
    }

    /// <summary>The current header.</summary>
    public readonly SipUriHeader Current => _current;

    /// <summary>Lets the enumerator be used in <c>foreach</c>.</summary>
    public readonly SipUriHeaderEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next header.</summary>
    public bool MoveNext()
    {
        if (_position >= _input.Length)
        {
            return false;
        }

        var rest = _input[_position..];
        var amp = rest.IndexOf((byte)'&');
        var item = amp < 0 ? rest : rest[..amp];
        var eq = item.IndexOf((byte)'=');
        _current = eq < 0 ? new SipUriHeader(item, default) : new SipUriHeader(item[..eq], item[(eq + 1)..]);
        _position += item.Length + 1;
        return true;
    }
}
