using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// The <see cref="GroupCommitSnapshotStore"/> on SQLite: saves through the <see cref="SqliteJournal"/>'s writer; loads
/// read on their own connection (WAL lets them run beside the writer).
/// </summary>
public sealed class SqliteSnapshotStore : GroupCommitSnapshotStore
{
    private readonly TimeSpan _busyTimeout;
    private readonly string _loadSql;

    public SqliteSnapshotStore(Config config) : base(config)
    {
        _busyTimeout = config.GetTimeSpan("sqlite-busy-timeout", TimeSpan.FromSeconds(30));
        _loadSql = LoadSql(i => "$p" + i);
        if (AutoInitialize)
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = SqliteJournalSchema.SnapshotDdl(Table);
            command.ExecuteNonQuery();
        }
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = _loadSql;
        var values = LoadParameters(persistenceId, criteria);
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue("$p" + (i + 1), values[i]);
        }

        using var reader = command.ExecuteReader();
        return reader.Read()
            ? Selected(persistenceId, reader.GetInt64(0), reader.GetInt64(1), (byte[])reader.GetValue(2),
                reader.IsDBNull(3) ? string.Empty : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt32(4))
            : null;
    }, cancellationToken);

    private SqliteConnection Open() => SqliteJournalSchema.OpenReader(ConnectionString, _busyTimeout);
}
