using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Serialization;
using Microsoft.Data.Sqlite;
using Routing.Cluster.Journal;

namespace Routing.Cluster.Tests.Journal;

/// <summary>A temp folder with one SQLite file and the HOCON that points both our journal and Akka.Persistence.Sql at it.</summary>
internal sealed class JournalTestFile : IDisposable
{
    public const string OurJournal = "akka.persistence.journal.fast";
    public const string SqlJournal = "akka.persistence.journal.sql";

    public JournalTestFile()
    {
        Folder = Path.Combine(Path.GetTempPath(), "routing-journal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Folder, "journal.db"),
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Folder { get; }

    public string ConnectionString { get; }

    public const string SmallQueueJournal = "akka.persistence.journal.small";

    /// <summary>A journal whose commits start at least <see cref="PacedInterval"/> apart.</summary>
    public const string PacedJournal = "akka.persistence.journal.paced";

    public static readonly TimeSpan PacedInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Our journal on the same table, merging its tail into the index table after every batch (<see cref="OurJournal"/>
    /// merges at 50 000 rows or after 5 s, so in a test its rows stay in the tail).
    /// </summary>
    public const string MergingJournal = "akka.persistence.journal.merging";

    /// <summary>Our snapshot store, writing through <see cref="OurJournal"/>'s writer.</summary>
    public const string OurSnapshots = "akka.persistence.snapshot-store.fast";

    /// <summary>Our snapshot store on <see cref="PacedJournal"/>'s writer.</summary>
    public const string PacedSnapshots = "akka.persistence.snapshot-store.paced";

    /// <summary>Our snapshot store on <see cref="PacedJournal"/>'s writer, pointed at a table that does not exist.</summary>
    public const string MissingTableSnapshots = "akka.persistence.snapshot-store.missing-table";

    /// <summary>Akka.Persistence.Sql's snapshot store on the same file.</summary>
    public const string SqlSnapshots = "akka.persistence.snapshot-store.sql";

    public Config Config() => ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "{{OurJournal}}"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.persistence.journal.fast {
          class = "{{typeof(SqliteJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          event-adapters { failing = "{{typeof(FailingAdapter).AssemblyQualifiedName}}" }
          event-adapter-bindings { "{{typeof(AdapterFails).AssemblyQualifiedName}}" = failing }
        }
        akka.persistence.journal.small {
          class = "{{typeof(SqliteJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          max-pending-events = 10
        }
        akka.persistence.journal.merging {
          class = "{{typeof(SqliteJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          sqlite-index-merge-events = 1
        }
        akka.persistence.journal.paced {
          class = "{{typeof(SqliteJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          min-commit-interval = {{(int)PacedInterval.TotalMilliseconds}}ms
        }
        akka.persistence.snapshot-store.fast {
          class = "{{typeof(SqliteSnapshotStore).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          journal-plugin = "{{OurJournal}}"
        }
        akka.persistence.snapshot-store.paced {
          class = "{{typeof(SqliteSnapshotStore).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          journal-plugin = "{{PacedJournal}}"
        }
        akka.persistence.snapshot-store.missing-table {
          class = "{{typeof(SqliteSnapshotStore).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{ConnectionString}}"
          journal-plugin = "{{PacedJournal}}"
          auto-initialize = off
          default.snapshot.table-name = no_such_table
        }
        akka.persistence.snapshot-store.sql {
          class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
          connection-string = "{{ConnectionString}}"
          provider-name = "SQLite.MS"
        }
        akka.persistence.journal.sql {
          class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
          connection-string = "{{ConnectionString}}"
          provider-name = "SQLite.MS"
          parallelism = 1
        }
        akka.persistence.query.journal.sql {
          class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
          connection-string = "{{ConnectionString}}"
          provider-name = "SQLite.MS"
          # As in the node: the read journal's write plugin is ours (its constructor asks it IsInitialized).
          write-plugin = "{{OurJournal}}"
          refresh-interval = 100ms
        }
        akka.persistence.query.journal.sqlite {
          class = "{{typeof(SqliteReadJournalProvider).AssemblyQualifiedName}}"
          write-plugin = "{{OurJournal}}"
          refresh-interval = 100ms
          max-buffer-size = 2
        }
        akka.actor {
          serializers { poison = "{{typeof(PoisonSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(Unserializable).AssemblyQualifiedName}}" = poison }
        }
        akka.test.timefactor = {{Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}}
        """);

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A journal thread may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>A payload whose event adapter always fails.</summary>
public sealed record AdapterFails(string Value);

/// <summary>Fails every adaptation to the journal, to drive the rejection of a whole batch.</summary>
public sealed class FailingAdapter : IWriteEventAdapter
{
    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => throw new InvalidOperationException("this payload cannot be adapted");
}

/// <summary>A payload whose serializer always fails.</summary>
public sealed record Unserializable(string Value);

/// <summary>Fails every serialization, to drive the rejection path.</summary>
public sealed class PoisonSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public override int Identifier => 9_901;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => throw new InvalidOperationException("poison payload cannot be serialized");

    public override object FromBinary(byte[] bytes, Type type) => throw new InvalidOperationException("poison payload cannot be read");
}

/// <summary>Persists each string it receives (Persist, or PersistAsync when asked) and reports to a probe.</summary>
internal sealed class EchoPersistentActor : PersistentActor
{
    private readonly IActorRef _probe;
    private readonly bool _async;
    private readonly List<string> _state = [];

    public EchoPersistentActor(string persistenceId, IActorRef probe, bool async, string? journalPluginId = null)
    {
        PersistenceId = persistenceId;
        _probe = probe;
        _async = async;
        JournalPluginId = journalPluginId ?? JournalTestFile.OurJournal;
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IActorRef probe, bool async = false, string? journalPluginId = null) =>
        Akka.Actor.Props.Create(() => new EchoPersistentActor(persistenceId, probe, async, journalPluginId));

    protected override bool ReceiveRecover(object message)
    {
        switch (message)
        {
            case string s:
                _state.Add(s);
                return true;
            case RecoveryCompleted:
                _probe.Tell(new Recovered(PersistenceId, [.. _state]));
                return true;
            default:
                return false;
        }
    }

    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case Tagged t:
                Persist(t, e => _probe.Tell(new Persisted(PersistenceId, LastSequenceNr)));
                return true;
            case string s when _async:
                PersistAsync(s, e => { _state.Add(e); _probe.Tell(new Persisted(PersistenceId, LastSequenceNr)); });
                return true;
            case string s:
                Persist(s, e => { _state.Add(e); _probe.Tell(new Persisted(PersistenceId, LastSequenceNr)); });
                return true;
            default:
                return false;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _probe.Tell(new PersistFailed(PersistenceId, sequenceNr, cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    public sealed record Recovered(string PersistenceId, string[] Events);

    public sealed record Persisted(string PersistenceId, long SequenceNr);

    public sealed record PersistFailed(string PersistenceId, long SequenceNr, Exception Cause);
}
