using System.Buffers;
using System.Text;
using Routing.Sip.Headers;
using Routing.Sip.Syntax;
using Routing.Sip.Uri;

namespace Routing.Sip.Message;

/// <summary>
/// A received SIP message: the received bytes (in a pooled buffer) plus an index of the start line and header
/// lines as views. Routing-critical values (CSeq, Max-Forwards, Content-Length, Call-ID, tags, top Via) are located
/// by the parser; everything else is read on demand from the views. Dispose returns the buffer and the index to the
/// pool; the message must not be used afterwards.
/// </summary>
public sealed class SipMessage : IDisposable
{
    private readonly short[] _first = new short[SipHeaderTable.Count];
    private readonly short[] _count = new short[SipHeaderTable.Count];
    private byte[] _buffer = [];
    private int _length;
    private SipHeaderField[] _headers = new SipHeaderField[24];
    private int _headerCount;
    private int _live; // 1 while rented; 0 once disposed (flipped atomically, so a message goes back to the pool once)

    private SipMessage()
    {
        _first.AsSpan().Fill(-1);
    }

    public bool IsRequest { get; internal set; }

    public bool IsResponse => !IsRequest;

    /// <summary>Request method; <see cref="SipMethod.Extension"/> for methods this stack does not name (see <see cref="MethodBytes"/>).</summary>
    public SipMethod Method { get; internal set; }

    public ByteRange MethodRange { get; internal set; }

    public ByteRange RequestUriRange { get; internal set; }

    /// <summary>SIP-Version as received, on either kind of start line.</summary>
    public ByteRange VersionRange { get; internal set; }

    /// <summary>Status code of a response; 0 for requests.</summary>
    public int StatusCode { get; internal set; }

    public ByteRange ReasonPhraseRange { get; internal set; }

    /// <summary>The start line including its CRLF.</summary>
    public ByteRange StartLineRange { get; internal set; }

    /// <summary>Offset of the CRLF that ends the header section (where headers can be appended).</summary>
    public int HeaderSectionEnd { get; internal set; }

    public ByteRange BodyRange { get; internal set; }

    /// <summary>CSeq sequence number (RFC 3261 §8.1.1.5: below 2**31); -1 when absent or malformed.</summary>
    public long CSeqNumber { get; internal set; } = -1;

    public ByteRange CSeqMethodRange { get; internal set; }

    /// <summary>Max-Forwards value 0..255, or -1 when absent.</summary>
    public int MaxForwards { get; internal set; } = -1;

    /// <summary>Content-Length value, or -1 when absent.</summary>
    public int ContentLength { get; internal set; } = -1;

    public ByteRange CallIdRange { get; internal set; }

    /// <summary>The From tag value; empty when there is none.</summary>
    public ByteRange FromTagRange { get; internal set; }

    /// <summary>The To tag value; empty when there is none (out-of-dialog request).</summary>
    public ByteRange ToTagRange { get; internal set; }

    /// <summary>sent-protocol transport of the top Via (e.g. <c>UDP</c>).</summary>
    public ByteRange TopViaTransportRange { get; internal set; }

    /// <summary>sent-by (host[:port]) of the top Via.</summary>
    public ByteRange TopViaSentByRange { get; internal set; }

    /// <summary>branch parameter value of the top Via; empty when absent (RFC 2543 peers).</summary>
    public ByteRange TopViaBranchRange { get; internal set; }

    /// <summary>True when the top Via yields at least a transport and a sent-by, so a response can be routed (RFC 3261 §18.2.2).</summary>
    public bool HasUsableTopVia => TopViaSentByRange.Length > 0;

    /// <summary>The whole message as received (trailing datagram octets excluded).</summary>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _live) == 0, this);
            return new ReadOnlySpan<byte>(_buffer, 0, _length);
        }
    }

    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _live) == 0, this);
            return new ReadOnlyMemory<byte>(_buffer, 0, _length);
        }
    }

    public int Length => _length;

    public ReadOnlySpan<byte> MethodBytes => Slice(MethodRange);

    public ReadOnlySpan<byte> RequestUri => Slice(RequestUriRange);

    public ReadOnlySpan<byte> ReasonPhrase => Slice(ReasonPhraseRange);

    public ReadOnlySpan<byte> CallId => Slice(CallIdRange);

    public ReadOnlySpan<byte> CSeqMethod => Slice(CSeqMethodRange);

    public ReadOnlySpan<byte> FromTag => Slice(FromTagRange);

    public ReadOnlySpan<byte> ToTag => Slice(ToTagRange);

    public ReadOnlySpan<byte> TopViaBranch => Slice(TopViaBranchRange);

    public ReadOnlySpan<byte> TopViaSentBy => Slice(TopViaSentByRange);

    public ReadOnlySpan<byte> TopViaTransport => Slice(TopViaTransportRange);

    public ReadOnlySpan<byte> Body => Slice(BodyRange);

    /// <summary>All header lines in received order.</summary>
    public ReadOnlySpan<SipHeaderField> Headers => new(_headers, 0, _headerCount);

    public int HeaderCount => _headerCount;

    public ReadOnlySpan<byte> Slice(ByteRange range) => Span.Slice(range.Start, range.Length);

    public string GetString(ByteRange range) => Encoding.UTF8.GetString(Slice(range));

    public ReadOnlySpan<byte> GetName(in SipHeaderField field) => Slice(field.Name);

    public ReadOnlySpan<byte> GetValue(in SipHeaderField field) => Slice(field.Value);

    /// <summary>Index in <see cref="Headers"/> of the first line with this id, or -1.</summary>
    public int IndexOf(SipHeaderId id) => id == SipHeaderId.Unknown ? -1 : _first[(int)id];

    /// <summary>Index of the first line whose name matches (any case; compact forms resolve to their id), or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name)
    {
        var id = SipHeaderTable.Lookup(name);
        if (id != SipHeaderId.Unknown)
        {
            return IndexOf(id);
        }

        for (var i = 0; i < _headerCount; i++)
        {
            if (_headers[i].Id == SipHeaderId.Unknown && Ascii.EqualsIgnoreCase(GetName(_headers[i]), name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Number of header lines with this id.</summary>
    public int CountOf(SipHeaderId id) => id == SipHeaderId.Unknown ? 0 : _count[(int)id];

    public bool Contains(SipHeaderId id) => CountOf(id) > 0;

    /// <summary>Value of the first line with this id; false when absent.</summary>
    public bool TryGetValue(SipHeaderId id, out ReadOnlySpan<byte> value)
    {
        var i = IndexOf(id);
        if (i < 0)
        {
            value = default;
            return false;
        }

        value = GetValue(_headers[i]);
        return true;
    }

    /// <summary>Value of the first line with this name; false when absent.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            value = default;
            return false;
        }

        value = GetValue(_headers[i]);
        return true;
    }

    /// <summary>The header lines with this id, in order.</summary>
    public HeaderEnumerator EnumerateHeaders(SipHeaderId id) => new(this, id);

    /// <summary>
    /// The comma-separated values of every line with this id, in order, split at top-level commas (outside quoted
    /// strings and angle brackets; RFC 3261 §7.3.1 makes separate lines and comma lists equivalent).
    /// </summary>
    public ValueEnumerator EnumerateValues(SipHeaderId id) => new(this, id);

    /// <summary>A range of the message as memory, for the typed-value parsers of Routing.Sip.Headers and Routing.Sip.Uri.</summary>
    public ReadOnlyMemory<byte> GetMemory(ByteRange range) => Memory.Slice(range.Start, range.Length);

    /// <summary>Parses the Request-URI on demand (RFC 3261 §19.1).</summary>
    public bool TryGetRequestUri(out SipUri uri) => SipUri.TryParse(GetMemory(RequestUriRange), out uri);

    /// <summary>Parses From on demand.</summary>
    public bool TryGetFrom(out FromToHeader from) => TryGetFirstValue(SipHeaderId.From, out from);

    /// <summary>Parses To on demand.</summary>
    public bool TryGetTo(out FromToHeader to) => TryGetFirstValue(SipHeaderId.To, out to);

    /// <summary>Parses CSeq on demand.</summary>
    public bool TryGetCSeq(out CSeqHeader cseq) => TryGetFirstValue(SipHeaderId.CSeq, out cseq);

    /// <summary>Parses the topmost via-parm on demand.</summary>
    public bool TryGetTopVia(out ViaHeader via) => TryGetFirstValue(SipHeaderId.Via, out via);

    /// <summary>
    /// Parses the first element of the first line with this id as <typeparamref name="T"/> (the rest of the header
    /// layer: Contact, Session-Expires, Reason, Retry-After, ...). False when the header is absent or malformed.
    /// </summary>
    public bool TryGetFirstValue<T>(SipHeaderId id, out T value)
        where T : struct, ISipHeaderValue<T>
    {
        value = default;
        foreach (var range in EnumerateValues(id))
        {
            return T.TryParse(GetMemory(range), out value, out _);
        }

        return false;
    }

    /// <summary>Takes a message from the pool (used by the parser and by tests).</summary>
    internal static SipMessage Rent()
    {
        var m = SipMessagePool.Rent() ?? new SipMessage();
        Volatile.Write(ref m._live, 1);
        return m;
    }

    /// <summary>Copies the message bytes into a pooled buffer owned by this message.</summary>
    internal void SetBytes(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length < bytes.Length)
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bytes.Length, 512));
        }

        bytes.CopyTo(_buffer);
        _length = bytes.Length;
    }

    internal ReadOnlySpan<SipHeaderField> RawHeaders => new(_headers, 0, _headerCount);

    internal void AddHeader(in SipHeaderField field)
    {
        if (_headerCount == _headers.Length)
        {
            Array.Resize(ref _headers, _headers.Length * 2);
        }

        var index = _headerCount++;
        _headers[index] = field;
        if (field.Id != SipHeaderId.Unknown)
        {
            var id = (int)field.Id;
            if (_first[id] < 0)
            {
                _first[id] = (short)index;
            }

            _count[id]++;
        }
    }

    public void Dispose()
    {
        // Two owners disposing at once (a TU thread and the edge loop) must not both return it: the pool would hand
        // the same message to two parses.
        if (Interlocked.Exchange(ref _live, 0) == 0)
        {
            return;
        }

        Reset();
        SipMessagePool.Return(this);
    }

    private void Reset()
    {
        for (var i = 0; i < _headerCount; i++)
        {
            var id = (int)_headers[i].Id;
            _first[id] = -1;
            _count[id] = 0;
        }

        _headerCount = 0;
        _length = 0;
        IsRequest = false;
        Method = SipMethod.Extension;
        MethodRange = RequestUriRange = VersionRange = ReasonPhraseRange = StartLineRange = BodyRange = default;
        StatusCode = 0;
        HeaderSectionEnd = 0;
        CSeqNumber = -1;
        CSeqMethodRange = default;
        MaxForwards = -1;
        ContentLength = -1;
        CallIdRange = FromTagRange = ToTagRange = default;
        TopViaTransportRange = TopViaSentByRange = TopViaBranchRange = default;

        // Large buffers go back to the shared pool; small ones stay with the message for the next parse.
        if (_buffer.Length > 4096)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        if (_headers.Length > 64)
        {
            _headers = new SipHeaderField[24];
        }
    }

    public override string ToString() => Volatile.Read(ref _live) != 0 ? Encoding.UTF8.GetString(Span) : "(disposed)";

    public struct HeaderEnumerator
    {
        private readonly SipMessage _message;
        private readonly SipHeaderId _id;
        private int _index;

        internal HeaderEnumerator(SipMessage message, SipHeaderId id)
        {
            _message = message;
            _id = id;
            _index = message.IndexOf(id) - 1;
            if (_index < -1)
            {
                _index = message._headerCount;
            }
        }

        public readonly SipHeaderField Current => _message._headers[_index];

        public readonly HeaderEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (++_index < _message._headerCount)
            {
                if (_message._headers[_index].Id == _id)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Values of every line with one header id, split with the Syntax layer's list splitter.</summary>
    public ref struct ValueEnumerator
    {
        private readonly ReadOnlySpan<byte> _span;
        private HeaderEnumerator _lines;
        private SipListEnumerator _list;
        private int _lineStart;
        private bool _inLine;

        internal ValueEnumerator(SipMessage message, SipHeaderId id)
        {
            _span = message.Span;
            _lines = new HeaderEnumerator(message, id);
        }

        /// <summary>The current value as a range of the message.</summary>
        public ByteRange Current { get; private set; }

        /// <summary>True when a line's list could not be split (unbalanced quotes or brackets).</summary>
        public bool Malformed { get; private set; }

        public readonly ValueEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (true)
            {
                if (!_inLine)
                {
                    if (!_lines.MoveNext())
                    {
                        return false;
                    }

                    var value = _lines.Current.Value;
                    _lineStart = value.Start;
                    _list = new SipListEnumerator(_span.Slice(value.Start, value.Length));
                    _inLine = true;
                }

                if (_list.MoveNext())
                {
                    Current = new ByteRange(_lineStart + _list.CurrentOffset, _list.CurrentLength);
                    return true;
                }

                Malformed |= _list.Error != SipSyntaxError.None;
                _inLine = false;
            }
        }
    }
}

/// <summary>
/// Bounded pool of message objects; each keeps its index arrays and a small buffer between uses (at most 1 024 kept, a
/// few MB for the life of the process). Sized for the requests in flight at once under load (a REGISTER is held until
/// its journal write returns, a few milliseconds at thousands per second), so that a busy node parses without
/// allocating.
/// </summary>
internal static class SipMessagePool
{
    private const int Capacity = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentQueue<SipMessage> Items = new();
    private static SipMessage? s_fast;
    private static int s_count;

    public static SipMessage? Rent()
    {
        var m = s_fast;
        if (m is not null && Interlocked.CompareExchange(ref s_fast, null, m) == m)
        {
            return m;
        }

        if (Items.TryDequeue(out m))
        {
            Interlocked.Decrement(ref s_count);
            return m;
        }

        return null;
    }

    public static void Return(SipMessage message)
    {
        if (s_fast is null && Interlocked.CompareExchange(ref s_fast, message, null) is null)
        {
            return;
        }

        if (Interlocked.Increment(ref s_count) <= Capacity)
        {
            Items.Enqueue(message);
            return;
        }

        Interlocked.Decrement(ref s_count);
    }
}
