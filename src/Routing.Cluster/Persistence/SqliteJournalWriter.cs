using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// The SQLite group-commit writer (<see cref="JournalGroupWriter"/>): SQLite has a single writer anyway, and the
/// statements run through SQLite's own prepared statements.
/// </summary>
internal sealed class SqliteJournalWriter : JournalGroupWriter
{
    private readonly JournalSettings _settings;
    private readonly string? _writerUuid;
    private SqliteConnection? _connection;
    private InsertEvent? _insert;
    private InsertTag? _insertTag;

    public SqliteJournalWriter(JournalSettings settings, string? writerUuid, string name)
        : base(settings.MaxPendingEvents, settings.MaxBatchEvents, settings.MinCommitInterval, name)
    {
        _settings = settings;
        _writerUuid = writerUuid;
        Start();
    }

    // One busy timeout is the longest a batch can wait for the lock.
    protected override TimeSpan DrainTimeout => _settings.BusyTimeout + TimeSpan.FromSeconds(5);

    protected override bool IsPerRequestFailure(Exception failure) =>
        failure is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_CONSTRAINT };

    protected override int Commit(List<JournalWriteRequest> requests)
    {
        var connection = EnsureConnection();
        var events = 0;
        try
        {
            BeginImmediate(connection);
            foreach (var request in requests)
            {
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

            Exec(connection, "COMMIT");
        }
        catch (Exception)
        {
            if (connection.Handle is { } open && SQLitePCL.raw.sqlite3_get_autocommit(open) == 0)
            {
                SQLitePCL.raw.sqlite3_exec(open, "ROLLBACK");
            }

            // The connection may be unusable (file gone, disk error): start over with a fresh one next time.
            CloseConnection();
            throw;
        }

        return events;
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
        var insert = _insert!;
        // A failed bind leaves its parameter NULL: checked, so that a row is never written without its payload.
        Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert.Statement, insert.Created, row.Created));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_text(insert.Statement, insert.PersistenceId, row.PersistenceId));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert.Statement, insert.SequenceNr, row.SequenceNr));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_blob(insert.Statement, insert.Message, row.Message));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_text(insert.Statement, insert.Manifest, row.Manifest));
        Bound(connection, SQLitePCL.raw.sqlite3_bind_int64(insert.Statement, insert.Identifier, row.Identifier));
        Step(connection, insert.Statement);
        if (row.Tags.Length == 0)
        {
            return;
        }

        // The tag table points at the journal row's ordering, the key the read journal pages EventsByTag with.
        var ordering = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
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
            SqliteJournalSchema.Configure(connection, _settings, writer: true);
            _insert = new InsertEvent(connection, _settings.JournalTable, _writerUuid);
            _insertTag = new InsertTag(connection, _settings.TagTable);
        }
        catch
        {
            _insert?.Dispose();
            _insertTag?.Dispose();
            _insert = null;
            _insertTag = null;
            connection.Dispose();
            throw;
        }

        _connection = connection;
        return connection;
    }

    protected override void CloseConnection()
    {
        _insert?.Dispose();
        _insertTag?.Dispose();
        _insert = null;
        _insertTag = null;
        _connection?.Dispose();
        _connection = null;
    }
}
