using Akka.Configuration;
using Akka.Persistence;
using Npgsql;

namespace Routing.Cluster.Journal;

/// <summary>
/// The <see cref="GroupCommitSnapshotStore"/> on PostgreSQL: saves through the <see cref="PostgresJournal"/>'s writer
/// (statements of its batch); loads are one prepared statement on a pooled connection, outside any transaction.
/// </summary>
#pragma warning disable CA1001 // the shared data source is released in PostStop, the actor's end of life
public sealed class PostgresSnapshotStore : GroupCommitSnapshotStore
#pragma warning restore CA1001
{
    private readonly NpgsqlDataSource _source;
    private readonly string _loadSql;

    public PostgresSnapshotStore(Config config) : base(config)
    {
        _loadSql = LoadSql(i => "$" + i);
        _source = PostgresDataSources.Rent(ConnectionString);
        try
        {
            if (AutoInitialize)
            {
                PostgresJournalSchema.Create(_source, PostgresJournalSchema.SnapshotDdl(Table));
            }
        }
        catch
        {
            PostgresDataSources.Release(_source);
            throw;
        }
    }

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand(_loadSql);
        foreach (var value in LoadParameters(persistenceId, criteria))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? Selected(persistenceId, reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2),
                reader.IsDBNull(3) ? string.Empty : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt32(4))
            : null;
    }

    protected override void PostStop()
    {
        PostgresDataSources.Release(_source);
        base.PostStop();
    }
}
