using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// The DDL Akka.Persistence.Sql 1.5.73 creates for SQLite with <c>table-mapping = default</c> and
/// <c>tag-write-mode = TagTable</c> (copied from a file its auto-initialize produced), less two of its indexes.
/// Identical tables matter: the snapshot store keeps creating its own with "if not exists", and old files must open.
/// No metadata table: Akka.Persistence.Sql only uses it with <c>delete-compatibility-mode = on</c>, which we never set.
/// </summary>
/// <remarks>
/// Not created: the indexes on <c>created</c> and on <c>sequence_number</c> alone. No query of ours or of
/// Akka.Persistence.Sql's read journal reads by either (replay, highest sequence number and deletes go by
/// (persistence_id, sequence_number), tag queries by the tag table and <c>ordering</c>), and each costs every event a
/// B-tree insert on the one writer thread; the one on <c>sequence_number</c> lands on a random leaf, so a commit also
/// wrote more WAL pages. Files that already have them keep them.
/// </remarks>
internal static class SqliteJournalSchema
{
    public static string Ddl(string journal, string tags) => $"""
        CREATE TABLE IF NOT EXISTS [{journal}]
        (
        	[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
        	[created]         INTEGER        NOT NULL,
        	[deleted]         Bit            NOT NULL,
        	[persistence_id]  NVarChar(255)  NOT NULL,
        	[sequence_number] INTEGER        NOT NULL,
        	[message]         VarBinary      NOT NULL,
        	[manifest]        NVarChar(500)      NULL,
        	[identifier]      INTEGER            NULL,
        	[writer_uuid]     NVarChar(128)      NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS {journal}_uq ON {journal} (persistence_id, sequence_number);
        CREATE TABLE IF NOT EXISTS [{tags}]
        (
        	[ordering_id]    INTEGER       NOT NULL,
        	[tag]            NVarChar(64)  NOT NULL,
        	[sequence_nr]    INTEGER       NOT NULL,
        	[persistence_id] NVarChar(255) NOT NULL,

        	CONSTRAINT [PK_{tags}] PRIMARY KEY ([ordering_id], [tag])
        );
        CREATE INDEX IF NOT EXISTS {tags}_persistence_id_sequence_nr_idx ON {tags} (persistence_id, sequence_nr);
        CREATE INDEX IF NOT EXISTS {tags}_tag_idx ON {tags} (tag);
        """ + TagOrderingIndex(tags);

    /// <summary>
    /// Ours, not Akka's: EventsByTag (the CDR feed) asks for one tag's rows in an ordering range. With only the index
    /// on <c>tag</c> SQLite read every row of the tag on each poll, so a poll cost grew with the journal (a third of the
    /// node's CPU after 50 000 dialog events); on (tag, ordering_id) it reads the range.
    /// </summary>
    public static string TagOrderingIndex(string tags) => $"""

        CREATE INDEX IF NOT EXISTS {tags}_tag_ordering_idx ON {tags} (tag, ordering_id);
        """;

    /// <summary>
    /// The snapshot table as Akka.Persistence.Sql 1.5.73 creates it for SQLite (default mapping), for
    /// <see cref="SqliteSnapshotStore"/>; without its indexes on <c>sequence_number</c> and on <c>created</c> alone, which
    /// no query reads by (every read and delete goes by persistence id first). Files that already have them keep them.
    /// </summary>
    public static string SnapshotDdl(string table) => $"""
        CREATE TABLE IF NOT EXISTS [{table}]
        (
        	[persistence_id]  NVarChar(255) NOT NULL,
        	[sequence_number] INTEGER       NOT NULL,
        	[created]         INTEGER       NOT NULL,
        	[snapshot]        VarBinary         NULL,
        	[manifest]        NVarChar(500)     NULL,
        	[serializer_id]   INTEGER           NULL,

        	CONSTRAINT [PK_{table}] PRIMARY KEY ([persistence_id], [sequence_number])
        );
        """;

    /// <summary>Switches the file to WAL (persists in the file) and creates the tables if asked.</summary>
    public static void Initialize(SqliteConnection connection, JournalSettings settings)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        if (settings.AutoInitialize)
        {
            command.CommandText = Ddl(settings.JournalTable, settings.TagTable);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// WAL pages after which the writer checkpoints (SQLite's default is 1 000, 4 MB). Every event also lands on a
    /// random leaf of the (persistence_id, sequence_number) index, so at registrar rates a 4 MB WAL filled every 50-100
    /// ms: the writer checkpointed nearly all the time, copying the same hot pages again and syncing the database file
    /// each time, and with synchronous=FULL commits fell behind (write-through REGISTERs failed from about 20 000/s).
    /// At 10 000 pages (40 MB of WAL at most) a checkpoint copies each hot page once per second or so.
    /// </summary>
    public const int WalAutoCheckpointPages = 10_000;

    /// <summary>
    /// Opens a connection for reads (recovery, tag pages, snapshot loads) with the busy wait for other processes; WAL
    /// lets it read beside the writer. Disposed again if the open fails.
    /// </summary>
    public static SqliteConnection OpenReader(string connectionString, TimeSpan busyTimeout)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout={(long)busyTimeout.TotalMilliseconds};";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The writer connection's pragmas: the busy wait for other processes, the sync level and the checkpoint size.</summary>
    public static void ConfigureWriter(SqliteConnection connection, JournalSettings settings)
    {
        using var command = connection.CreateCommand();
        var busy = (long)settings.BusyTimeout.TotalMilliseconds;
        command.CommandText =
            $"PRAGMA busy_timeout={busy}; PRAGMA synchronous={(settings.Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}; PRAGMA wal_autocheckpoint={WalAutoCheckpointPages};";
        command.ExecuteNonQuery();
    }
}
