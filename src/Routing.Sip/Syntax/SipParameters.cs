using System.Text;

namespace Routing.Sip.Syntax;

/// <summary>Which grammar a ";name=value" list follows.</summary>
public enum SipParameterSyntax
{
    /// <summary>
    /// uri-parameters (RFC 3261 §19.1.1, §25.1): names and values are 1*paramchar, escapes allowed, no white space,
    /// no quoted strings.
    /// </summary>
    Uri,

    /// <summary>
    /// generic-param of header values (RFC 3261 §25.1): token names, values token / host / quoted-string, LWS allowed
    /// around ";" and "=".
    /// </summary>
    Header,
}

/// <summary>
/// One parameter of a ";name=value" list, as views into the span being enumerated. For a quoted value,
/// <see cref="Value"/> is the raw content between the DQUOTEs (quoted-pairs still escaped).
/// </summary>
public readonly ref struct SipParameter
{
    internal SipParameter(ReadOnlySpan<byte> name, int nameOffset, ReadOnlySpan<byte> value, int valueOffset, bool hasValue, bool isQuoted)
    {
        Name = name;
        NameOffset = nameOffset;
        Value = value;
        ValueOffset = valueOffset;
        HasValue = hasValue;
        IsQuoted = isQuoted;
    }

    /// <summary>The parameter name as received.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>Offset of <see cref="Name"/> in the enumerated span.</summary>
    public int NameOffset { get; }

    /// <summary>The value (content only when quoted); empty when <see cref="HasValue"/> is false.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Offset of <see cref="Value"/> in the enumerated span (for a quoted value, after the DQUOTE).</summary>
    public int ValueOffset { get; }

    /// <summary>True when the parameter had "=" and a value.</summary>
    public bool HasValue { get; }

    /// <summary>True when the value was a quoted-string.</summary>
    public bool IsQuoted { get; }

    /// <summary>Case-insensitive name comparison (parameter names are case-insensitive, RFC 3261 §7.3.1, §19.1.4).</summary>
    public bool NameEquals(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(Name, name);

    /// <summary>The value as a string: quoted-pairs resolved when quoted, otherwise escapes decoded once.</summary>
    public string GetValueString() =>
        IsQuoted ? QuotedString.UnescapeToString(Value) : PercentEncoding.DecodeToString(Value);
}

/// <summary>
/// Allocation-free enumerator over ";name[=value]" parameters. The span holds the parameters only: it starts with ";"
/// (after optional LWS for <see cref="SipParameterSyntax.Header"/>) or is empty. When <see cref="MoveNext"/> returns
/// false, <see cref="Error"/> says whether the list ended cleanly or was malformed.
/// </summary>
public ref struct SipParameterEnumerator
{
    private readonly ReadOnlySpan<byte> _input;
    private readonly SipParameterSyntax _syntax;
    private int _position;
    private SipParameter _current;

    /// <summary>Starts enumerating <paramref name="input"/> with the given grammar.</summary>
    public SipParameterEnumerator(ReadOnlySpan<byte> input, SipParameterSyntax syntax)
    {
        _input = input;
        _syntax = syntax;
        _position = 0;
        _current = default;
        Error = SipSyntaxError.None;
        ErrorOffset = -1;
    }

    /// <summary>The current parameter.</summary>
    public readonly SipParameter Current => _current;

    /// <summary>Why enumeration stopped early, or <see cref="SipSyntaxError.None"/>.</summary>
    public SipSyntaxError Error { get; private set; }

    /// <summary>Offset of the error in the span, or -1.</summary>
    public int ErrorOffset { get; private set; }

    /// <summary>Lets the enumerator be used in <c>foreach</c>.</summary>
    public readonly SipParameterEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next parameter; false at the end or on a syntax error.</summary>
    public bool MoveNext()
    {
        if (Error != SipSyntaxError.None)
        {
            return false;
        }

        var input = _input;
        var header = _syntax == SipParameterSyntax.Header;
        var i = header ? Lws.Skip(input, _position) : _position;
        if (i >= input.Length || (header && IsTrailingWhitespace(input, i)))
        {
            _position = input.Length;
            return false;
        }

        if (input[i] != (byte)';')
        {
            return Fail(SipSyntaxError.ExpectedSemicolon, i);
        }

        i++;
        if (header)
        {
            i = Lws.Skip(input, i);
        }

        var nameChars = header ? SipCharacters.Token : SipCharacters.ParamChars;
        var nameStart = i;
        var nameLength = input[i..].IndexOfAnyExcept(nameChars);
        if (nameLength < 0)
        {
            nameLength = input.Length - i;
        }

        if (nameLength == 0)
        {
            return Fail(SipSyntaxError.EmptyParameterName, i);
        }

        var name = input.Slice(nameStart, nameLength);
        if (!header && !PercentEncoding.IsWellFormed(name, out var badName))
        {
            return Fail(SipSyntaxError.InvalidEscape, nameStart + badName);
        }

        i += nameLength;
        var afterName = header ? Lws.Skip(input, i) : i;
        if (afterName >= input.Length || input[afterName] != (byte)'=')
        {
            if (afterName < input.Length && input[afterName] != (byte)';' && !(header && IsTrailingWhitespace(input, afterName)))
            {
                return Fail(header ? SipSyntaxError.ExpectedSemicolon : SipSyntaxError.InvalidParameterName, afterName);
            }

            _current = new SipParameter(name, nameStart, default, -1, hasValue: false, isQuoted: false);
            _position = afterName;
            return true;
        }

        i = afterName + 1;
        if (header)
        {
            i = Lws.Skip(input, i);
        }

        if (header && i < input.Length && input[i] == (byte)'"')
        {
            if (!QuotedString.TryRead(input[i..], out var token, out var rejection))
            {
                return Fail(rejection.Reason, i + rejection.Offset);
            }

            _current = new SipParameter(name, nameStart, input.Slice(i + 1, token.ContentLength), i + 1, hasValue: true, isQuoted: true);
            _position = i + token.Length;
            return CheckFollower();
        }

        var valueChars = header ? SipCharacters.GenValueChars : SipCharacters.ParamChars;
        var valueLength = input[i..].IndexOfAnyExcept(valueChars);
        if (valueLength < 0)
        {
            valueLength = input.Length - i;
        }

        if (valueLength == 0)
        {
            return Fail(SipSyntaxError.InvalidParameterValue, i);
        }

        var value = input.Slice(i, valueLength);
        if (!header && !PercentEncoding.IsWellFormed(value, out var badValue))
        {
            return Fail(SipSyntaxError.InvalidEscape, i + badValue);
        }

        _current = new SipParameter(name, nameStart, value, i, hasValue: true, isQuoted: false);
        _position = i + valueLength;
        return CheckFollower();
    }

    private bool CheckFollower()
    {
        var header = _syntax == SipParameterSyntax.Header;
        var next = header ? Lws.Skip(_input, _position) : _position;
        if (next < _input.Length && _input[next] != (byte)';' && !(header && IsTrailingWhitespace(_input, next)))
        {
            return Fail(_syntax == SipParameterSyntax.Header ? SipSyntaxError.ExpectedSemicolon : SipSyntaxError.InvalidParameterValue, next);
        }

        return true;
    }

    // A value handed over with its line end still attached ("...;tag=1\r\n") ends cleanly.
    private static bool IsTrailingWhitespace(ReadOnlySpan<byte> input, int position) =>
        Lws.SkipBackward(input, input.Length) <= position;

    private bool Fail(SipSyntaxError error, int offset)
    {
        Error = error;
        ErrorOffset = offset;
        _current = default;
        return false;
    }
}

/// <summary>Helpers over <see cref="SipParameterEnumerator"/>.</summary>
public static class SipParameters
{
    /// <summary>Enumerates the parameters of <paramref name="input"/>.</summary>
    public static SipParameterEnumerator Enumerate(ReadOnlySpan<byte> input, SipParameterSyntax syntax) => new(input, syntax);

    /// <summary>True when the whole list is well-formed; otherwise <paramref name="rejection"/> says where and why.</summary>
    public static bool TryValidate(ReadOnlySpan<byte> input, SipParameterSyntax syntax, out SipSyntaxRejection rejection)
    {
        var e = new SipParameterEnumerator(input, syntax);
        while (e.MoveNext())
        {
        }

        rejection = new SipSyntaxRejection(e.Error, e.ErrorOffset);
        return e.Error == SipSyntaxError.None;
    }

    /// <summary>Finds the first parameter named <paramref name="name"/> (case-insensitive), stopping at a syntax error.</summary>
    public static bool TryFind(ReadOnlySpan<byte> input, SipParameterSyntax syntax, ReadOnlySpan<byte> name, out SipParameter parameter)
    {
        var e = new SipParameterEnumerator(input, syntax);
        while (e.MoveNext())
        {
            if (e.Current.NameEquals(name))
            {
                parameter = e.Current;
                return true;
            }
        }

        parameter = default;
        return false;
    }

    /// <summary>True when a parameter named <paramref name="name"/> is present.</summary>
    public static bool Contains(ReadOnlySpan<byte> input, SipParameterSyntax syntax, ReadOnlySpan<byte> name) =>
        TryFind(input, syntax, name, out _);

    /// <summary>Number of parameters before the end or the first syntax error.</summary>
    public static int Count(ReadOnlySpan<byte> input, SipParameterSyntax syntax)
    {
        var count = 0;
        var e = new SipParameterEnumerator(input, syntax);
        while (e.MoveNext())
        {
            count++;
        }

        return count;
    }
}
