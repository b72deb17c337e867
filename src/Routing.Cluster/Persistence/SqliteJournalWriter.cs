using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// The SQLite group-commit writer (<see cref="JournalGroupWriter"/>): SQLite has a single writer anyway, and the
/// statements run through SQLite's own prepared statements. Rows are appended to the journal table only; their
/// (persistence id, sequence number) keys go to the index table in sorted batches after the commits
/// (<see cref="SqliteJournalTail"/>, <see cref="SqliteJournalSchema.IndexDdl"/>).
/// </summary>
internal sealed class SqliteJournalWriter : JournalGroupWriter
{
    private readonly JournalSettings _settings;
    private readonly string? _writerUuid;
    private SqliteConnection? _connection;
    private InsertEvent? _insert;
    private InsertTag? _insertTag;
    private SQLitePCL.sqlite3_stmt? _indexed;
    private SQLitePCL.sqlite3_stmt? _indexedHighest;
    private SQLitePCL.sqlite3_stmt? _indexInsert;
    private SQLitePCL.sqlite3_stmt? _mark;
    private SqliteJournalTail.Key[] _round = new SqliteJournalTail.Key[1024];
    private bool _merging;
    private int _roundCount;
    private int _roundNext;
    private long _roundMark;
    private readonly Dictionary<string, SnapshotStatements> _snapshots = [];
    private readonly SqliteJournalTail _tail;
    private readonly List<(string PersistenceId, long SequenceNr, long Ordering)> _written = [];
    private readonly HashSet<(string, long)> _writtenKeys = [];
    private long _nextMergeAttempt;
    private readonly Action<Exception> _mergeFailed;

    /// <summary>How long the writer waits before it tries a failed merge again.</summary>
    private static readonly TimeSpan MergeRetryDelay = TimeSpan.FromSeconds(1);

    /// <param name="mergeFailed">Told of each failed merge chunk (on the writer thread, at most once a second); must not throw.</param>
    public SqliteJournalWriter(JournalSettings settings, string? writerUuid, string name, SqliteJournalTail tail, Action<Exception> mergeFailed)
        : base(settings.MaxPendingEvents, settings.MaxBatchEvents, settings.MinCommitInterval, name)
    {
        _settings = settings;
        _writerUuid = writerUuid;
        _tail = tail;
        _mergeFailed = mergeFailed;
        Start();
    }

    // One busy timeout is the longest a batch can wait for the lock.
    protected override TimeSpan DrainTimeout => _settings.BusyTimeout + TimeSpan.FromSeconds(5);

    protected override bool IsPerRequestFailure(Exception failure) =>
        failure is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_CONSTRAINT } or SnapshotWriteException;

    protected override int Commit(List<JournalWriteRequest> requests)
    {
        var connection = EnsureConnection();
        var events = 0;
        _written.Clear();
        _writtenKeys.Clear();
        try
        {
            BeginImmediate(connection);
            foreach (var request in requests)
            {
                if (request is SnapshotWriteRequest snapshot)
                {
                    WriteSnapshot(connection, snapshot);
                    continue;
                }

                foreach (var write in request.Writes)
                {
                    if (write is null)
                    {
                        continue;
                    }

                    foreach (var row in write)
                    {
                        Insert(connection, row);
                        events++;
                    }
                }
            }

            // The commit and the tail's new keys together, under the tail's lock: a merge round that starts meanwhile
            // (another journal's writer on this table) sees either neither or both (SqliteJournalTail.TakeRound).
            // Before the base completes the requests: an acknowledged event is in the tail or the index table.
            _tail.Commit(() => Exec(connection, "COMMIT"), _written);
        }
        catch (Exception)
        {
            _written.Clear();
            _writtenKeys.Clear();
            Abandon(connection);
            throw;
        }

        _written.Clear();
        _writtenKeys.Clear();
        return events;
    }

    /// <summary>
    /// Merges the tail into the index table once it holds <c>sqlite-index-merge-events</c> rows or its oldest row is
    /// <c>sqlite-index-merge-interval</c> old. A round takes the tail's keys as they are (<see cref="SqliteJournalTail.TakeRound"/>),
    /// sorted, and inserts them <see cref="MergeChunkKeys"/> at a time, a chunk between batches, so that each id's new
    /// entries land on its leaf together while no commit waits behind more than one chunk (one statement for a whole
    /// round of 20 000 keys held the writer for 160 ms, at 22 000 REGISTER/s). The last
    /// chunk moves the mark in its transaction; the keys then leave the tail. A failed chunk loses nothing (the rows
    /// are in the journal table, the keys in the tail, a restart indexes them, and inserting a key twice is a no-op);
    /// it is tried again a second later.
    /// </summary>
    protected override bool AfterBatch()
    {
        var now = Environment.TickCount64;
        if (now < _nextMergeAttempt)
        {
            return false;
        }

        if (!_merging)
        {
            var count = _tail.Count;
            if (count == 0 ||
                (count < _settings.IndexMergeEvents && now - _tail.FirstAddedAt < (long)_settings.IndexMergeInterval.TotalMilliseconds))
            {
                return false;
            }

            (_roundCount, _roundMark) = _tail.TakeRound(ref _round);
            _roundNext = 0;
            _merging = true;
        }

        try
        {
            MergeChunk();
            return _merging;
        }
        catch (Exception e)
        {
            _nextMergeAttempt = now + (long)MergeRetryDelay.TotalMilliseconds;
            _mergeFailed(e);
            return false;
        }
    }

    /// <summary>Keys inserted per merge transaction: the most a commit waits behind a merge is one such chunk.</summary>
    internal const int MergeChunkKeys = 4_000;

    private void MergeChunk()
    {
        var connection = EnsureConnection();
        var round = _round;
        var end = Math.Min(_roundCount, _roundNext + MergeChunkKeys);
        try
        {
            BeginImmediate(connection);
            var insert = _indexInsert!;
            for (var i = _roundNext; i < end; i++)
            {
                var key = round[i];
                Bound(connection, SQLitePCL.raw.sqlite3_bind_text(insert, 1, key.PersistenceId));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert, 2, key.SequenceNr));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert, 3, key.Ordering));
                Step(connection, insert);
            }

            if (end == _roundCount)
            {
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(_mark!, 1, _roundMark));
                Step(connection, _mark!);
            }

            Exec(connection, "COMMIT");
        }
        catch (Exception)
        {
            Abandon(connection);
            throw;
        }

        _roundNext = end;
        if (end == _roundCount)
        {
            // Only now: a reader that takes an id's entries after this finds them in the index table.
            _tail.RemoveUpTo(_roundMark);
            _merging = false;
        }
    }

    /// <summary>
    /// After a failed transaction: rolls back what is open, and closes the connection, which may be unusable (file gone,
    /// disk error); the next transaction starts over with a fresh one.
    /// </summary>
    private void Abandon(SqliteConnection connection)
    {
        if (connection.Handle is { } open && SQLitePCL.raw.sqlite3_get_autocommit(open) == 0)
        {
            SQLitePCL.raw.sqlite3_exec(open, "ROLLBACK");
        }

        CloseConnection();
    }

    /// <summary>
    /// The unique key (persistence id, sequence number) the journal table's unique index used to enforce: a second
    /// writer of one id (two incarnations of an entity) must fail its own write, not add a second row. Checked against
    /// this batch; then, unless the number is above the id's highest committed one (<see cref="SqliteJournalTail.IsAboveHighest"/>,
    /// the usual case), against the tail and the index table. An id the tail knows nothing of yet costs one read of
    /// its highest indexed number, inside this transaction (the file's write lock held), and is known from then on.
    /// </summary>
    private void RefuseDuplicate(SqliteConnection connection, JournalRow row)
    {
        var duplicate = _writtenKeys.Contains((row.PersistenceId, row.SequenceNr));
        if (!duplicate && !_tail.IsAboveHighest(row.PersistenceId, row.SequenceNr))
        {
            var highest = _tail.Learn(row.PersistenceId, ReadLong(connection, _indexedHighest!, row.PersistenceId, null));
            duplicate = row.SequenceNr <= highest
                && (_tail.Contains(row.PersistenceId, row.SequenceNr) || ReadLong(connection, _indexed!, row.PersistenceId, row.SequenceNr) != 0);
        }

        if (duplicate)
        {
            throw new SqliteException(
                $"UNIQUE constraint failed: {_settings.JournalTable} ({row.PersistenceId}, {row.SequenceNr}) is already written",
                SQLitePCL.raw.SQLITE_CONSTRAINT);
        }
    }

    /// <summary>Runs a one-value query on (id[, sequence number]); its first column as a number, 0 for no row or NULL.</summary>
    private static long ReadLong(SqliteConnection connection, SQLitePCL.sqlite3_stmt statement, string persistenceId, long? sequenceNr)
    {
        Bound(connection, SQLitePCL.raw.sqlite3_bind_text(statement, 1, persistenceId));
        if (sequenceNr is { } n)
        {
            Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(statement, 2, n));
        }

        try
        {
            var rc = SQLitePCL.raw.sqlite3_step(statement);
            if (rc == SQLitePCL.raw.SQLITE_ROW)
            {
                return SQLitePCL.raw.sqlite3_column_int64(statement, 0);
            }

            if (rc != SQLitePCL.raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, connection.Handle);
            }

            return 0;
        }
        finally
        {
            SQLitePCL.raw.sqlite3_reset(statement);
        }
    }

    /// <summary>
    /// BEGIN IMMEDIATE takes the write lock up front. The lock is shared with the other writers of the same file (the
    /// sharding journal's writer, the CDR projection, the snapshot store); SQLite's own busy handler sleeps 1, 2, 5, 10,
    /// ... up to 100 ms between tries, so a writer that found the lock taken for a millisecond often slept tens of
    /// milliseconds, and every write queued behind it (a BYE waits for its commit) with it. Here the lock is tried every
    /// millisecond instead, within the same budget (sqlite-busy-timeout). The statements run through SQLite directly:
    /// Microsoft.Data.Sqlite would retry a busy statement only every 150 ms.
    /// </summary>
    private void BeginImmediate(SqliteConnection connection)
    {
        var handle = connection.Handle!;
        var deadline = Environment.TickCount64 + (long)_settings.BusyTimeout.TotalMilliseconds;
        SQLitePCL.raw.sqlite3_busy_timeout(handle, 0);
        try
        {
            while (true)
            {
                var rc = SQLitePCL.raw.sqlite3_exec(handle, "BEGIN IMMEDIATE");
                if (rc == SQLitePCL.raw.SQLITE_OK)
                {
                    return;
                }

                if ((rc & 0xFF) != SQLitePCL.raw.SQLITE_BUSY || Environment.TickCount64 >= deadline)
                {
                    SqliteException.ThrowExceptionForRC(rc, handle);
                }

                Thread.Sleep(1);
            }
        }
        finally
        {
            // Within the transaction (COMMIT, a WAL checkpoint) the usual busy wait applies.
            SQLitePCL.raw.sqlite3_busy_timeout(handle, (int)Math.Min(int.MaxValue, (long)_settings.BusyTimeout.TotalMilliseconds));
        }
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        var rc = SQLitePCL.raw.sqlite3_exec(connection.Handle!, sql);
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
    }

    /// <summary>
    /// One journal row (and its tag rows) through SQLite's own prepared statements: Microsoft.Data.Sqlite's
    /// ExecuteNonQuery allocated a reader, a statement enumerator and a binder per parameter for every event.
    /// </summary>
    private void Insert(SqliteConnection connection, JournalRow row)
    {
        RefuseDuplicate(connection, row);
        var insert = _insert!;
        // A failed bind leaves its parameter NULL: checked, so that a row is never written without its payload.
        Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert.Statement, insert.Created, row.Created));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_text(insert.Statement, insert.PersistenceId, row.PersistenceId));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert.Statement, insert.SequenceNr, row.SequenceNr));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_blob(insert.Statement, insert.Message, row.Message));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_text(insert.Statement, insert.Manifest, row.Manifest));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert.Statement, insert.Identifier, row.Identifier));
        Step(connection, insert.Statement);
        var ordering = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
        _written.Add((row.PersistenceId, row.SequenceNr, ordering));
        _writtenKeys.Add((row.PersistenceId, row.SequenceNr));
        if (row.Tags.Length == 0)
        {
            return;
        }

        // The tag table points at the journal row's ordering, the key the read journal pages EventsByTag with.
        var tag = _insertTag!;
        foreach (var t in row.Tags)
        {
            Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(tag.Statement, tag.Ordering, ordering));
            Bound(connection, SQLitePCL.raw.sqlite3_bind_text(tag.Statement, tag.Tag, t));
            Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(tag.Statement, tag.SequenceNr, row.SequenceNr));
            Bound(connection, SQLitePCL.raw.sqlite3_bind_text(tag.Statement, tag.PersistenceId, row.PersistenceId));
            Step(connection, tag.Statement);
        }
    }

    /// <summary>
    /// A snapshot save (and the removal of the same id's older snapshots) or deletion, inside the batch's transaction.
    /// A failure here (a missing table, say) is the snapshot request's own: rethrown as <see cref="SnapshotWriteException"/>
    /// so that the batch is retried request by request and the events in it still commit.
    /// </summary>
    private void WriteSnapshot(SqliteConnection connection, SnapshotWriteRequest request)
    {
        try
        {
            if (!_snapshots.TryGetValue(request.Table, out var statements))
            {
                statements = new SnapshotStatements(connection, request.Table);
                _snapshots[request.Table] = statements;
            }

            if (request.Save is { } row)
            {
                var save = statements.Save;
                Bound(connection, SQLitePCL.raw.sqlite3_bind_text(save, 1, row.PersistenceId));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(save, 2, row.SequenceNr));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(save, 3, row.Created));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_blob(save, 4, row.Snapshot));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_text(save, 5, row.Manifest));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(save, 6, row.SerializerId));
                Step(connection, save);
                var prune = statements.PruneOlder;
                Bound(connection, SQLitePCL.raw.sqlite3_bind_text(prune, 1, row.PersistenceId));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(prune, 2, row.SequenceNr));
                Step(connection, prune);
            }

            if (request.Deletion is { } d)
            {
                var delete = statements.Delete;
                Bound(connection, SQLitePCL.raw.sqlite3_bind_text(delete, 1, d.PersistenceId));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(delete, 2, d.MinSequenceNr));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(delete, 3, d.MaxSequenceNr));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(delete, 4, d.MinCreated));
                Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(delete, 5, d.MaxCreated));
                Step(connection, delete);
            }
        }
        catch (SqliteException e)
        {
            throw new SnapshotWriteException($"snapshot write to table {request.Table} failed: {e.Message}", e);
        }
    }

    private static void Bound(SqliteConnection connection, int rc)
    {
        if (rc != SQLitePCL.raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
    }

    private static void Step(SqliteConnection connection, SQLitePCL.sqlite3_stmt statement)
    {
        var rc = SQLitePCL.raw.sqlite3_step(statement);
        SQLitePCL.raw.sqlite3_reset(statement);
        if (rc != SQLitePCL.raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        }
    }

    private static SQLitePCL.sqlite3_stmt Prepare(SqliteConnection connection, string sql)
    {
        var rc = SQLitePCL.raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement);
        if (rc != SQLitePCL.raw.SQLITE_OK || statement is null)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, connection.Handle);
            throw new SqliteException($"could not prepare a journal statement (SQLite error {rc})", rc);
        }

        return statement;
    }

    private static int Index(SQLitePCL.sqlite3_stmt statement, string name)
    {
        var index = SQLitePCL.raw.sqlite3_bind_parameter_index(statement, name);
        return index > 0 ? index : throw new InvalidOperationException($"journal statement has no parameter {name}");
    }

    /// <summary>The prepared journal INSERT and its parameter positions.</summary>
    private sealed class InsertEvent : IDisposable
    {
        public InsertEvent(SqliteConnection connection, string table, string? writerUuid)
        {
            Statement = Prepare(connection,
                $"INSERT INTO [{table}] (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                "VALUES ($created, 0, $pid, $seq, $message, $manifest, $identifier, $uuid)");
            Created = Index(Statement, "$created");
            PersistenceId = Index(Statement, "$pid");
            SequenceNr = Index(Statement, "$seq");
            Message = Index(Statement, "$message");
            Manifest = Index(Statement, "$manifest");
            Identifier = Index(Statement, "$identifier");
            var uuid = Index(Statement, "$uuid");
            // Bindings survive sqlite3_reset: the writer's id is bound once.
            _ = writerUuid is null
                ? SQLitePCL.raw.sqlite3_bind_null(Statement, uuid)
                : SQLitePCL.raw.sqlite3_bind_text(Statement, uuid, writerUuid);
        }

        public SQLitePCL.sqlite3_stmt Statement { get; }

        public int Created { get; }

        public int PersistenceId { get; }

        public int SequenceNr { get; }

        public int Message { get; }

        public int Manifest { get; }

        public int Identifier { get; }

        public void Dispose() => Statement.Dispose();
    }

    /// <summary>The prepared tag INSERT and its parameter positions.</summary>
    private sealed class InsertTag : IDisposable
    {
        public InsertTag(SqliteConnection connection, string table)
        {
            Statement = Prepare(connection,
                $"INSERT INTO [{table}] (ordering_id, tag, sequence_nr, persistence_id) VALUES ($ordering, $tag, $seq, $pid)");
            Ordering = Index(Statement, "$ordering");
            Tag = Index(Statement, "$tag");
            SequenceNr = Index(Statement, "$seq");
            PersistenceId = Index(Statement, "$pid");
        }

        public SQLitePCL.sqlite3_stmt Statement { get; }

        public int Ordering { get; }

        public int Tag { get; }

        public int SequenceNr { get; }

        public int PersistenceId { get; }

        public void Dispose() => Statement.Dispose();
    }

    /// <summary>The prepared snapshot statements of one snapshot table (parameters by position).</summary>
    private sealed class SnapshotStatements : IDisposable
    {
        public SnapshotStatements(SqliteConnection connection, string table)
        {
            try
            {
                Save = Prepare(connection,
                    $"INSERT OR REPLACE INTO [{table}] (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) " +
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
                PruneOlder = Prepare(connection, $"DELETE FROM [{table}] WHERE persistence_id = ?1 AND sequence_number < ?2");
                Delete = Prepare(connection,
                    $"DELETE FROM [{table}] WHERE persistence_id = ?1 AND sequence_number >= ?2 AND sequence_number <= ?3 " +
                    "AND created >= ?4 AND created <= ?5");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public SQLitePCL.sqlite3_stmt Save { get; } = null!;

        public SQLitePCL.sqlite3_stmt PruneOlder { get; } = null!;

        public SQLitePCL.sqlite3_stmt Delete { get; } = null!;

        public void Dispose()
        {
            Save?.Dispose();
            PruneOlder?.Dispose();
            Delete?.Dispose();
        }
    }

    private SqliteConnection EnsureConnection()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = new SqliteConnection(_settings.ConnectionString);
        try
        {
            connection.Open();
            SqliteJournalSchema.ConfigureWriter(connection, _settings);
            _insert = new InsertEvent(connection, _settings.JournalTable, _writerUuid);
            _insertTag = new InsertTag(connection, _settings.TagTable);
            var journal = _settings.JournalTable;
            _indexed = Prepare(connection,
                $"SELECT 1 FROM [{SqliteJournalSchema.IndexTable(journal)}] WHERE persistence_id = ?1 AND sequence_number = ?2");
            _indexedHighest = Prepare(connection, SqliteJournalSchema.IndexedHighestSql(journal));
            // A key whose row a delete removed meanwhile is not indexed again.
            _indexInsert = Prepare(connection,
                $"INSERT OR IGNORE INTO [{SqliteJournalSchema.IndexTable(journal)}] (persistence_id, sequence_number, ordering) " +
                $"SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM [{journal}] WHERE ordering = ?3)");
            _mark = Prepare(connection, SqliteJournalSchema.MarkSql(journal));
        }
        catch
        {
            DisposeStatements();
            connection.Dispose();
            throw;
        }

        _connection = connection;
        return connection;
    }

    protected override void CloseConnection()
    {
        foreach (var statements in _snapshots.Values)
        {
            statements.Dispose();
        }

        _snapshots.Clear();
        DisposeStatements();
        _connection?.Dispose();
        _connection = null;
    }

    private void DisposeStatements()
    {
        _insert?.Dispose();
        _insertTag?.Dispose();
        _indexed?.Dispose();
        _indexedHighest?.Dispose();
        _indexInsert?.Dispose();
        _mark?.Dispose();
        _insert = null;
        _insertTag = null;
        _indexed = null;
        _indexedHighest = null;
        _indexInsert = null;
        _mark = null;
    }
}
