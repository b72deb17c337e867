using Routing.Cluster.Journal;

namespace Routing.Cluster.Tests.Journal;

/// <summary>The pragmas each journal connection gets.</summary>
public sealed class SqliteJournalSchemaTests : IDisposable
{
    private readonly JournalTestFile _file = new();

    public void Dispose() => _file.Dispose();

    [Theory]
    [InlineData(SqliteSynchronous.Full, 2)]
    [InlineData(SqliteSynchronous.Normal, 1)]
    public void Writer_SyncLevelAsConfigured_CheckpointsEvery10000WalPages(SqliteSynchronous level, long expected)
    {
        using var connection = _file.Open();
        SqliteJournalSchema.ConfigureWriter(connection, new JournalSettings { ConnectionString = _file.ConnectionString, Synchronous = level });

        Assert.Equal(expected, Pragma(connection, "synchronous"));
        Assert.Equal(SqliteJournalSchema.WalAutoCheckpointPages, Pragma(connection, "wal_autocheckpoint"));
    }

    [Fact]
    public void Reader_WaitsForTheLockAndKeepsSqliteDefaults()
    {
        using var connection = SqliteJournalSchema.OpenReader(_file.ConnectionString, TimeSpan.FromSeconds(7));

        Assert.Equal(7000, Pragma(connection, "busy_timeout"));
        Assert.Equal(1000, Pragma(connection, "wal_autocheckpoint"));
    }

    private static long Pragma(Microsoft.Data.Sqlite.SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + name + ";";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
