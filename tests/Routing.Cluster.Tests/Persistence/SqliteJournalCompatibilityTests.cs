using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Routing.Cluster.Tests.Journal;

/// <summary>Our journal and Akka.Persistence.Sql 1.5.73 on one SQLite file: each reads what the other wrote.</summary>
public sealed class SqliteJournalCompatibilityTests : Akka.TestKit.Xunit.TestKit
{
    private readonly JournalTestFile _file;

    public SqliteJournalCompatibilityTests() : this(new JournalTestFile()) { }

    private SqliteJournalCompatibilityTests(JournalTestFile file) : base(file.Config()) => _file = file;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override void AfterAll()
    {
        base.AfterAll();
        _file.Dispose();
    }

    [Fact]
    public async Task EventsWrittenByOurJournal_AreReadBySqlReadJournal()
    {
        var probe = CreateTestProbe();
        for (var i = 1; i <= 3; i++)
        {
            var actor = Sys.ActorOf(EchoPersistentActor.Props("compat-" + i, probe.Ref));
            probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
            actor.Tell(new Tagged("cdr-" + i + "-a", ["cdr"]));
            actor.Tell(new Tagged("cdr-" + i + "-b", ["cdr", "other"]));
            actor.Tell("untagged-" + i);
            probe.ReceiveN(3, Ct);
        }

        var queries = PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var materializer = Sys.Materializer();
        var timeout = Dilated(TimeSpan.FromSeconds(10));

        var byTag = await queries.CurrentEventsByTag("cdr", Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), materializer).WaitAsync(timeout, Ct);
        var other = await queries.CurrentEventsByTag("other", Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), materializer).WaitAsync(timeout, Ct);
        var byId = await queries.CurrentEventsByPersistenceId("compat-2", 0, long.MaxValue).RunWith(Sink.Seq<EventEnvelope>(), materializer).WaitAsync(timeout, Ct);
        var ids = await queries.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), materializer).WaitAsync(timeout, Ct);

        Assert.Equal(["cdr-1-a", "cdr-1-b", "cdr-2-a", "cdr-2-b", "cdr-3-a", "cdr-3-b"], byTag.Select(e => (string)e.Event));
        var offsets = byTag.Select(e => ((Sequence)e.Offset).Value).ToList();
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets[0], _file.Scalar("SELECT ordering FROM journal WHERE persistence_id = 'compat-1' AND sequence_number = 1"));
        Assert.Equal(3, other.Count);
        Assert.Equal(["cdr-2-a", "cdr-2-b", "untagged-2"], byId.Select(e => (string)e.Event));
        Assert.Equal([1L, 2, 3], byId.Select(e => e.SequenceNr));
        Assert.Equivalent(new[] { "compat-1", "compat-2", "compat-3" }, ids);
    }

    [Fact]
    public async Task LiveEventsByTag_SeesEventsOurJournalWritesLater()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(EchoPersistentActor.Props("live-1", probe.Ref));
        probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
        actor.Tell(new Tagged("first", ["live"]));
        probe.ExpectMsg<EchoPersistentActor.Persisted>(cancellationToken: Ct);
        var queries = PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var live = queries.EventsByTag("live", Offset.NoOffset()).Take(3).RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer());

        actor.Tell(new Tagged("second", ["live"]));
        actor.Tell(new Tagged("third", ["live"]));
        probe.ReceiveN(2, Ct);

        var events = await live.WaitAsync(Dilated(TimeSpan.FromSeconds(15)), Ct);
        Assert.Equal(["first", "second", "third"], events.Select(e => (string)e.Event));
    }

    [Fact]
    public void FileWrittenBySqlPlugin_IsReplayedByOurJournal_AndNumberingContinues()
    {
        var probe = CreateTestProbe();
        var old = Sys.ActorOf(EchoPersistentActor.Props("legacy-1", probe.Ref, journalPluginId: JournalTestFile.SqlJournal));
        probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
        old.Tell("a");
        old.Tell(new Tagged("b", ["cdr"]));
        old.Tell("c");
        probe.ReceiveN(3, Ct);
        Watch(old);
        Sys.Stop(old);
        ExpectTerminated(old, cancellationToken: Ct);

        var ours = Sys.ActorOf(EchoPersistentActor.Props("legacy-1", probe.Ref));
        var recovered = probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
        ours.Tell("d");

        Assert.Equal(["a", "b", "c"], recovered.Events);
        Assert.Equal(4, probe.ExpectMsg<EchoPersistentActor.Persisted>(cancellationToken: Ct).SequenceNr);
        // Both plugins wrote the same row shape: serializer id, manifest, writer id, tag rows.
        Assert.Equal(0, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'legacy-1' AND (identifier IS NULL OR writer_uuid IS NULL OR length(writer_uuid) <> 32)"));
        Assert.Equal(1, _file.Scalar("SELECT COUNT(*) FROM tags WHERE persistence_id = 'legacy-1' AND tag = 'cdr' AND sequence_nr = 2"));
        Assert.Equal(2, _file.Scalar("SELECT COUNT(DISTINCT writer_uuid) FROM journal WHERE persistence_id = 'legacy-1'"));
        // Akka.Persistence.Sql created the file with its unique index; our journal's start indexed its rows into the
        // index table and dropped the index (a file from before the index table is handled the same way).
        Assert.Equal(0, _file.Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'journal_uq'"));
        Assert.Equal(3, _file.Scalar("SELECT COUNT(*) FROM journal_index WHERE persistence_id = 'legacy-1' AND sequence_number <= 3"));
    }
}
