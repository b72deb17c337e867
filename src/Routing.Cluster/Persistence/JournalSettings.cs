using Akka.Configuration;

namespace Routing.Cluster.Journal;

/// <summary>How hard SQLite syncs a commit to disk (PRAGMA synchronous).</summary>
public enum SqliteSynchronous
{
    /// <summary>fsync on every commit: an acknowledged write survives a power loss. Default.</summary>
    Full,

    /// <summary>WAL fsync only at checkpoints: survives a process crash, may lose the last commits on power loss.</summary>
    Normal,
}

/// <summary>
/// Settings of one of our journals (<see cref="SqliteJournal"/>, <see cref="PostgresJournal"/>), read from its plugin
/// section. The section is the one Akka.Persistence.Sql reads (same <c>connection-string</c>, <c>table-mapping</c>,
/// <c>default.journal.table-name</c>, <c>default.tag.table-name</c>), so its read journal and our writer always agree on
/// the tables. The <c>sqlite-*</c> keys matter to SQLite only.
/// </summary>
public sealed record JournalSettings
{
    /// <summary>Microsoft.Data.Sqlite or Npgsql connection string (<c>connection-string</c>). Required.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Journal table (<c>default.journal.table-name</c>). Default: journal.</summary>
    public string JournalTable { get; init; } = "journal";

    /// <summary>Tag table (<c>default.tag.table-name</c>). Default: tags.</summary>
    public string TagTable { get; init; } = "tags";

    /// <summary>Create the tables if missing (<c>auto-initialize</c>). Default: on.</summary>
    public bool AutoInitialize { get; init; } = true;

    /// <summary>Store a writer id per row (<c>default.journal.use-writer-uuid-column</c>). Default: on.</summary>
    public bool UseWriterUuid { get; init; } = true;

    /// <summary><c>sqlite-synchronous</c>: full (default) or normal.</summary>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Full;

    /// <summary><c>sqlite-busy-timeout</c>: how long a connection waits for another process's lock. Default: 30 s.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>max-pending-events</c>: events waiting for the writer beyond which writes are rejected. Default: 20000.</summary>
    public int MaxPendingEvents { get; init; } = 20_000;

    /// <summary><c>max-batch-events</c>: most events one transaction commits. Default: 2000.</summary>
    public int MaxBatchEvents { get; init; } = 2_000;

    /// <summary>
    /// <c>min-commit-interval</c>: the least time from one commit's start to the next's. A commit costs the writer a
    /// flush (with <c>full</c>, an fsync: about 0.7 ms of CPU on the benchmark VM, see RESULTS) whatever it holds, so
    /// under load the writer waits out the rest of the interval and commits what gathered meanwhile, instead of
    /// committing a few events at a time as fast as the disk allows. An idle writer commits at once. It adds at most
    /// the interval to a write's latency, only under load. Default: 5 ms for SQLite, 0 (off) for PostgreSQL, whose
    /// server groups concurrent commits itself.
    /// </summary>
    public TimeSpan MinCommitInterval { get; init; }

    /// <summary>
    /// <c>sqlite-index-merge-events</c>: rows the writer lets gather in the tail before it merges them into the index
    /// table (<see cref="SqliteJournalTail"/>). More rows per merge means more of each id's new entries share a leaf (the
    /// point of merging), a longer merge (the writer's commits wait for it) and a longer tail for readers to add.
    /// Default: 50000.
    /// </summary>
    public int IndexMergeEvents { get; init; } = 50_000;

    /// <summary><c>sqlite-index-merge-interval</c>: the longest a row stays in the tail while writes go on. Default: 5 s.</summary>
    public TimeSpan IndexMergeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reads the plugin section; throws <see cref="ConfigurationException"/> naming the key on a bad value.</summary>
    public static JournalSettings From(Config config) => From(config, TimeSpan.Zero);

    /// <summary>As <see cref="From(Config)"/>, with the database's own default for <c>min-commit-interval</c>.</summary>
    public static JournalSettings From(Config config, TimeSpan defaultMinCommitInterval)
    {
        var mapping = config.GetString("table-mapping", "default");
        if (!string.Equals(mapping, "default", StringComparison.OrdinalIgnoreCase))
        {
            // Only the default mapping's column names are written here (Akka.Persistence.Sql persistence.conf "default").
            throw new ConfigurationException($"table-mapping: only 'default' is supported by the routing journals, got '{mapping}'");
        }

        var tagMode = config.GetString("tag-write-mode", "TagTable");
        if (!string.Equals(tagMode, "TagTable", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"tag-write-mode: only 'TagTable' is supported by the routing journals, got '{tagMode}'");
        }

        var connection = config.GetString("connection-string", string.Empty);
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new ConfigurationException("connection-string: required");
        }

        return new JournalSettings
        {
            ConnectionString = connection,
            JournalTable = Identifier("default.journal.table-name", config.GetString("default.journal.table-name", "journal")),
            TagTable = Identifier("default.tag.table-name", config.GetString("default.tag.table-name", "tags")),
            AutoInitialize = config.GetBoolean("auto-initialize", true),
            UseWriterUuid = config.GetBoolean("default.journal.use-writer-uuid-column", true),
            Synchronous = ParseSynchronous(config.GetString("sqlite-synchronous", "full")),
            BusyTimeout = Duration(config, "sqlite-busy-timeout", TimeSpan.FromSeconds(30)),
            MaxPendingEvents = Positive("max-pending-events", config.GetInt("max-pending-events", 20_000)),
            MaxBatchEvents = Positive("max-batch-events", config.GetInt("max-batch-events", 2_000)),
            IndexMergeEvents = Positive("sqlite-index-merge-events", config.GetInt("sqlite-index-merge-events", 50_000)),
            IndexMergeInterval = NotNegative("sqlite-index-merge-interval", Duration(config, "sqlite-index-merge-interval", TimeSpan.FromSeconds(5))),
            MinCommitInterval = NotNegative("min-commit-interval", Duration(config, "min-commit-interval", defaultMinCommitInterval)),
        };
    }

    /// <summary>Parses <c>full</c> or <c>normal</c> (case-insensitive).</summary>
    public static SqliteSynchronous ParseSynchronous(string value) => value.Trim().ToLowerInvariant() switch
    {
        "full" => SqliteSynchronous.Full,
        "normal" => SqliteSynchronous.Normal,
        _ => throw new ConfigurationException($"sqlite-synchronous: expected full or normal, got '{value}'"),
    };

    private static TimeSpan Duration(Config config, string key, TimeSpan fallback)
    {
        try
        {
            return config.GetTimeSpan(key, fallback);
        }
        catch (FormatException)
        {
            throw new ConfigurationException($"{key}: expected a duration such as 5ms or 30s, got '{config.GetString(key)}'");
        }
    }

    private static TimeSpan NotNegative(string key, TimeSpan value) =>
        value >= TimeSpan.Zero ? value : throw new ConfigurationException($"{key}: expected zero or more, got {value}");

    private static int Positive(string key, int value) =>
        value > 0 ? value : throw new ConfigurationException($"{key}: expected a positive number, got {value}");

    // Table names are spliced into SQL text, so only plain identifiers are accepted.
    internal static string Identifier(string key, string value)
    {
        if (value.Length == 0 || !value.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
        {
            throw new ConfigurationException($"{key}: expected letters, digits and '_', got '{value}'");
        }

        return value;
    }
}
