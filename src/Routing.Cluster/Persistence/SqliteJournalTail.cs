using System.Collections.Concurrent;

namespace Routing.Cluster.Journal;

/// <summary>
/// The journal rows committed since the last merge into the index table (<see cref="SqliteJournalSchema.IndexDdl"/>),
/// by persistence id: what a replay, a highest-sequence-number read or a duplicate check must add to what the index
/// table answers. One per journal table per process (<see cref="For"/>), shared by every journal plugin of this process
/// that writes the table (tests configure several on one file).
/// <para>
/// Kept without an object per row: the keys sit in one array in commit order (which is <c>ordering</c> order: SQLite
/// has one writer at a time and the keys are added under the lock with their commit), each linked to the previous key
/// of its id, with the last key of each id in a dictionary. All of it is reused from round to round. (A first version
/// with an array per id, replaced on every row, kept each round's rows alive for seconds: they reached gen2 and
/// added gen2 collections under load.)
/// </para>
/// <para>
/// Writers add rows after the commit that wrote them (and before their requests are completed, so an acknowledged event
/// is always either here or in the index table) and remove them after the merge that indexed them has committed.
/// Readers take an id's entries first and query the index table after, so a merge in between shows some rows in both
/// (they keep one of each) and never in neither.
/// </para>
/// <para>
/// This relies on one writer process per file, as the read journal's ordering does (<see cref="SqliteReadJournal"/>):
/// rows another process wrote become visible when this journal next starts and indexes them.
/// </para>
/// </summary>
internal sealed class SqliteJournalTail
{
    private static readonly ConcurrentDictionary<string, SqliteJournalTail> Tails = new(StringComparer.Ordinal);

    private static readonly Comparer<Key> IndexOrder = Comparer<Key>.Create(static (a, b) =>
    {
        var byId = string.CompareOrdinal(a.PersistenceId, b.PersistenceId);
        return byId != 0 ? byId : a.SequenceNr.CompareTo(b.SequenceNr);
    });

    private readonly Lock _lock = new();
    private Key[] _keys = new Key[1024];
    private int[] _previous = new int[1024];
    private readonly Dictionary<string, int> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _highest = new(StringComparer.Ordinal);
    private readonly int _highestKept;
    private int _count;
    private long _firstAddedAt;

    /// <summary>One row of the tail: its sequence number and its <c>ordering</c> (the journal table's row id).</summary>
    public readonly record struct Entry(long SequenceNr, long Ordering);

    /// <summary>A key to merge: the row's persistence id, sequence number and <c>ordering</c>.</summary>
    public readonly record struct Key(string PersistenceId, long SequenceNr, long Ordering);

    /// <param name="highestKept">How many ids' highest sequence numbers <see cref="IsAboveHighest"/> remembers at most.</param>
    internal SqliteJournalTail(int highestKept = DefaultHighestKept)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(highestKept, 1);
        _highestKept = highestKept;
    }

    /// <summary>
    /// Ids whose highest sequence number the tail remembers, at most (about 100 bytes each, plus the id when its entity
    /// has passivated). Past it the memory starts over: each id then costs one index read again on its next write.
    /// </summary>
    public const int DefaultHighestKept = 1_000_000;

    /// <summary>The tail of <paramref name="table"/> in the file <paramref name="connectionString"/> names.</summary>
    public static SqliteJournalTail For(string connectionString, string table)
    {
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        var key = (file.Length > 0 && file != ":memory:" ? Path.GetFullPath(file) : file) + "|" + table;
        return Tails.GetOrAdd(key, _ => new SqliteJournalTail());
    }

    /// <summary>Ids whose highest committed sequence number the tail remembers now.</summary>
    public int HighestKnown
    {
        get
        {
            lock (_lock)
            {
                return _highest.Count;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="sequenceNr"/> is certainly above every committed key of the id, so it cannot be a
    /// duplicate of one: the tail has learned the id's highest (<see cref="Learn"/>) and kept it up with every commit
    /// since. False when it does not know the id or the number is not above: the caller checks the keys themselves.
    /// </summary>
    /// <remarks>
    /// A persistent actor writes increasing sequence numbers, so after one read per id the unique-key check costs a
    /// dictionary lookup instead of a read of the id's index leaf per event (with ten thousand busy ids those leaves
    /// outgrow the writer's page cache, and each check became a read from the WAL or the file). Deletes only remove
    /// keys, so the remembered number stays an upper bound. Exact as long as every write of the table goes through
    /// this process's tail, the same assumption as the tail itself.
    /// </remarks>
    public bool IsAboveHighest(string persistenceId, long sequenceNr)
    {
        lock (_lock)
        {
            return _highest.TryGetValue(persistenceId, out var highest) && sequenceNr > highest;
        }
    }

    /// <summary>
    /// Remembers the id's highest committed sequence number: <paramref name="indexedHighest"/> (the index table's,
    /// 0 for none) or the tail's own, whichever is higher; returns it. The caller must hold the file's write lock
    /// (be inside its write transaction) from reading the index table until this returns, so that no commit or merge
    /// of another writer of the table falls in between.
    /// </summary>
    public long Learn(string persistenceId, long indexedHighest)
    {
        lock (_lock)
        {
            var highest = indexedHighest;
            if (_last.TryGetValue(persistenceId, out var i))
            {
                for (; i >= 0; i = _previous[i])
                {
                    highest = Math.Max(highest, _keys[i].SequenceNr);
                }
            }

            if (_highest.Count >= _highestKept && !_highest.ContainsKey(persistenceId))
            {
                _highest.Clear();
            }

            _highest[persistenceId] = highest;
            return highest;
        }
    }

    /// <summary>Rows in the tail.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>When the oldest row of the tail was added (a <see cref="Environment.TickCount64"/> value).</summary>
    public long FirstAddedAt => Volatile.Read(ref _firstAddedAt);

    /// <summary>The id's rows in write order (a copy), or null when it has none.</summary>
    public Entry[]? Of(string persistenceId)
    {
        lock (_lock)
        {
            if (!_last.TryGetValue(persistenceId, out var last))
            {
                return null;
            }

            var n = 0;
            for (var i = last; i >= 0; i = _previous[i])
            {
                n++;
            }

            var entries = new Entry[n];
            for (var i = last; i >= 0; i = _previous[i])
            {
                entries[--n] = new Entry(_keys[i].SequenceNr, _keys[i].Ordering);
            }

            return entries;
        }
    }

    /// <summary>True when the tail holds (id, sequence number).</summary>
    public bool Contains(string persistenceId, long sequenceNr)
    {
        lock (_lock)
        {
            if (!_last.TryGetValue(persistenceId, out var i))
            {
                return false;
            }

            for (; i >= 0; i = _previous[i])
            {
                if (_keys[i].SequenceNr == sequenceNr)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="commit"/> (the writer's COMMIT) and adds the rows it committed, in write order, under the
    /// tail's lock: a round (<see cref="TakeRound"/>) sees a committed row's key or the row is not committed yet, in
    /// which case its ordering is above the round's mark (SQLite has one writer at a time, and a row's ordering is
    /// assigned when it is inserted).
    /// </summary>
    public void Commit(Action commit, List<(string PersistenceId, long SequenceNr, long Ordering)> rows)
    {
        lock (_lock)
        {
            commit();
            if (rows.Count == 0)
            {
                return;
            }

            if (_count == 0)
            {
                Volatile.Write(ref _firstAddedAt, Environment.TickCount64);
            }

            EnsureCapacity(_count + rows.Count);
            foreach (var (persistenceId, sequenceNr, ordering) in rows)
            {
                Append(new Key(persistenceId, sequenceNr, ordering));
                // A known id's highest follows its commits; an unknown one stays unknown until learned.
                if (_highest.TryGetValue(persistenceId, out var highest) && sequenceNr > highest)
                {
                    _highest[persistenceId] = sequenceNr;
                }
            }

            Volatile.Write(ref _count, _count);
        }
    }

    /// <summary>
    /// Copies every key in the tail now into <paramref name="buffer"/> (grown if too small), sorted in index order
    /// (persistence id, then sequence number: ordinal, as SQLite's BINARY collation orders ASCII ids). Returns how many
    /// and the highest ordering among them: the mark once they are all merged. Every row committed at or below that mark
    /// is among them (<see cref="Commit"/>). The keys stay in the tail until <see cref="RemoveUpTo"/>.
    /// </summary>
    public (int Count, long Mark) TakeRound(ref Key[] buffer)
    {
        int count;
        long mark;
        lock (_lock)
        {
            count = _count;
            if (buffer.Length < count)
            {
                buffer = new Key[Math.Max(count, buffer.Length * 2)];
            }

            Array.Copy(_keys, buffer, count);
            // Keys are in commit order, so in ordering order: the last is the highest.
            mark = count > 0 ? _keys[count - 1].Ordering : 0;
        }

        Array.Sort(buffer, 0, count, IndexOrder);
        return (count, mark);
    }

    /// <summary>Every row up to <paramref name="mark"/> (an <c>ordering</c>) is in the index table now.</summary>
    public void RemoveUpTo(long mark)
    {
        lock (_lock)
        {
            // The keys at or below the mark are a prefix (commit order is ordering order); the rest move to the front.
            var merged = 0;
            while (merged < _count && _keys[merged].Ordering <= mark)
            {
                merged++;
            }

            if (merged == 0)
            {
                return;
            }

            var left = _count - merged;
            Array.Copy(_keys, merged, _keys, 0, left);
            Array.Clear(_keys, left, merged);
            _last.Clear();
            _count = 0;
            for (var i = 0; i < left; i++)
            {
                Append(_keys[i]);
            }

            Volatile.Write(ref _count, left);
            if (left > 0)
            {
                // Rows added after the round began: they start the next round's clock.
                Volatile.Write(ref _firstAddedAt, Environment.TickCount64);
            }
        }
    }

    // Under the lock, with room for one more key.
    private void Append(Key key)
    {
        var i = _count++;
        _keys[i] = key;
        _previous[i] = _last.TryGetValue(key.PersistenceId, out var previous) ? previous : -1;
        _last[key.PersistenceId] = i;
    }

    private void EnsureCapacity(int needed)
    {
        if (_keys.Length >= needed)
        {
            return;
        }

        var size = Math.Max(needed, _keys.Length * 2);
        Array.Resize(ref _keys, size);
        Array.Resize(ref _previous, size);
    }
}
