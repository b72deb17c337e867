using System.Buffers;
using System.Buffers.Text;

namespace Routing.Sip.Message;

/// <summary>
/// Forwards a received message with edits by splicing: the bytes of every untouched header, the start line and the
/// body are copied as received, never re-serialised, so a proxy changes exactly what RFC 3261 §16.6 asks it to and
/// nothing else. Edits are recorded against the original bytes and applied by <see cref="WriteTo"/>. Reusable:
/// call <see cref="Begin"/> for the next message; dispose to return the pooled scratch buffer.
/// </summary>
public sealed class SipMessageEditor : IDisposable
{
    private Edit[] _edits = new Edit[16];
    private int _editCount;
    private byte[] _text = ArrayPool<byte>.Shared.Rent(1024);
    private int _textLength;
    private SipMessage? _message;

    /// <summary>Starts editing <paramref name="message"/>; earlier edits are discarded.</summary>
    public SipMessageEditor Begin(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _message = message;
        _editCount = 0;
        _textLength = 0;
        return this;
    }

    private SipMessage Message => _message ?? throw new InvalidOperationException("call Begin first");

    /// <summary>Number of bytes <see cref="WriteTo"/> will write.</summary>
    public int Length
    {
        get
        {
            var length = Message.Length;
            for (var i = 0; i < _editCount; i++)
            {
                length += _edits[i].TextLength - (_edits[i].End - _edits[i].Start);
            }

            return length;
        }
    }

    /// <summary>Replaces the Request-URI (RFC 3261 §16.6 step 2, §16.12 strict-route fix-up).</summary>
    public void SetRequestUri(ReadOnlySpan<byte> uri)
    {
        var m = Message;
        if (!m.IsRequest)
        {
            throw new InvalidOperationException("a response has no Request-URI");
        }

        Replace(m.RequestUriRange.Start, m.RequestUriRange.End, uri);
    }

    /// <summary>Adds a Via above all others (RFC 3261 §16.6 step 8). <paramref name="value"/> is the via-parm, e.g. <c>SIP/2.0/UDP host;branch=z9hG4bK…</c>.</summary>
    public void PushVia(ReadOnlySpan<byte> value)
    {
        var m = Message;
        var first = m.IndexOf(SipHeaderId.Via);
        InsertHeaderAt(first >= 0 ? m.Headers[first].Line.Start : FirstHeaderStart(m), SipHeaderId.Via, value);
    }

    /// <summary>Adds a Record-Route above the existing ones (RFC 3261 §16.6 step 4). <paramref name="value"/> is a name-addr, e.g. <c>&lt;sip:proxy;lr&gt;</c>.</summary>
    public void InsertRecordRoute(ReadOnlySpan<byte> value)
    {
        var m = Message;
        var first = m.IndexOf(SipHeaderId.RecordRoute);
        InsertHeaderAt(first >= 0 ? m.Headers[first].Line.Start : m.HeaderSectionEnd, SipHeaderId.RecordRoute, value);
    }

    /// <summary>
    /// Removes the first Route value (RFC 3261 §16.4: a loose-routing proxy removes the Route naming itself). A line
    /// with several values keeps the rest. Returns false when there is no Route.
    /// </summary>
    public bool PopRoute()
    {
        var m = Message;
        var index = m.IndexOf(SipHeaderId.Route);
        if (index < 0)
        {
            return false;
        }

        var line = m.Headers[index];
        var list = new Syntax.SipListEnumerator(m.Slice(line.Value));
        if (!list.MoveNext())
        {
            Replace(line.Line.Start, line.Line.End, default);
            return true;
        }

        if (!list.MoveNext())
        {
            Replace(line.Line.Start, line.Line.End, default);
        }
        else
        {
            Replace(line.Value.Start, line.Value.Start + list.CurrentOffset, default);
        }

        return true;
    }

    /// <summary>
    /// Decrements Max-Forwards, or adds <c>Max-Forwards: 70</c> when absent (RFC 3261 §16.6 step 3). Returns false
    /// without editing when the value is already 0: the proxy answers 483 (§16.3 step 2).
    /// </summary>
    public bool DecrementMaxForwards()
    {
        var m = Message;
        var index = m.IndexOf(SipHeaderId.MaxForwards);
        if (index < 0)
        {
            AddHeader(SipHeaderId.MaxForwards, "70"u8);
            return true;
        }

        if (m.MaxForwards <= 0)
        {
            return false;
        }

        Span<byte> digits = stackalloc byte[4];
        Utf8Formatter.TryFormat(m.MaxForwards - 1, digits, out var written);
        var value = m.Headers[index].Value;
        Replace(value.Start, value.End, digits[..written]);
        return true;
    }

    /// <summary>Appends a header line at the end of the header section.</summary>
    public void AddHeader(SipHeaderId id, ReadOnlySpan<byte> value) => InsertHeaderAt(Message.HeaderSectionEnd, id, value);

    /// <summary>Appends a header line with any name at the end of the header section.</summary>
    public void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => InsertLine(Message.HeaderSectionEnd, name, value);

    /// <summary>Replaces the value of the first line with this id and removes the other lines; adds the header when absent.</summary>
    public void SetHeader(SipHeaderId id, ReadOnlySpan<byte> value)
    {
        var m = Message;
        var seen = false;
        foreach (var h in m.EnumerateHeaders(id))
        {
            if (!seen)
            {
                Replace(h.Value.Start, h.Value.End, value);
                seen = true;
            }
            else
            {
                Replace(h.Line.Start, h.Line.End, default);
            }
        }

        if (!seen)
        {
            AddHeader(id, value);
        }
    }

    /// <summary>Removes every line with this id; returns how many.</summary>
    public int RemoveHeaders(SipHeaderId id)
    {
        var removed = 0;
        foreach (var h in Message.EnumerateHeaders(id))
        {
            Replace(h.Line.Start, h.Line.End, default);
            removed++;
        }

        return removed;
    }

    /// <summary>Removes every line with this name (any case; compact forms match their long names).</summary>
    public int RemoveHeaders(ReadOnlySpan<byte> name)
    {
        var id = SipHeaderTable.Lookup(name);
        if (id != SipHeaderId.Unknown)
        {
            return RemoveHeaders(id);
        }

        var m = Message;
        var removed = 0;
        foreach (var h in m.Headers)
        {
            if (h.Id == SipHeaderId.Unknown && System.Text.Ascii.EqualsIgnoreCase(m.GetName(h), name))
            {
                Replace(h.Line.Start, h.Line.End, default);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Replaces the body and fixes Content-Length; sets Content-Type when given, removes it when the body is empty.</summary>
    public void ReplaceBody(ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body)
    {
        var m = Message;
        Replace(m.BodyRange.Start, m.BodyRange.End, body);
        SetContentLength(body.Length);
        if (!contentType.IsEmpty)
        {
            SetHeader(SipHeaderId.ContentType, contentType);
        }
        else if (body.IsEmpty)
        {
            RemoveHeaders(SipHeaderId.ContentType);
        }
    }

    /// <summary>
    /// Adds Content-Length when the message has none (a datagram framed by its end, forwarded onto a stream where
    /// Content-Length is mandatory, RFC 3261 §18.3 / §20.14).
    /// </summary>
    public void EnsureContentLength()
    {
        if (!Message.Contains(SipHeaderId.ContentLength))
        {
            SetContentLength(Message.BodyRange.Length);
        }
    }

    /// <summary>Writes the edited message.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var src = Message.Span;
        SortEdits();
        var pos = 0;
        for (var i = 0; i < _editCount; i++)
        {
            var e = _edits[i];
            if (e.Start < pos)
            {
                throw new InvalidOperationException("two edits touch the same bytes");
            }

            output.Write(src[pos..e.Start]);
            output.Write(_text.AsSpan(e.TextStart, e.TextLength));
            pos = e.End;
        }

        output.Write(src[pos..]);
    }

    /// <summary>The edited message as a new array (convenience for tests and tools).</summary>
    public byte[] ToArray()
    {
        var buffer = new ArrayBufferWriter<byte>(Length);
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        if (_text.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_text);
            _text = [];
        }

        _message = null;
    }

    private void SetContentLength(int length)
    {
        Span<byte> digits = stackalloc byte[11];
        Utf8Formatter.TryFormat(length, digits, out var written);
        SetHeader(SipHeaderId.ContentLength, digits[..written]);
    }

    private static int FirstHeaderStart(SipMessage m) => m.StartLineRange.End;

    private void InsertHeaderAt(int position, SipHeaderId id, ReadOnlySpan<byte> value) =>
        InsertLine(position, SipHeaderTable.GetName(id), value);

    private void InsertLine(int position, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var start = _textLength;
        Append(name);
        Append(": "u8);
        Append(value);
        Append("\r\n"u8);
        AddEdit(position, position, start, _textLength - start);
    }

    private void Replace(int start, int end, ReadOnlySpan<byte> text)
    {
        var textStart = _textLength;
        Append(text);
        AddEdit(start, end, textStart, text.Length);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_textLength + bytes.Length > _text.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_text.Length * 2, _textLength + bytes.Length));
            _text.AsSpan(0, _textLength).CopyTo(bigger);
            if (_text.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_text);
            }

            _text = bigger;
        }

        bytes.CopyTo(_text.AsSpan(_textLength));
        _textLength += bytes.Length;
    }

    private void AddEdit(int start, int end, int textStart, int textLength)
    {
        if (_editCount == _edits.Length)
        {
            Array.Resize(ref _edits, _edits.Length * 2);
        }

        _edits[_editCount] = new Edit(start, end, textStart, textLength, _editCount);
        _editCount++;
    }

    // Insertion sort: a forward carries a handful of edits; equal insertions keep the order they were made in.
    private void SortEdits()
    {
        for (var i = 1; i < _editCount; i++)
        {
            var e = _edits[i];
            var j = i - 1;
            while (j >= 0 && Before(e, _edits[j]))
            {
                _edits[j + 1] = _edits[j];
                j--;
            }

            _edits[j + 1] = e;
        }
    }

    // Pure insertions at a position go before a replacement starting there, so both can apply.
    private static bool Before(in Edit a, in Edit b)
    {
        if (a.Start != b.Start)
        {
            return a.Start < b.Start;
        }

        var aInsert = a.End == a.Start;
        var bInsert = b.End == b.Start;
        return aInsert != bInsert ? aInsert : a.Order < b.Order;
    }

    private readonly record struct Edit(int Start, int End, int TextStart, int TextLength, int Order);
}
