using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// The tables Akka.Persistence.Sql 1.5.73 creates for SQLite with <c>table-mapping = default</c> and
/// <c>tag-write-mode = TagTable</c> (copied from a file its auto-initialize produced), less three of its indexes, plus
/// the journal's index table (<see cref="IndexDdl"/>). Identical tables matter: the snapshot store keeps creating its
/// own with "if not exists", old files must open, and Akka.Persistence.Sql's read journal reads the rows we write.
/// No metadata table: Akka.Persistence.Sql only uses it with <c>delete-compatibility-mode = on</c>, which we never set.
/// </summary>
/// <remarks>
/// Not created: the indexes on <c>created</c> and on <c>sequence_number</c> alone (no query reads by either), and the
/// unique index on (persistence_id, sequence_number), which <see cref="IndexDdl"/>'s table replaces. Each index costs
/// every event a B-tree insert on the one writer thread, and one keyed by persistence id lands on a random leaf, so
/// each event wrote a WAL page of its own. Files that have the unique index lose it at their first start
/// (<see cref="Initialize"/>); they keep the other two.
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
        """ + TagOrderingIndex(tags) + IndexDdl(journal);

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

    /// <summary>Name of the journal's index table (<see cref="IndexDdl"/>).</summary>
    public static string IndexTable(string journal) => journal + "_index";

    /// <summary>Name of the one-row table that holds the highest <c>ordering</c> the index table covers.</summary>
    public static string IndexedTable(string journal) => journal + "_indexed";

    /// <summary>
    /// Ours, not Akka's: the (persistence_id, sequence_number) lookup that replay, the highest sequence number and
    /// deletes need, as a table the writer fills in sorted batches (<see cref="SqliteJournalTail"/>) instead of an index
    /// the journal table updates on every insert. Keyed by persistence id, each event's entry lands on that id's leaf: as
    /// an index on the journal table that was one random 4 KB page, and so one WAL frame, per event; merged a few
    /// seconds' worth at a time, in key order, each id's new entries share one leaf. <c>ordering</c> points at the row.
    /// The second table holds the highest <c>ordering</c> merged so far; rows above it are the tail.
    /// </summary>
    public static string IndexDdl(string journal) => $"""

        CREATE TABLE IF NOT EXISTS [{IndexTable(journal)}]
        (
        	[persistence_id]  NVarChar(255) NOT NULL,
        	[sequence_number] INTEGER       NOT NULL,
        	[ordering]        INTEGER       NOT NULL,
        	PRIMARY KEY ([persistence_id], [sequence_number])
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS [{IndexedTable(journal)}] ([id] INTEGER NOT NULL PRIMARY KEY CHECK ([id] = 0), [upto] INTEGER NOT NULL);
        INSERT OR IGNORE INTO [{IndexedTable(journal)}] ([id], [upto]) VALUES (0, 0);
        """;

    /// <summary>
    /// At a journal's start: copies the keys of the rows above the mark, up to <c>$to</c>, into the index table in key
    /// order. "Or ignore": a key already there (a merge round a crash cut short, rows Akka.Persistence.Sql also wrote)
    /// is not a reason to stop indexing the rest; our writer refuses a duplicate before it is written
    /// (<see cref="SqliteJournalWriter"/>). While running, the writer merges from its in-memory tail instead.
    /// </summary>
    public static string MergeSql(string journal) => $"""
        INSERT OR IGNORE INTO [{IndexTable(journal)}] (persistence_id, sequence_number, ordering)
        SELECT persistence_id, sequence_number, ordering FROM [{journal}]
        WHERE ordering > (SELECT upto FROM [{IndexedTable(journal)}]) AND ordering <= $to
        ORDER BY persistence_id, sequence_number;
        """;

    /// <summary>Moves the index mark to <c>$to</c> (in the transaction that indexed the last rows up to it).</summary>
    /// <summary>The highest sequence number the index table holds for <c>$pid</c> (NULL for none).</summary>
    public static string IndexedHighestSql(string journal) =>
        $"SELECT MAX(sequence_number) FROM [{IndexTable(journal)}] WHERE persistence_id = $pid";

    public static string MarkSql(string journal) => $"UPDATE [{IndexedTable(journal)}] SET upto = $to WHERE upto < $to;";

    /// <summary>
    /// Switches the file to WAL (persists in the file), creates the tables if asked, then indexes every row the index
    /// table does not cover yet: what the last run wrote after its last merge (it stopped or crashed), a file from
    /// before the index table (whose unique index on the journal table is dropped here), or rows Akka.Persistence.Sql's
    /// journal wrote. Returns the mark: every row up to it is indexed.
    /// </summary>
    public static long Initialize(SqliteConnection connection, JournalSettings settings)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
        if (settings.AutoInitialize)
        {
            command.CommandText = Ddl(settings.JournalTable, settings.TagTable);
            command.ExecuteNonQuery();
        }

        var journal = settings.JournalTable;
        using var transaction = connection.BeginTransaction(deferred: false);
        command.Transaction = transaction;
        command.CommandText = $"SELECT COALESCE(MAX(ordering), 0) FROM [{journal}]";
        var to = (long)command.ExecuteScalar()!;
        command.CommandText = MergeSql(journal) + MarkSql(journal) + $"DROP INDEX IF EXISTS [{journal}_uq];";
        command.Parameters.AddWithValue("$to", to);
        command.ExecuteNonQuery();
        transaction.Commit();
        return to;
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
