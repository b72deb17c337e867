using Akka.Configuration;

namespace Routing.Cluster.Journal;

/// <summary>
/// Settings of one <see cref="PostgresJournal"/>, read from its plugin section: the section Akka.Persistence.Sql
/// reads (<c>connection-string</c>, <c>table-mapping</c>, <c>default.journal.table-name</c>,
/// <c>default.tag.table-name</c>), so its read journal and this writer agree on the tables.
/// </summary>
public sealed record PostgresJournalSettings
{
    /// <summary>Npgsql connection string (<c>connection-string</c>). Required.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Journal table (<c>default.journal.table-name</c>). Default: journal.</summary>
    public string JournalTable { get; init; } = "journal";

    /// <summary>Tag table (<c>default.tag.table-name</c>). Default: tags.</summary>
    public string TagTable { get; init; } = "tags";

    /// <summary>Create the tables if missing (<c>auto-initialize</c>). Default: on.</summary>
    public bool AutoInitialize { get; init; } = true;

    /// <summary>Store a writer id per row (<c>default.journal.use-writer-uuid-column</c>). Default: on.</summary>
    public bool UseWriterUuid { get; init; } = true;

    /// <summary><c>max-pending-events</c>: events waiting for the writer beyond which writes are rejected. Default: 20000.</summary>
    public int MaxPendingEvents { get; init; } = 20_000;

    /// <summary><c>max-batch-events</c>: most events one transaction commits. Default: 2000.</summary>
    public int MaxBatchEvents { get; init; } = 2_000;

    /// <summary>Reads the plugin section; throws <see cref="ConfigurationException"/> naming the key on a bad value.</summary>
    public static PostgresJournalSettings From(Config config)
    {
        var common = SqliteJournalSettings.From(config);
        return new PostgresJournalSettings
        {
            ConnectionString = common.ConnectionString,
            JournalTable = common.JournalTable,
            TagTable = common.TagTable,
            AutoInitialize = common.AutoInitialize,
            UseWriterUuid = common.UseWriterUuid,
            MaxPendingEvents = common.MaxPendingEvents,
            MaxBatchEvents = common.MaxBatchEvents,
        };
    }
}
