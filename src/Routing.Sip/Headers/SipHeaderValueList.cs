using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// A validated comma-separated header value (RFC 3261 §7.3.1) whose elements parse as <typeparamref name="T"/>.
/// Parsing validates every element without allocating; enumeration parses them again on the fly, so the list itself
/// is only a view.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct SipHeaderValueList<T>
    where T : struct, ISipHeaderValue<T>
{
    private readonly ReadOnlyMemory<byte> _source;

    private SipHeaderValueList(ReadOnlyMemory<byte> source, int count, T first)
    {
        _source = source;
        Count = count;
        First = first;
    }

    /// <summary>The header value as received.</summary>
    public ReadOnlyMemory<byte> Source => _source;

    /// <summary>Number of elements.</summary>
    public int Count { get; }

    /// <summary>The first element (the topmost Via or Route, for instance).</summary>
    public T First { get; }

    /// <summary>
    /// Parses a header value holding one or more elements. An empty value is rejected with
    /// <see cref="SipHeaderError.Empty"/>; offsets are relative to <paramref name="value"/>.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out SipHeaderValueList<T> list, out SipHeaderRejection rejection)
    {
        list = default;
        var e = new SipListMemoryEnumerator(value);
        var count = 0;
        T first = default;
        while (e.MoveNext())
        {
            if (!T.TryParse(e.Current, out var item, out var inner))
            {
                rejection = inner with { Offset = e.CurrentOffset + Math.Max(inner.Offset, 0) };
                return false;
            }

            if (count == 0)
            {
                first = item;
            }

            count++;
        }

        if (e.Error != SipSyntaxError.None)
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidList, e.ErrorOffset, SyntaxError: e.Error);
            return false;
        }

        if (count == 0)
        {
            rejection = new SipHeaderRejection(SipHeaderError.Empty, 0);
            return false;
        }

        list = new SipHeaderValueList<T>(value, count, first);
        rejection = SipHeaderRejection.None;
        return true;
    }

    /// <summary>Enumerates the elements.</summary>
    public Enumerator GetEnumerator() => new(_source);

    /// <summary>Enumerator over the elements of a validated list.</summary>
    public struct Enumerator
    {
        private SipListMemoryEnumerator _inner;

        internal Enumerator(ReadOnlyMemory<byte> source)
        {
            _inner = new SipListMemoryEnumerator(source);
            Current = default;
        }

        /// <summary>The current element.</summary>
        public T Current { get; private set; }

        /// <summary>Offset of the current element in the header value.</summary>
        public readonly int CurrentOffset => _inner.CurrentOffset;

        /// <summary>Advances to the next element.</summary>
        public bool MoveNext()
        {
            while (_inner.MoveNext())
            {
                if (T.TryParse(_inner.Current, out var item, out _))
                {
                    Current = item;
                    return true;
                }
            }

            return false;
        }
    }
}
