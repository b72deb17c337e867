using Npgsql;
using NpgsqlTypes;

namespace Routing.Cluster.Journal;

/// <summary>
/// The PostgreSQL group-commit writer (<see cref="JournalGroupWriter"/>). A batch is one transaction and one round
/// trip: consecutive untagged events (the registrar's) go in as one multi-row INSERT over arrays, each tagged event
/// (a dialog's, read back by tag for CDRs) as an INSERT whose RETURNING ordering feeds its tag rows in the same
/// statement. Rows keep arrival order, so <c>ordering</c> follows each persistence id's sequence numbers.
/// </summary>
internal sealed class PostgresJournalWriter : JournalGroupWriter
{
    private readonly NpgsqlDataSource _source;
    private readonly string? _writerUuid;
    private readonly string _insertMany;
    private readonly string _insertTagged;
    private NpgsqlConnection? _connection;
    private bool _batchHasSnapshots;

    public PostgresJournalWriter(NpgsqlDataSource source, JournalSettings settings, string? writerUuid, string name)
        : base(settings.MaxPendingEvents, settings.MaxBatchEvents, settings.MinCommitInterval, name)
    {
        _source = source;
        _writerUuid = writerUuid;
        var j = settings.JournalTable;
        const string Columns = "(created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)";
        _insertMany = $"INSERT INTO {j} {Columns} SELECT c, false, p, s, m, mf, i, $7 " +
            "FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::integer[]) WITH ORDINALITY AS r(c, p, s, m, mf, i, n) ORDER BY n";
        _insertTagged = $"WITH j AS (INSERT INTO {j} {Columns} VALUES ($1, false, $2, $3, $4, $5, $6, $7) RETURNING ordering) " +
            $"INSERT INTO {settings.TagTable} (ordering_id, tag, sequence_nr, persistence_id) SELECT j.ordering, t, $3, $2 FROM j, unnest($8::text[]) AS t";
        Start();
    }

    // A batch waits at most for the server's answer; the connection's command timeout bounds it.
    protected override TimeSpan DrainTimeout => TimeSpan.FromSeconds(35);

    // 23505 unique_violation: a sequence number written twice, which belongs to one request.
    protected override bool IsPerRequestFailure(Exception failure) =>
        failure is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } or SnapshotWriteException;

    protected override int Commit(List<JournalWriteRequest> requests)
    {
        _batchHasSnapshots = false;
        var connection = _connection ??= _source.OpenConnection();
        var events = 0;
        try
        {
            using var transaction = connection.BeginTransaction();
            using var batch = new NpgsqlBatch(connection, transaction);
            var run = new Run();
            foreach (var request in requests)
            {
                if (request is SnapshotWriteRequest snapshot)
                {
                    run.FlushInto(batch, _insertMany, _writerUuid);
                    AddSnapshot(batch, snapshot);
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
                        events++;
                        if (row.Tags.Length == 0)
                        {
                            run.Add(row);
                            continue;
                        }

                        run.FlushInto(batch, _insertMany, _writerUuid);
                        batch.BatchCommands.Add(Tagged(row));
                    }
                }
            }

            run.FlushInto(batch, _insertMany, _writerUuid);
            batch.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (PostgresException e) when (_batchHasSnapshots && e.SqlState != PostgresErrorCodes.UniqueViolation)
        {
            // The server refused the batch and it held snapshot statements: a snapshot's own failure (a missing table,
            // say) must not fail the events beside it, and the statement at fault is not reliably named when the
            // server refuses it while parsing the batch. So the batch is retried request by request
            // (IsPerRequestFailure), where each request meets its own failure, if any.
            throw new SnapshotWriteException($"a batch with snapshot writes failed: {e.MessageText}", e);
        }
        catch (PostgresException)
        {
            // The server refused a statement: the transaction is rolled back (by its disposal) and the connection stays usable.
            throw;
        }
        catch (Exception)
        {
            // The connection broke (server gone, network): start over with a fresh one next time.
            CloseConnection();
            throw;
        }

        return events;
    }

    protected override void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>
    /// A snapshot save (an upsert, then the removal of the same id's older snapshots) or deletion, as statements of
    /// the batch (<see cref="GroupCommitSnapshotStore"/>).
    /// </summary>
    private void AddSnapshot(NpgsqlBatch batch, SnapshotWriteRequest request)
    {
        var t = request.Table;
        if (request.Save is { } row)
        {
            var save = new NpgsqlBatchCommand(
                $"INSERT INTO {t} (persistence_id, sequence_number, created, snapshot, manifest, serializer_id) VALUES ($1, $2, $3, $4, $5, $6) " +
                "ON CONFLICT (persistence_id, sequence_number) DO UPDATE SET created = EXCLUDED.created, snapshot = EXCLUDED.snapshot, " +
                "manifest = EXCLUDED.manifest, serializer_id = EXCLUDED.serializer_id");
            save.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.PersistenceId });
            save.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.SequenceNr });
            save.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.Created });
            save.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = row.Snapshot, NpgsqlDbType = NpgsqlDbType.Bytea });
            save.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.Manifest });
            save.Parameters.Add(new NpgsqlParameter<int> { TypedValue = row.SerializerId });
            var prune = new NpgsqlBatchCommand($"DELETE FROM {t} WHERE persistence_id = $1 AND sequence_number < $2");
            prune.Parameters.Add(new NpgsqlParameter<string> { TypedValue = row.PersistenceId });
            prune.Parameters.Add(new NpgsqlParameter<long> { TypedValue = row.SequenceNr });
            batch.BatchCommands.Add(save);
            batch.BatchCommands.Add(prune);
        }

        if (request.Deletion is { } d)
        {
            var delete = new NpgsqlBatchCommand(
                $"DELETE FROM {t} WHERE persistence_id = $1 AND sequence_number >= $2 AND sequence_number <= $3 AND created >= $4 AND created <= $5");
            delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = d.PersistenceId });
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.MinSequenceNr });
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.MaxSequenceNr });
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.MinCreated });
            delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = d.MaxCreated });
            batch.BatchCommands.Add(delete);
        }

        _batchHasSnapshots = true;
    }

    private NpgsqlBatchCommand Tagged(JournalRow row)
    {
        var command = new NpgsqlBatchCommand(_insertTagged);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<long> { TypedValue = row.Created });
        p.Add(new NpgsqlParameter<string> { TypedValue = row.PersistenceId });
        p.Add(new NpgsqlParameter<long> { TypedValue = row.SequenceNr });
        p.Add(new NpgsqlParameter<byte[]> { TypedValue = row.Message, NpgsqlDbType = NpgsqlDbType.Bytea });
        p.Add(new NpgsqlParameter<string> { TypedValue = row.Manifest });
        p.Add(new NpgsqlParameter<int> { TypedValue = row.Identifier });
        p.Add(WriterUuid(_writerUuid));
        p.Add(new NpgsqlParameter<string[]> { TypedValue = row.Tags, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return command;
    }

    private static NpgsqlParameter WriterUuid(string? uuid) =>
        uuid is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter<string> { TypedValue = uuid };

    /// <summary>Consecutive untagged rows, written by one INSERT over arrays.</summary>
    private sealed class Run
    {
        private readonly List<JournalRow> _rows = [];

        public void Add(JournalRow row) => _rows.Add(row);

        public void FlushInto(NpgsqlBatch batch, string sql, string? writerUuid)
        {
            if (_rows.Count == 0)
            {
                return;
            }

            var n = _rows.Count;
            var created = new long[n];
            var ids = new string[n];
            var sequence = new long[n];
            var messages = new byte[n][];
            var manifests = new string[n];
            var serializers = new int[n];
            for (var i = 0; i < n; i++)
            {
                var r = _rows[i];
                created[i] = r.Created;
                ids[i] = r.PersistenceId;
                sequence[i] = r.SequenceNr;
                messages[i] = r.Message;
                manifests[i] = r.Manifest;
                serializers[i] = r.Identifier;
            }

            var command = new NpgsqlBatchCommand(sql);
            var p = command.Parameters;
            p.Add(new NpgsqlParameter<long[]> { TypedValue = created, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            p.Add(new NpgsqlParameter<string[]> { TypedValue = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            p.Add(new NpgsqlParameter<long[]> { TypedValue = sequence, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            p.Add(new NpgsqlParameter<byte[][]> { TypedValue = messages, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            p.Add(new NpgsqlParameter<string[]> { TypedValue = manifests, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            p.Add(new NpgsqlParameter<int[]> { TypedValue = serializers, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            p.Add(WriterUuid(writerUuid));
            batch.BatchCommands.Add(command);
            _rows.Clear();
        }
    }
}
