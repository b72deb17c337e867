using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using Akka.Util;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>
/// Query plugin for the <see cref="SqliteJournal"/>'s tables (section <c>akka.persistence.query.journal.sqlite</c>):
/// <c>class</c>, <c>write-plugin</c> (the journal section whose connection and tables it reads), <c>refresh-interval</c>
/// and <c>max-buffer-size</c>.
/// </summary>
public sealed class SqliteReadJournalProvider : IReadJournalProvider
{
    private readonly SqliteReadJournal _journal;

    public SqliteReadJournalProvider(ExtendedActorSystem system, Config config)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(config);
        var writePlugin = config.GetString("write-plugin", "akka.persistence.journal.sql");
        var journal = JournalSettings.From(system.Settings.Config.GetConfig(writePlugin));
        _journal = new SqliteReadJournal(system, journal,
            config.GetTimeSpan("refresh-interval", TimeSpan.FromSeconds(1)), config.GetInt("max-buffer-size", 500));
    }

    public IReadJournal GetReadJournal() => _journal;
}

/// <summary>
/// EventsByTag over the SQLite journal, reading the tag table's (tag, ordering_id) index one page at a time.
/// <para>
/// Why not Akka.Persistence.Sql's read journal: its tag query sorts every row of the tag past the offset before it
/// takes a page (SQLite cannot use the index order through its join), so a projection that fell behind paid for the
/// whole backlog on each page and fell further behind; at 1 000 calls/s the CDR feed took a core and trailed by minutes.
/// </para>
/// <para>
/// No gap detection is needed: one writer thread (<see cref="SqliteJournalWriter"/>) assigns orderings inside
/// transactions that commit one after the other, and a WAL reader sees a committed prefix, so no row can appear later
/// below an ordering already read. (PostgreSQL, with concurrent writers, keeps Akka's read journal and its sequence
/// actor.) <see cref="EventEnvelope.Tags"/> holds the tag asked for.
/// </para>
/// </summary>
public sealed class SqliteReadJournal : IReadJournal, IEventsByTagQuery, ICurrentEventsByTagQuery, ICurrentPersistenceIdsQuery
{
    /// <summary>Plugin id of the query section the node configures for SQLite.</summary>
    public const string Identifier = "akka.persistence.query.journal.sqlite";

    private readonly ExtendedActorSystem _system;
    private readonly JournalSettings _settings;
    private readonly TimeSpan _refresh;
    private readonly int _pageSize;
    private readonly string _pageSql;
    private readonly string _idsSql;

    public SqliteReadJournal(ExtendedActorSystem system, JournalSettings settings, TimeSpan refreshInterval, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refreshInterval, TimeSpan.Zero);
        _system = system ?? throw new ArgumentNullException(nameof(system));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _refresh = refreshInterval;
        _pageSize = pageSize;
        _pageSql = $"SELECT j.ordering, j.persistence_id, j.sequence_number, j.created, j.message, j.manifest, j.identifier " +
            $"FROM [{settings.TagTable}] t JOIN [{settings.JournalTable}] j ON j.ordering = t.ordering_id " +
            "WHERE t.tag = $tag AND t.ordering_id > $offset AND j.deleted = 0 ORDER BY t.ordering_id LIMIT $max";
        var journal = settings.JournalTable;
        _idsSql = $"SELECT DISTINCT persistence_id FROM [{SqliteJournalSchema.IndexTable(journal)}] UNION " +
            $"SELECT persistence_id FROM [{journal}] WHERE ordering > (SELECT upto FROM [{SqliteJournalSchema.IndexedTable(journal)}])";
    }

    /// <summary>
    /// Every persistence id with a row, once, in no particular order: the index table's ids (a walk of its keys) and
    /// those of the rows not merged into it yet (a scan of that tail alone). Akka.Persistence.Sql's query would read the
    /// whole journal table, which has no index by persistence id.
    /// </summary>
    public Source<string, NotUsed> CurrentPersistenceIds() =>
        Source.FromTask(Task.Run(() =>
            {
                var ids = new List<string>();
                using var connection = SqliteJournalSchema.OpenReader(_settings.ConnectionString, _settings.BusyTimeout);
                using var command = connection.CreateCommand();
                command.CommandText = _idsSql;
                try
                {
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                    {
                        ids.Add(reader.GetString(0));
                    }
                }
                catch (SqliteException e) when (IsMissingTable(e))
                {
                    // Nothing written yet: the write journal creates the tables at its first start.
                }

                return ids;
            }))
            .SelectMany(ids => ids);

    /// <summary>Events with <paramref name="tag"/> after <paramref name="offset"/> (exclusive), then new ones as they are written.</summary>
    public Source<EventEnvelope, NotUsed> EventsByTag(string tag, Offset offset) => Pages(tag, offset, live: true);

    /// <summary>Events with <paramref name="tag"/> after <paramref name="offset"/> (exclusive) written so far; then completes.</summary>
    public Source<EventEnvelope, NotUsed> CurrentEventsByTag(string tag, Offset offset) => Pages(tag, offset, live: false);

    private Source<EventEnvelope, NotUsed> Pages(string tag, Offset offset, bool live)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var start = offset switch
        {
            null or NoOffset => 0L,
            Sequence s => s.Value,
            _ => throw new ArgumentException($"the SQLite read journal takes a Sequence offset, not {offset.GetType().Name}", nameof(offset)),
        };

        // One query per pull. A live stream that has caught up (a short page) waits one refresh interval before the
        // next query, and an empty page is emitted as such, so cancelling the stream stops the polling within one
        // interval. A current stream ends after its first short page.
        return Source.UnfoldAsync<(long Offset, bool CaughtUp), IReadOnlyList<EventEnvelope>>((start, false), async state =>
            {
                if (state.CaughtUp)
                {
                    if (!live)
                    {
                        return Option<((long, bool), IReadOnlyList<EventEnvelope>)>.None;
                    }

                    await Task.Delay(_refresh).ConfigureAwait(false);
                }

                var page = await Task.Run(() => ReadPage(tag, state.Offset)).ConfigureAwait(false);
                var next = page.Count > 0 ? ((Sequence)page[^1].Offset).Value : state.Offset;
                return Option<((long, bool), IReadOnlyList<EventEnvelope>)>.Create(((next, page.Count < _pageSize), page));
            })
            .SelectMany(page => page);
    }

    private static bool IsMissingTable(SqliteException e) =>
        e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal);

    private List<EventEnvelope> ReadPage(string tag, long offset)
    {
        var page = new List<EventEnvelope>(Math.Min(_pageSize, 64));
        using var connection = SqliteJournalSchema.OpenReader(_settings.ConnectionString, _settings.BusyTimeout);
        using var command = connection.CreateCommand();
        command.CommandText = _pageSql;
        command.Parameters.AddWithValue("$tag", tag);
        command.Parameters.AddWithValue("$offset", offset);
        command.Parameters.AddWithValue("$max", _pageSize);
        SqliteDataReader reader;
        try
        {
            reader = command.ExecuteReader();
        }
        catch (SqliteException e) when (IsMissingTable(e))
        {
            // A fresh file has no tables until the write journal's first start; a feed that polls first finds nothing yet
            // (it used to fail and restart its stream with a warning on every first start of a node).
            return page;
        }

        using var _ = reader;
        string[] tags = [tag];
        while (reader.Read())
        {
            var ordering = reader.GetInt64(0);
            var persistenceId = reader.GetString(1);
            var sequenceNr = reader.GetInt64(2);
            var created = reader.GetInt64(3);
            var message = (byte[])reader.GetValue(4);
            var manifest = reader.IsDBNull(5) ? string.Empty : reader.GetString(5);
            int? identifier = reader.IsDBNull(6) ? null : reader.GetInt32(6);
            var payload = GroupCommitJournal.Deserialize(_system, message, identifier, manifest);
            page.Add(new EventEnvelope(new Sequence(ordering), persistenceId, sequenceNr, payload, created, tags));
        }

        return page;
    }
}
