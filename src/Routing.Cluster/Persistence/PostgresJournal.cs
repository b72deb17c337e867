using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Npgsql;

namespace Routing.Cluster.Journal;

/// <summary>
/// Akka.Persistence write journal on PostgreSQL with group commit (<see cref="PostgresJournalWriter"/>; the rows are
/// Akka.Persistence.Sql's, see <see cref="GroupCommitJournal"/>). Recovery reads are two prepared statements on pooled
/// connections, outside any transaction: through Akka.Persistence.Sql each recovery opened a connection and a
/// transaction per query, and a burst of new registrations (every phone after a restart) spent the node's CPU there.
/// </summary>
#pragma warning disable CA1001 // the writer is disposed and the shared data source released in PostStop, the actor's end of life
public sealed class PostgresJournal : GroupCommitJournal
#pragma warning restore CA1001
{
    private readonly JournalSettings _settings;
    private readonly NpgsqlDataSource _source;
    private readonly string _highestSql;
    private readonly string _replaySql;
    private readonly string[] _deleteSql;

    public PostgresJournal(Config config)
    {
        _settings = JournalSettings.From(config);
        var j = _settings.JournalTable;
        _highestSql = $"SELECT MAX(sequence_number) FROM {j} WHERE persistence_id = $1";
        _replaySql = $"SELECT sequence_number, created, message, manifest, identifier, writer_uuid FROM {j} " +
            "WHERE persistence_id = $1 AND sequence_number >= $2 AND sequence_number <= $3 AND deleted = false " +
            "ORDER BY sequence_number LIMIT $4";

        // As Akka.Persistence.Sql BaseByteArrayJournalDao.Delete (native mode): mark, keep the highest marked row so the
        // highest sequence number survives, remove the rest and their tags.
        _deleteSql =
        [
            $"UPDATE {j} SET deleted = true WHERE persistence_id = $1 AND sequence_number <= $2",
            $"DELETE FROM {j} WHERE persistence_id = $1 AND sequence_number <= $2 AND sequence_number < " +
            $"(SELECT MAX(sequence_number) FROM {j} WHERE persistence_id = $1 AND deleted = true)",
            $"DELETE FROM {_settings.TagTable} WHERE persistence_id = $1 AND sequence_nr <= $2",
        ];

        _source = PostgresDataSources.Rent(_settings.ConnectionString);
        try
        {
            PostgresJournalSchema.Initialize(_source, _settings);
            var uuid = _settings.UseWriterUuid ? Guid.NewGuid().ToString("N") : null;
            Writer = new PostgresJournalWriter(_source, _settings, uuid, Self.Path.Name);
        }
        catch
        {
            PostgresDataSources.Release(_source);
            throw;
        }
    }

    protected override int MaxPendingEvents => _settings.MaxPendingEvents;

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(_highestSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long highest ? highest : 0L;
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr,
        long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return;
        }

        await using var command = _source.CreateCommand(_replaySql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSequenceNr });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = max });
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            var sequenceNr = reader.GetInt64(0);
            var created = reader.GetInt64(1);
            var message = reader.GetFieldValue<byte[]>(2);
            var manifest = reader.IsDBNull(3) ? string.Empty : reader.GetString(3);
            int? identifier = reader.IsDBNull(4) ? null : reader.GetInt32(4);
            var writer = reader.IsDBNull(5) ? null : reader.GetString(5);
            var payload = Deserialize(ActorSystem, message, identifier, manifest);
            recoveryCallback(new Persistent(payload, sequenceNr, persistenceId, manifest, false, ActorRefs.NoSender, writer, created));
        }
    }

    protected override async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Positional parameters take one statement per command: the three go as one batch.
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var sql in _deleteSql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSequenceNr });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override void PostStop()
    {
        base.PostStop();
        PostgresDataSources.Release(_source);
    }
}
