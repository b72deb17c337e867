namespace Routing.Sip.Syntax;

/// <summary>
/// The <see cref="SipListEnumerator"/> over memory instead of a span, so that it can be stored in fields and its
/// elements kept as <see cref="ReadOnlyMemory{T}"/> views. Same splitting rules (RFC 3261 §7.3.1).
/// </summary>
public struct SipListMemoryEnumerator
{
    private readonly ReadOnlyMemory<byte> _input;
    private int _position;

    /// <summary>Starts splitting <paramref name="input"/>.</summary>
    public SipListMemoryEnumerator(ReadOnlyMemory<byte> input)
    {
        _input = input;
        _position = 0;
        Current = default;
        CurrentOffset = 0;
        Error = SipSyntaxError.None;
        ErrorOffset = -1;
    }

    /// <summary>The current element, trimmed of LWS.</summary>
    public ReadOnlyMemory<byte> Current { get; private set; }

    /// <summary>Offset of <see cref="Current"/> in the input.</summary>
    public int CurrentOffset { get; private set; }

    /// <summary>Why splitting stopped early, or <see cref="SipSyntaxError.None"/>.</summary>
    public SipSyntaxError Error { get; private set; }

    /// <summary>Offset of the error in the input, or -1.</summary>
    public int ErrorOffset { get; private set; }

    /// <summary>Lets the enumerator be used in <c>foreach</c>.</summary>
    public readonly SipListMemoryEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next non-empty element.</summary>
    public bool MoveNext()
    {
        if (Error != SipSyntaxError.None || _position >= _input.Length)
        {
            return false;
        }

        var e = new SipListEnumerator(_input.Span[_position..]);
        if (!e.MoveNext())
        {
            Error = e.Error;
            ErrorOffset = e.Error == SipSyntaxError.None ? -1 : _position + e.ErrorOffset;
            _position = _input.Length;
            Current = default;
            return false;
        }

        CurrentOffset = _position + e.CurrentOffset;
        Current = _input.Slice(CurrentOffset, e.CurrentLength);
        _position = CurrentOffset + e.CurrentLength;
        return true;
    }
}
