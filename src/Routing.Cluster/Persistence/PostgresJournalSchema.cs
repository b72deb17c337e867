using Npgsql;

namespace Routing.Cluster.Journal;

/// <summary>
/// The tables Akka.Persistence.Sql 1.5.73 creates on PostgreSQL with <c>table-mapping = default</c> and
/// <c>tag-write-mode = TagTable</c> (same columns and keys, read back from a database its auto-initialize made),
/// created only where missing, so databases it created keep working and its snapshot store and read journal find what
/// they expect. As on SQLite (<see cref="SqliteJournalSchema"/>), without its indexes on <c>created</c> and on
/// <c>sequence_number</c> alone: nothing reads by them, and each cost every event an index insert.
/// </summary>
internal static class PostgresJournalSchema
{
    public static string Ddl(string journal, string tags) => $"""
        CREATE TABLE IF NOT EXISTS {journal} (
            ordering bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
            created bigint NOT NULL,
            deleted boolean NOT NULL,
            persistence_id text NOT NULL,
            sequence_number bigint NOT NULL,
            message bytea NOT NULL,
            manifest text,
            identifier integer,
            writer_uuid text,
            CONSTRAINT "PK_{journal}" PRIMARY KEY (ordering),
            CONSTRAINT {journal}_uq UNIQUE (persistence_id, sequence_number)
        );
        CREATE TABLE IF NOT EXISTS {tags} (
            ordering_id bigint NOT NULL,
            tag text NOT NULL,
            sequence_nr bigint NOT NULL,
            persistence_id text NOT NULL,
            CONSTRAINT "PK_{tags}" PRIMARY KEY (ordering_id, tag)
        );
        CREATE INDEX IF NOT EXISTS {tags}_persistence_id_sequence_nr_idx ON {tags} (persistence_id, sequence_nr);
        CREATE INDEX IF NOT EXISTS {tags}_tag_idx ON {tags} (tag);
        """;

    /// <summary>
    /// The snapshot table as Akka.Persistence.Sql 1.5.73 creates it on PostgreSQL (default mapping), for
    /// <see cref="PostgresSnapshotStore"/>; without its indexes on <c>created</c> and on <c>sequence_number</c> alone, which
    /// no query reads by. Databases that already have them keep them.
    /// </summary>
    public static string SnapshotDdl(string table) => $"""
        CREATE TABLE IF NOT EXISTS {table} (
            persistence_id text NOT NULL,
            sequence_number bigint NOT NULL,
            created bigint NOT NULL,
            snapshot bytea,
            manifest text,
            serializer_id integer,
            CONSTRAINT "PK_{table}" PRIMARY KEY (persistence_id, sequence_number)
        );
        """;

    /// <summary>Runs <paramref name="ddl"/> under the schema's advisory lock (see <see cref="Initialize"/>).</summary>
    public static void Create(NpgsqlDataSource source, string ddl)
    {
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(hashtext('routing-journal-schema')); " + ddl;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>
    /// Creates the tables if asked. Members of a cluster start together on an empty database: the DDL runs under a
    /// transaction-scoped advisory lock, so two "create if missing" never race (PostgreSQL would fail the second on
    /// its catalog's unique index).
    /// </summary>
    public static void Initialize(NpgsqlDataSource source, JournalSettings settings)
    {
        if (!settings.AutoInitialize)
        {
            return;
        }

        Create(source, Ddl(settings.JournalTable, settings.TagTable));
    }
}
