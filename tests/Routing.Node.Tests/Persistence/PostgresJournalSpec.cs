using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Routing.Cluster.Journal;
using Routing.Node.Tests.Cluster;
using Routing.Node.Tests.EndToEnd;

using static Routing.Cluster.Tests.Journal.JournalProtocol;

namespace Routing.Node.Tests.Persistence;

/// <summary>One throwaway PostgreSQL for the journal cases.</summary>
public sealed class PostgresJournalDatabase : IAsyncLifetime
{
    private readonly string _dir = TestEnvironment.TempDirectory();
    private ThrowawayPostgres? _pg;

    public string ConnectionString => _pg?.ConnectionString ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => _pg = await ThrowawayPostgres.StartAsync(_dir, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _pg?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Our PostgreSQL journal against a real PostgreSQL: the rows it writes are the ones Akka.Persistence.Sql reads
/// (replay, highest sequence number, EventsByTag through its SqlReadJournal), a duplicate fails only its own write,
/// and members creating the tables at once do not collide.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PostgresJournalSpec : Akka.TestKit.Xunit.TestKit, IClassFixture<PostgresJournalDatabase>
{
    private const string Journal = "akka.persistence.journal.pg";
    private readonly IActorRef _journal;

    private readonly string _connection;

    public PostgresJournalSpec(PostgresJournalDatabase db) : base(Config(db.ConnectionString))
    {
        _connection = db.ConnectionString;
        _journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(Journal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Akka.Configuration.Config Config(string connection) => ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "{{Journal}}"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.persistence.journal.pg {
          class = "{{typeof(PostgresJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{connection}}"
        }
        akka.persistence.journal.pgpaced {
          class = "{{typeof(PostgresJournal).AssemblyQualifiedName}}"
          connection-string = "{{connection}}"
          min-commit-interval = 1s
        }
        akka.persistence.snapshot-store.pg {
          class = "{{typeof(PostgresSnapshotStore).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
          connection-string = "{{connection}}"
          journal-plugin = "{{Journal}}"
        }
        akka.persistence.snapshot-store.pg-missing {
          class = "{{typeof(PostgresSnapshotStore).AssemblyQualifiedName}}"
          connection-string = "{{connection}}"
          journal-plugin = "akka.persistence.journal.pgpaced"
          auto-initialize = off
          default.snapshot.table-name = no_such_table
        }
        akka.persistence.snapshot-store.sql {
          class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
          connection-string = "{{connection}}"
          provider-name = "PostgreSQL.15"
        }
        akka.persistence.journal.race1 {
          class = "{{typeof(PostgresJournal).AssemblyQualifiedName}}"
          connection-string = "{{connection}}"
          default.journal.table-name = race_journal
          default.tag.table-name = race_tags
        }
        akka.persistence.journal.race2 {
          class = "{{typeof(PostgresJournal).AssemblyQualifiedName}}"
          connection-string = "{{connection}}"
          default.journal.table-name = race_journal
          default.tag.table-name = race_tags
        }
        akka.persistence.query.journal.sql {
          class = "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"
          connection-string = "{{connection}}"
          provider-name = "PostgreSQL.15"
          write-plugin = "{{Journal}}"
          refresh-interval = 100ms
        }
        akka.test.timefactor = {{Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}}
        """);

    [Fact]
    public void WriteThenReplay_EveryEventInOrder_HighestIsTheLast()
    {
        WriteEvents("pg-1", 1, 5);

        var replayed = Replay("pg-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 5);

        Assert.Equal(["pg-1-1", "pg-1-2", "pg-1-3", "pg-1-4", "pg-1-5"], replayed.Select(p => (string)p.Payload));
        Assert.Equal([2L, 3], Replay("pg-1", 2, 3, long.MaxValue, expectedHighest: 5).Select(p => p.SequenceNr));
        Assert.Equal([1L, 2], Replay("pg-1", 1, long.MaxValue, 2, expectedHighest: 5).Select(p => p.SequenceNr));
        Assert.Empty(Replay("pg-unknown", 1, long.MaxValue, long.MaxValue, expectedHighest: 0));
    }

    [Fact]
    public async Task TaggedAndUntaggedInOneWrite_AkkaSqlReadJournalFindsTheTaggedByTagInOrder()
    {
        _journal.Tell(new WriteMessages(
        [
            Atomic(Event("pg-t1", 1, new Tagged("t1-a", ["cdr-test"])), Event("pg-t1", 2, "t1-untagged")),
            Atomic(Event("pg-t2", 1, new Tagged("t2-a", ["other", "cdr-test"]))),
            Atomic(Event("pg-t1", 3, new Tagged("t1-b", ["cdr-test"]))),
        ], TestActor, NextInstance()));
        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        ReceiveN(4, Ct);

        var queries = PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>("akka.persistence.query.journal.sql");
        var events = await queries.CurrentEventsByTag("cdr-test", Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer())
            .WaitAsync(Dilated(TimeSpan.FromSeconds(20)), Ct);

        Assert.Equal(["t1-a", "t2-a", "t1-b"], events.Select(e => (string)e.Event));
        Assert.Equal([1L, 1, 3], events.Select(e => e.SequenceNr));
        Assert.Equal(["t1-untagged"], Replay("pg-t1", 2, 2, long.MaxValue, expectedHighest: 3).Select(p => (string)p.Payload));
    }

    [Fact]
    public void DuplicateSequenceNr_FailsOnlyItsOwnWrite()
    {
        WriteEvents("pg-dup", 1, 1);

        // Sent together, so the writer can take them as one batch: the duplicate must not fail its neighbour.
        var other = CreateTestProbe();
        _journal.Tell(new WriteMessages([Atomic(Event("pg-dup", 1, "again"))], TestActor, NextInstance()));
        _journal.Tell(new WriteMessages([Atomic(Event("pg-fine", 1, "fine"))], other.Ref, NextInstance()));

        ExpectMsg<WriteMessagesFailed>(cancellationToken: Ct);
        ExpectMsg<WriteMessageFailure>(cancellationToken: Ct);
        other.ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        other.ExpectMsg<WriteMessageSuccess>(cancellationToken: Ct);
        Assert.Equal(["pg-dup-1"], Replay("pg-dup", 1, long.MaxValue, long.MaxValue, expectedHighest: 1).Select(p => (string)p.Payload));
        Assert.Equal(["fine"], Replay("pg-fine", 1, long.MaxValue, long.MaxValue, expectedHighest: 1).Select(p => (string)p.Payload));
    }

    [Fact]
    public void DeleteTo_HidesDeletedEvents_HighestSequenceNrSurvives()
    {
        WriteEvents("pg-del", 1, 4);

        _journal.Tell(new DeleteMessagesTo("pg-del", 3, TestActor));
        ExpectMsg<DeleteMessagesSuccess>(cancellationToken: Ct);
        Assert.Equal([4L], Replay("pg-del", 1, long.MaxValue, long.MaxValue, expectedHighest: 4).Select(p => p.SequenceNr));

        _journal.Tell(new DeleteMessagesTo("pg-del", 4, TestActor));
        ExpectMsg<DeleteMessagesSuccess>(cancellationToken: Ct);
        Assert.Empty(Replay("pg-del", 1, long.MaxValue, long.MaxValue, expectedHighest: 4));
    }

    [Fact]
    public async Task TwoJournalsCreatingTheSameMissingTablesAtOnce_BothWrite()
    {
        var persistence = Akka.Persistence.Persistence.Instance.Apply(Sys);
        var starts = new[] { "akka.persistence.journal.race1", "akka.persistence.journal.race2" }
            .Select(id => Task.Run(() => persistence.JournalFor(id))).ToArray();
        var journals = await Task.WhenAll(starts).WaitAsync(Dilated(TimeSpan.FromSeconds(30)), Ct);

        for (var i = 0; i < journals.Length; i++)
        {
            journals[i].Tell(new WriteMessages([Atomic(Event("race-" + i, 1, "r" + i))], TestActor, NextInstance()));
            ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
            ExpectMsg<WriteMessageSuccess>(cancellationToken: Ct);
        }
    }

    [Fact]
    public void RestartedActor_RecoversItsEvents()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new Recorder("pg-actor", probe.Ref)));
        probe.ExpectMsg<Recorder.Recovered>(cancellationToken: Ct);
        actor.Tell("a");
        actor.Tell("b");
        probe.ReceiveN(2, Ct);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, cancellationToken: Ct);

        Sys.ActorOf(Props.Create(() => new Recorder("pg-actor", probe.Ref)));

        Assert.Equal(["a", "b"], probe.ExpectMsg<Recorder.Recovered>(cancellationToken: Ct).Events);
    }

    [Fact]
    public void Snapshots_ThroughTheWriter_NewestLoadedOlderGone_AndAkkaPersistenceSqlReadsThemBothWays()
    {
        var ours = Store("akka.persistence.snapshot-store.pg");
        var theirs = Store("akka.persistence.snapshot-store.sql");
        var at = new DateTime(2026, 11, 27, 14, 0, 0, DateTimeKind.Utc);

        // The first save also starts the journal whose writer it goes through, and that journal's first batch opens
        // its connection and checks the tables, beside Akka.Persistence.Sql's store creating its own: under CI load (a
        // rolling-restart test beside it) that took longer than the default wait once. Later saves use the default.
        Save(ours, "pg-s1", 3, "at-3", at, Dilated(TimeSpan.FromSeconds(30)));
        Save(ours, "pg-s1", 7, "at-7", at.AddSeconds(1));
        Save(theirs, "pg-s2", 5, "by-akka", at);

        Assert.Equal(("at-7", 7L), Loaded(ours, "pg-s1"));
        Assert.Equal(("at-7", 7L), Loaded(theirs, "pg-s1"));
        Assert.Equal(("by-akka", 5L), Loaded(ours, "pg-s2"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 'pg-s1'"));

        ours.Tell(new DeleteSnapshots("pg-s1", SnapshotSelectionCriteria.Latest), TestActor);
        ExpectMsg<DeleteSnapshotsSuccess>(cancellationToken: Ct);
        ours.Tell(new LoadSnapshot("pg-s1", SnapshotSelectionCriteria.Latest, long.MaxValue), TestActor);
        Assert.Null(ExpectMsg<LoadSnapshotResult>(cancellationToken: Ct).Snapshot);
    }

    [Fact]
    public void SnapshotToAMissingTable_FailsAlone_TheEventsOfItsBatchCommit()
    {
        // Both go to the paced journal's writer, which waits out its commit interval: they share one batch.
        var paced = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor("akka.persistence.journal.pgpaced");
        paced.Tell(new WriteMessages([Atomic(Event("pg-warm", 1, "warm"))], TestActor, NextInstance()));
        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        ExpectMsg<WriteMessageSuccess>(cancellationToken: Ct);

        Store("akka.persistence.snapshot-store.pg-missing").Tell(new SaveSnapshot(new SnapshotMetadata("pg-lost", 1, DateTime.UtcNow), "lost"), TestActor);
        paced.Tell(new WriteMessages([Atomic(Event("pg-kept", 1, "kept"))], TestActor, NextInstance()));

        var answers = ReceiveN(3, Dilated(TimeSpan.FromSeconds(15)), Ct);
        Assert.Contains("no_such_table", Assert.Single(answers.OfType<SaveSnapshotFailure>()).Cause.Message, StringComparison.Ordinal);
        Assert.Single(answers.OfType<WriteMessagesSuccessful>());
        Assert.Single(answers.OfType<WriteMessageSuccess>());
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'pg-kept'"));
    }

    private IActorRef Store(string pluginId) => Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(pluginId);

    private void Save(IActorRef store, string pid, long seq, string state, DateTime at, TimeSpan? wait = null)
    {
        store.Tell(new SaveSnapshot(new SnapshotMetadata(pid, seq, at), state), TestActor);
        ExpectMsg<SaveSnapshotSuccess>(wait, cancellationToken: Ct);
    }

    private (string State, long SequenceNr) Loaded(IActorRef store, string pid)
    {
        store.Tell(new LoadSnapshot(pid, SnapshotSelectionCriteria.Latest, long.MaxValue), TestActor);
        var loaded = ExpectMsg<LoadSnapshotResult>(cancellationToken: Ct).Snapshot!;
        return ((string)loaded.Snapshot, loaded.Metadata.SequenceNr);
    }

    private long Scalar(string sql)
    {
        using var source = Npgsql.NpgsqlDataSource.Create(_connection);
        using var command = source.CreateCommand(sql);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void WriteEvents(string pid, long from, long to) => this.WriteEvents(_journal, pid, from, to);

    private List<IPersistentRepresentation> Replay(string pid, long from, long to, long max, long expectedHighest) =>
        this.Replay(_journal, pid, from, to, max, expectedHighest);

    /// <summary>Persists every string it is told; reports what it recovered.</summary>
    private sealed class Recorder : ReceivePersistentActor
    {
        private readonly List<string> _events = [];

        public Recorder(string id, IActorRef probe)
        {
            PersistenceId = id;
            Recover<string>(e => _events.Add(e));
            Recover<RecoveryCompleted>(_ => probe.Tell(new Recovered([.. _events])));
            Command<string>(s => Persist(s, e => probe.Tell(e)));
        }

        public override string PersistenceId { get; }

        public sealed record Recovered(string[] Events);
    }
}
