using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// Akka.Persistence write journal on SQLite with group commit (<see cref="SqliteJournalWriter"/>; the rows are
/// Akka.Persistence.Sql's, see <see cref="GroupCommitJournal"/>). Reads and deletes use their own pooled connections;
/// WAL lets them run beside the writer. Lookups by persistence id go through the index table plus the writer's
/// in-memory tail (<see cref="SqliteJournalTail"/>): the tail's rows are read by their row id.
/// </summary>
public sealed class SqliteJournal : GroupCommitJournal
{
    private readonly JournalSettings _settings;
    private readonly SqliteJournalTail _tail;
    private readonly string _highestSql;
    private readonly string _replaySql;
    private readonly string _rowSql;
    private readonly string _deleteSql;

    /// <summary><c>min-commit-interval</c> unless configured: SQLite pays a flush per commit on the writer's own thread.</summary>
    public static readonly TimeSpan DefaultMinCommitInterval = TimeSpan.FromMilliseconds(5);

    public SqliteJournal(Config config)
    {
        _settings = JournalSettings.From(config, DefaultMinCommitInterval);
        var j = _settings.JournalTable;
        var index = SqliteJournalSchema.IndexTable(j);
        var indexed = SqliteJournalSchema.IndexedTable(j);
        const string Columns = "j.sequence_number, j.created, j.message, j.manifest, j.identifier, j.writer_uuid";
        _highestSql = SqliteJournalSchema.IndexedHighestSql(j);
        _replaySql = $"SELECT {Columns} FROM [{index}] i JOIN [{j}] j ON j.ordering = i.ordering " +
            "WHERE i.persistence_id = $pid AND i.sequence_number >= $from AND i.sequence_number <= $to AND j.deleted = 0 " +
            "ORDER BY i.sequence_number LIMIT $max";
        _rowSql = $"SELECT {Columns} FROM [{j}] j WHERE j.ordering = $ordering AND j.deleted = 0";

        // As Akka.Persistence.Sql BaseByteArrayJournalDao.Delete (native mode): mark, keep the highest marked row so the
        // highest sequence number survives, remove the rest and their tags. The id's rows are the index table's plus the
        // tail's (rows above the mark, found by a scan of the tail alone); during a merge round a key is in the index
        // table already or its row is still above the mark (the mark moves with the round's last chunk), and a later
        // chunk does not index a row deleted here.
        var rows = $"(SELECT ordering FROM [{index}] WHERE persistence_id = $pid AND sequence_number <= $to " +
            $"UNION ALL SELECT ordering FROM [{j}] WHERE ordering > (SELECT upto FROM [{indexed}]) AND persistence_id = $pid AND sequence_number <= $to)";
        // The kept row is the highest marked one; it stays, so each statement below finds the same one.
        var keep = $"(SELECT MAX(sequence_number) FROM [{j}] WHERE ordering IN {rows} AND deleted = 1)";
        _deleteSql = $"UPDATE [{j}] SET deleted = 1 WHERE ordering IN {rows}; " +
            $"DELETE FROM [{j}] WHERE ordering IN {rows} AND sequence_number < {keep}; " +
            $"DELETE FROM [{index}] WHERE persistence_id = $pid AND sequence_number <= $to AND sequence_number < {keep}; " +
            $"DELETE FROM [{_settings.TagTable}] WHERE persistence_id = $pid AND sequence_nr <= $to;";

        _tail = SqliteJournalTail.For(_settings.ConnectionString, j);
        using (var connection = Open())
        {
            _tail.RemoveUpTo(SqliteJournalSchema.Initialize(connection, _settings));
        }

        var uuid = _settings.UseWriterUuid ? Guid.NewGuid().ToString("N") : null;
        var log = Context.GetLogger();
        Writer = new SqliteJournalWriter(_settings, uuid, Self.Path.Name, _tail, failure =>
            log.Warning(failure, "Journal {0}: merging the tail into the index table failed; retrying in a second (nothing is lost, a restart indexes the rest)", _settings.JournalTable));
    }

    protected override int MaxPendingEvents => _settings.MaxPendingEvents;

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr,
        CancellationToken cancellationToken) => Task.Run(() =>
    {
        // The tail first (see SqliteJournalTail): a merge after this read moves its rows into the index table.
        var tail = _tail.Of(persistenceId);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = _highestSql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        var highest = command.ExecuteScalar() is long indexed ? indexed : 0L;
        if (tail is not null)
        {
            foreach (var entry in tail)
            {
                highest = Math.Max(highest, entry.SequenceNr);
            }
        }

        return highest;
    }, cancellationToken);

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr,
        long max, Action<IPersistentRepresentation> recoveryCallback) => Task.Run(() =>
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return;
        }

        var tail = _tail.Of(persistenceId);
        using var connection = Open();
        // One read transaction: the index table and the tail's rows are read from one snapshot of the file.
        using var transaction = connection.BeginTransaction(deferred: true);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _replaySql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$from", fromSequenceNr);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.Parameters.AddWithValue("$max", max);
        var replayed = 0L;
        var last = 0L;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                last = reader.GetInt64(0);
                recoveryCallback(Row(reader, persistenceId));
                replayed++;
            }
        }

        if (tail is null || replayed >= max)
        {
            return;
        }

        // The tail's rows come after the index table's (an id's sequence numbers grow with its orderings); one merged
        // between the two reads is in both, and is replayed once.
        command.CommandText = _rowSql;
        command.Parameters.Clear();
        var ordering = command.Parameters.Add("$ordering", Microsoft.Data.Sqlite.SqliteType.Integer);
        foreach (var entry in tail)
        {
            if (entry.SequenceNr <= last || entry.SequenceNr < fromSequenceNr || entry.SequenceNr > toSequenceNr)
            {
                continue;
            }

            ordering.Value = entry.Ordering;
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                last = entry.SequenceNr;
                recoveryCallback(Row(reader, persistenceId));
                if (++replayed >= max)
                {
                    return;
                }
            }
        }
    });

    private Persistent Row(Microsoft.Data.Sqlite.SqliteDataReader reader, string persistenceId)
    {
        var sequenceNr = reader.GetInt64(0);
        var created = reader.GetInt64(1);
        var message = (byte[])reader.GetValue(2);
        var manifest = reader.IsDBNull(3) ? string.Empty : reader.GetString(3);
        int? identifier = reader.IsDBNull(4) ? null : reader.GetInt32(4);
        var writer = reader.IsDBNull(5) ? null : reader.GetString(5);
        var payload = Deserialize(ActorSystem, message, identifier, manifest);
        return new Persistent(payload, sequenceNr, persistenceId, manifest, false, ActorRefs.NoSender, writer, created);
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr,
        CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _deleteSql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.ExecuteNonQuery();
        transaction.Commit();
    }, cancellationToken);

    private SqliteConnection Open() => SqliteJournalSchema.OpenReader(_settings.ConnectionString, _settings.BusyTimeout);
}
