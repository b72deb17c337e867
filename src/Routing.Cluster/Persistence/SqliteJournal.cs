using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// Akka.Persistence write journal on SQLite with group commit (<see cref="SqliteJournalWriter"/>; the rows are
/// Akka.Persistence.Sql's, see <see cref="GroupCommitJournal"/>). Reads and deletes use their own pooled connections;
/// WAL lets them run beside the writer.
/// </summary>
public sealed class SqliteJournal : GroupCommitJournal
{
    private readonly JournalSettings _settings;
    private readonly string _highestSql;
    private readonly string _replaySql;
    private readonly string _deleteSql;

    /// <summary><c>min-commit-interval</c> unless configured: SQLite pays a flush per commit on the writer's own thread.</summary>
    public static readonly TimeSpan DefaultMinCommitInterval = TimeSpan.FromMilliseconds(5);

    public SqliteJournal(Config config)
    {
        _settings = JournalSettings.From(config, DefaultMinCommitInterval);
        var j = _settings.JournalTable;
        _highestSql = $"SELECT MAX(sequence_number) FROM [{j}] WHERE persistence_id = $pid";
        _replaySql = $"SELECT sequence_number, created, message, manifest, identifier, writer_uuid FROM [{j}] " +
            "WHERE persistence_id = $pid AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0 " +
            "ORDER BY sequence_number LIMIT $max";

        // As Akka.Persistence.Sql BaseByteArrayJournalDao.Delete (native mode): mark, keep the highest marked row so the
        // highest sequence number survives, remove the rest and their tags.
        _deleteSql = $"UPDATE [{j}] SET deleted = 1 WHERE persistence_id = $pid AND sequence_number <= $to; " +
            $"DELETE FROM [{j}] WHERE persistence_id = $pid AND sequence_number <= $to AND sequence_number < " +
            $"(SELECT MAX(sequence_number) FROM [{j}] WHERE persistence_id = $pid AND deleted = 1); " +
            $"DELETE FROM [{_settings.TagTable}] WHERE persistence_id = $pid AND sequence_nr <= $to;";

        using (var connection = Open())
        {
            SqliteJournalSchema.Initialize(connection, _settings);
        }

        var uuid = _settings.UseWriterUuid ? Guid.NewGuid().ToString("N") : null;
        Writer = new SqliteJournalWriter(_settings, uuid, Self.Path.Name);
    }

    protected override int MaxPendingEvents => _settings.MaxPendingEvents;

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr,
        CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = _highestSql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        return command.ExecuteScalar() is long highest ? highest : 0L;
    }, cancellationToken);

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr,
        long max, Action<IPersistentRepresentation> recoveryCallback) => Task.Run(() =>
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return;
        }

        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = _replaySql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$from", fromSequenceNr);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var sequenceNr = reader.GetInt64(0);
            var created = reader.GetInt64(1);
            var message = (byte[])reader.GetValue(2);
            var manifest = reader.IsDBNull(3) ? string.Empty : reader.GetString(3);
            int? identifier = reader.IsDBNull(4) ? null : reader.GetInt32(4);
            var writer = reader.IsDBNull(5) ? null : reader.GetString(5);
            var payload = Deserialize(ActorSystem, message, identifier, manifest);
            recoveryCallback(new Persistent(payload, sequenceNr, persistenceId, manifest, false, ActorRefs.NoSender, writer, created));
        }
    });

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
