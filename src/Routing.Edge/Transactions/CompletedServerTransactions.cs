using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Routing.Sip.Transactions;

namespace Routing.Edge.Transactions;

/// <summary>
/// The Completed state of non-INVITE server transactions over UDP (RFC 3261 §17.2.2), kept as bytes. For Timer J
/// (64*T1) such a transaction only has to answer a retransmitted request with its final response again and to keep
/// the request's §8.2.2.2 merge key taken; it needs nothing else of the transaction. The table ends the transaction as
/// soon as its final response is sent (<see cref="TransactionOptions.LingerCompletedNonInviteServer"/> off) and the
/// edge keeps here its key, its merge key and the response.
/// </summary>
/// <remarks>
/// <para>Why: at the registrar's rates the whole transaction kept for 32 s (the transaction, its context, the strings of
/// its keys, the response) was about 1 KB per REGISTER that every gen0 collection promoted and a gen2 collection later
/// freed: the collector, not the CPU, set the ceiling. Here an entry is a struct in one ring and its bytes in 80 KiB
/// chunks reused in FIFO order: the collector sees one reference-free array per hundred or so transactions, and none
/// once the rate is steady (freed chunks are reused). Chunks come from the pinned-object heap: they live for Timer J,
/// so in the young generations every gen0 and gen1 collection copied them (at 28 000 REGISTER/s, 30 of the 50 MB each
/// gen0 collection promoted, and pauses of 80 ms); the pinned-object heap is only swept, with gen2, and since every
/// chunk has the same size the space a freed one leaves is taken by the next.</para>
/// <para>Every entry lives the same time, so entries expire in the order they were added: a ring of entries, and chunks
/// filled in order and recycled once the entries in them expired. Lookups go through a 64-bit hash of the key bytes and
/// (<see cref="HashSequenceIndex"/>: one cache line per lookup, where a dictionary of this size missed twice) and then
/// compare the bytes, so a match is exact; two live keys with the same hash (about one in 2^64 per pair) leave the
/// older one unfound, which makes its retransmission a new request: the harm of a lost retransmission, no worse.</para>
/// <para>Single-threaded: the edge's loop owns it, as it owns the transaction table.</para>
/// </remarks>
internal sealed class CompletedServerTransactions
{
    // One size for every chunk (pinned, see the remarks), so freed space fits the next one. An entry larger than a
    // chunk (not on UDP) gets a chunk of its own, an ordinary array.
    private const int ChunkSize = 80 * 1024;
    private const int FreeChunksKept = 16;

    private readonly TimeSpan _linger;
    // XXH3 seeded per process: 64 bits that a peer cannot aim at, in one pass over the key.
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private readonly HashSequenceIndex _byKey = new();
    private readonly HashSequenceIndex _byMerge = new();
    private readonly List<byte[]> _chunks = [];
    private readonly Stack<byte[]> _freeChunks = new();
    private Entry[] _entries = new Entry[1024];
    private byte[] _scratch = new byte[512];
    private long _head;
    private long _tail;
    private long _firstChunk;
    private int _tailOffset;
    private int _tailCapacity;

    public CompletedServerTransactions(TimeSpan linger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(linger, TimeSpan.Zero);
        _linger = linger;
    }

    /// <summary>Completed transactions held now.</summary>
    public int Count => (int)(_tail - _head);

    /// <summary>Bytes of the chunks in use and kept for reuse.</summary>
    public long ChunkBytes
    {
        get
        {
            long bytes = (long)_freeChunks.Count * ChunkSize;
            foreach (var chunk in _chunks)
            {
                bytes += chunk.Length;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Looks up the transaction a received request belongs to. True when it is a retransmission of a completed one;
    /// <paramref name="response"/> is then its final response (empty when the TU abandoned it, RFC 4320 §4.2), valid
    /// until the next call that adds or expires.
    /// </summary>
    public bool TryFind(in ServerRequestInfo info, out ReadOnlySpan<byte> response)
    {
        response = default;
        if (_head == _tail)
        {
            return false;
        }

        var key = Scratch(KeyLength(info));
        var sequence = Find(_byKey, key[..WriteKey(info, key)], merge: false);
        if (sequence < 0)
        {
            return false;
        }

        ref var entry = ref _entries[Slot(sequence)];
        response = ChunkOf(entry).Slice(entry.Offset + entry.KeyLength + entry.MergeLength, entry.ResponseLength);
        return true;
    }

    /// <summary>True when a completed transaction holds the §8.2.2.2 merge key of <paramref name="info"/> (From tag, Call-ID, CSeq).</summary>
    public bool HoldsMergeKey(in ServerRequestInfo info)
    {
        if (_head == _tail || info.FromTag is null || info.ToTag is not null)
        {
            return false;
        }

        var key = Scratch(MergeKeyLength(info));
        return Find(_byMerge, key[..WriteMergeKey(info, key)], merge: true) >= 0;
    }

    /// <summary>The live entry whose key (or merge key) is exactly <paramref name="key"/>, or -1.</summary>
    private long Find(HashSequenceIndex index, ReadOnlySpan<byte> key, bool merge)
    {
        if (!index.TryGet(Hash(key), out var sequence) || sequence < _head)
        {
            return -1;
        }

        ref var entry = ref _entries[Slot(sequence)];
        var stored = merge
            ? ChunkOf(entry).Slice(entry.Offset + entry.KeyLength, entry.MergeLength)
            : ChunkOf(entry).Slice(entry.Offset, entry.KeyLength);
        return stored.SequenceEqual(key) ? sequence : -1;
    }

    private Span<byte> ChunkOf(in Entry entry) => _chunks[(int)(entry.Chunk - _firstChunk)];

    /// <summary>A buffer of at least <paramref name="length"/> bytes for building a lookup key (single-threaded owner).</summary>
    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        return _scratch;
    }

    /// <summary>
    /// Keeps a transaction that just sent its final <paramref name="response"/> (or was abandoned: empty) until
    /// <paramref name="now"/> + Timer J. <paramref name="mergeKey"/>: whether its request took part in §8.2.2.2 detection.
    /// </summary>
    public void Add(in ServerRequestInfo info, bool mergeKey, ReadOnlySpan<byte> response, TimeSpan now)
    {
        var keyLength = KeyLength(info);
        var mergeLength = mergeKey && info.FromTag is not null && info.ToTag is null ? MergeKeyLength(info) : 0;
        var total = keyLength + mergeLength + response.Length;
        if (_tailOffset + total > _tailCapacity)
        {
            var chunk = total > ChunkSize ? new byte[total] : _freeChunks.TryPop(out var reused) ? reused : GC.AllocateUninitializedArray<byte>(ChunkSize, pinned: true);
            _chunks.Add(chunk);
            _tailOffset = 0;
            _tailCapacity = chunk.Length;
        }

        if (_tail - _head == _entries.Length)
        {
            Grow();
        }

        var chunkIndex = _chunks.Count - 1;
        var target = _chunks[chunkIndex].AsSpan(_tailOffset, total);
        var written = WriteKey(info, target);
        var keyHash = Hash(target[..written]);
        ulong mergeHash = 0;
        if (mergeLength > 0)
        {
            var merge = target.Slice(keyLength, mergeLength);
            WriteMergeKey(info, merge);
            mergeHash = Hash(merge);
        }

        response.CopyTo(target[(keyLength + mergeLength)..]);
        var sequence = _tail++;
        _entries[Slot(sequence)] = new Entry(now + _linger, keyHash, mergeHash, _firstChunk + chunkIndex, _tailOffset, keyLength, mergeLength, response.Length);
        _tailOffset += total;
        _byKey.Set(keyHash, sequence);
        if (mergeLength > 0)
        {
            _byMerge.Set(mergeHash, sequence);
        }
    }

    /// <summary>Ends every transaction whose Timer J is due by <paramref name="now"/>; returns how many ended.</summary>
    public int Expire(TimeSpan now)
    {
        var ended = 0;
        while (_head < _tail)
        {
            ref var entry = ref _entries[Slot(_head)];
            if (entry.ExpiresAt > now)
            {
                break;
            }

            _byKey.RemoveIfSame(entry.KeyHash, _head);
            if (entry.MergeLength > 0)
            {
                _byMerge.RemoveIfSame(entry.MergeHash, _head);
            }

            entry = default;
            _head++;
            ended++;
        }

        // The chunks before the one the head lives in are done (all but the one being filled when none is left).
        var keepFrom = _head < _tail ? _entries[Slot(_head)].Chunk : _firstChunk + _chunks.Count - 1;
        while (_firstChunk < keepFrom)
        {
            Release(_chunks[0]);
            _chunks.RemoveAt(0);
            _firstChunk++;
        }

        if (ended > 0)
        {
            _byKey.Trim();
            _byMerge.Trim();
        }

        return ended;
    }

    private void Release(byte[] chunk)
    {
        if (_freeChunks.Count < FreeChunksKept && chunk.Length == ChunkSize)
        {
            _freeChunks.Push(chunk);
        }
    }

    private int Slot(long sequence) => (int)(sequence % _entries.Length);

    private void Grow()
    {
        var larger = new Entry[_entries.Length * 2];
        for (var s = _head; s < _tail; s++)
        {
            larger[s % larger.Length] = _entries[Slot(s)];
        }

        _entries = larger;
    }

    // §17.2.3: branch, sent-by (host case-insensitive) and method; the RFC 2543 fallback: Request-URI, From tag,
    // Call-ID, CSeq number, top Via, method, and the To tag a retransmission repeats.
    private static int KeyLength(in ServerRequestInfo info) => info.HasMagicCookie
        ? 1 + Bytes(info.Branch) + 1 + Bytes(info.SentBy.Host) + 6 + Bytes(info.Method)
        : 1 + Bytes(info.RequestUri) + 1 + Bytes(info.FromTag) + 1 + Bytes(info.CallId) + 11 + Bytes(info.TopVia) + 1 + Bytes(info.Method) + 1 + Bytes(info.ToTag);

    private static int WriteKey(in ServerRequestInfo info, Span<byte> into)
    {
        var w = new Writer(into);
        if (info.HasMagicCookie)
        {
            w.Byte((byte)'B');
            w.Text(info.Branch);
            w.Byte(0);
            w.LowerText(info.SentBy.Host);
            w.Number((uint)info.SentBy.Port, 6);
            w.Text(info.Method);
        }
        else
        {
            w.Byte((byte)'L');
            w.Text(info.RequestUri);
            w.Byte(0);
            w.Text(info.FromTag);
            w.Byte(0);
            w.Text(info.CallId);
            w.Number(info.CSeqNumber, 11);
            w.Text(info.TopVia);
            w.Byte(0);
            w.Text(info.Method);
            w.Byte(0);
            w.Text(info.ToTag);
        }

        return w.Written;
    }

    private static int MergeKeyLength(in ServerRequestInfo info) =>
        Bytes(info.FromTag) + 1 + Bytes(info.CallId) + 11 + Bytes(info.CSeqMethod);

    private static int WriteMergeKey(in ServerRequestInfo info, Span<byte> into)
    {
        var w = new Writer(into);
        w.Text(info.FromTag);
        w.Byte(0);
        w.Text(info.CallId);
        w.Number(info.CSeqNumber, 11);
        w.Text(info.CSeqMethod);
        return w.Written;
    }

    private static int Bytes(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s);

    private static ulong Hash(ReadOnlySpan<byte> bytes) => XxHash3.HashToUInt64(bytes, (long)Seed);

    private readonly record struct Entry(
        TimeSpan ExpiresAt, ulong KeyHash, ulong MergeHash, long Chunk, int Offset, int KeyLength, int MergeLength, int ResponseLength);

    private ref struct Writer(Span<byte> into)
    {
        private readonly Span<byte> _into = into;

        public int Written { get; private set; }

        public void Byte(byte b) => _into[Written++] = b;

        public void Text(string? s)
        {
            if (s is not null)
            {
                Written += Encoding.UTF8.GetBytes(s, _into[Written..]);
            }
        }

        public void LowerText(string s)
        {
            var start = Written;
            Text(s);
            foreach (ref var b in _into[start..Written])
            {
                if (b is >= (byte)'A' and <= (byte)'Z')
                {
                    b |= 0x20;
                }
            }
        }

        /// <summary>A separator then the number in <paramref name="width"/>-1 fixed digits, so fields never run together.</summary>
        public void Number(uint value, int width)
        {
            _into[Written++] = 0;
            for (var i = width - 2; i >= 0; i--)
            {
                _into[Written + i] = (byte)('0' + (value % 10));
                value /= 10;
            }

            Written += width - 1;
        }
    }
}
