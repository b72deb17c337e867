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

    public PostgresJournalSpec(PostgresJournalDatabase db) : base(Config(db.ConnectionString))
    {
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
