using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// User-Agent / Server = server-val *(LWS server-val); server-val = product / comment; product = token [SLASH
/// product-version] (RFC 3261 §20.35, §20.41). Enumerate to get the products and comments.
/// </summary>
public readonly struct ProductHeader : ISipHeaderValue<ProductHeader>
{
    private ProductHeader(ReadOnlyMemory<byte> source) => Source = source;

    /// <summary>The value as received.</summary>
    public ReadOnlyMemory<byte> Source { get; }

    /// <summary>Parses and validates a User-Agent or Server value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out ProductHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var e = new ProductEnumerator(value.Span);
        var count = 0;
        while (e.MoveNext())
        {
            count++;
        }

        if (e.Error != SipHeaderError.None)
        {
            rejection = new SipHeaderRejection(e.Error, e.ErrorOffset);
            return false;
        }

        if (count == 0)
        {
            rejection = new SipHeaderRejection(SipHeaderError.Empty, 0);
            return false;
        }

        result = new ProductHeader(value);
        rejection = SipHeaderRejection.None;
        return true;
    }

    /// <summary>Enumerates products and comments.</summary>
    public ProductEnumerator GetEnumerator() => new(Source.Span);
}

/// <summary>A product (name and optional version) or a comment of a User-Agent or Server value.</summary>
public readonly ref struct ProductToken
{
    internal ProductToken(ReadOnlySpan<byte> name, ReadOnlySpan<byte> version, ReadOnlySpan<byte> comment, bool isComment)
    {
        Name = name;
        Version = version;
        Comment = comment;
        IsComment = isComment;
    }

    /// <summary>True for a comment.</summary>
    public bool IsComment { get; }

    /// <summary>The product token (empty for a comment).</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The product-version (empty when absent).</summary>
    public ReadOnlySpan<byte> Version { get; }

    /// <summary>The comment including its parentheses (empty for a product).</summary>
    public ReadOnlySpan<byte> Comment { get; }
}

/// <summary>Enumerates the server-val items of a User-Agent or Server value.</summary>
public ref struct ProductEnumerator
{
    private readonly ReadOnlySpan<byte> _input;
    private int _position;

    /// <summary>Starts enumerating.</summary>
    public ProductEnumerator(ReadOnlySpan<byte> input)
    {
        _input = input;
        _position = 0;
        Current = default;
        Error = SipHeaderError.None;
        ErrorOffset = -1;
    }

    /// <summary>The current item.</summary>
    public ProductToken Current { get; private set; }

    /// <summary>Why enumeration stopped early.</summary>
    public SipHeaderError Error { get; private set; }

    /// <summary>Offset of the error, or -1.</summary>
    public int ErrorOffset { get; private set; }

    /// <summary>Lets the enumerator be used in <c>foreach</c>.</summary>
    public readonly ProductEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next item.</summary>
    public bool MoveNext()
    {
        var s = _input;
        var i = Lws.Skip(s, _position);
        if (Error != SipHeaderError.None || i >= s.Length)
        {
            return false;
        }

        if (s[i] == (byte)'(')
        {
            if (!SipComment.TryRead(s[i..], out var length, out var c))
            {
                return Fail(SipHeaderError.InvalidComment, i + c.Offset);
            }

            Current = new ProductToken(default, default, s.Slice(i, length), isComment: true);
            _position = i + length;
            return true;
        }

        var nameLength = s[i..].IndexOfAnyExcept(SipCharacters.Token);
        if (nameLength < 0)
        {
            nameLength = s.Length - i;
        }

        if (nameLength == 0)
        {
            return Fail(SipHeaderError.InvalidProduct, i);
        }

        var name = s.Slice(i, nameLength);
        var end = i + nameLength;
        ReadOnlySpan<byte> version = default;

        // product = token [SLASH product-version]; SLASH = SWS "/" SWS.
        var slash = Lws.Skip(s, end);
        if (slash < s.Length && s[slash] == (byte)'/')
        {
            var v = Lws.Skip(s, slash + 1);
            var versionLength = v < s.Length ? s[v..].IndexOfAnyExcept(SipCharacters.Token) : 0;
            if (versionLength < 0)
            {
                versionLength = s.Length - v;
            }

            if (versionLength == 0)
            {
                return Fail(SipHeaderError.InvalidProduct, v);
            }

            version = s.Slice(v, versionLength);
            end = v + versionLength;
        }

        if (end < s.Length && !Lws.IsWsp(s[end]) && s[end] is not ((byte)'(' or (byte)'\r' or (byte)'\n'))
        {
            return Fail(SipHeaderError.InvalidProduct, end);
        }

        Current = new ProductToken(name, version, default, isComment: false);
        _position = end;
        return true;
    }

    private bool Fail(SipHeaderError error, int offset)
    {
        Error = error;
        ErrorOffset = offset;
        Current = default;
        return false;
    }
}
