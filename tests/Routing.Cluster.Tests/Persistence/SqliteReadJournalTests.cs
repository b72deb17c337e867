using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Routing.Cluster.Journal;

namespace Routing.Cluster.Tests.Journal;

/// <summary>EventsByTag over our SQLite journal (the CDR feed), paged two rows at a time in these tests.</summary>
public sealed class SqliteReadJournalTests : Akka.TestKit.Xunit.TestKit
{
    private readonly JournalTestFile _file;

    public SqliteReadJournalTests() : this(new JournalTestFile()) { }

    private SqliteReadJournalTests(JournalTestFile file) : base(file.Config()) => _file = file;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteReadJournal Queries => PersistenceQuery.Get(Sys).ReadJournalFor<SqliteReadJournal>(SqliteReadJournal.Identifier);

    protected override void AfterAll()
    {
        base.AfterAll();
        _file.Dispose();
    }

    private void Write(string persistenceId, params object[] events) => WriteWith(null, persistenceId, events);

    private void WriteWith(string? journalPluginId, string persistenceId, params object[] events)
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(EchoPersistentActor.Props(persistenceId, probe.Ref, journalPluginId: journalPluginId));
        probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
        foreach (var e in events)
        {
            actor.Tell(e, probe.Ref);
        }

        probe.ReceiveN(events.Length, Ct);
    }

    private Task<IImmutableList<EventEnvelope>> Current(string tag, Offset offset) =>
        Queries.CurrentEventsByTag(tag, offset).RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer()).WaitAsync(Dilated(TimeSpan.FromSeconds(10)), Ct);

    [Fact]
    public async Task CurrentPersistenceIds_EveryIdOnce_FromTheIndexTableAndTheTail()
    {
        WriteWith(JournalTestFile.MergingJournal, "indexed", "i1", "i2");
        AwaitAssert(() => Assert.Equal(2, _file.Scalar("SELECT COUNT(*) FROM journal_index WHERE persistence_id = 'indexed'")),
            Dilated(TimeSpan.FromSeconds(10)), cancellationToken: Ct);
        Write("indexed", "i3");
        Write("tail-only", "t1", "t2");

        var ids = await Queries.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), Sys.Materializer()).WaitAsync(Dilated(TimeSpan.FromSeconds(10)), Ct);

        Assert.Equal(["indexed", "tail-only"], ids.Order());
        Assert.Equal(0, _file.Scalar("SELECT COUNT(*) FROM journal_index WHERE persistence_id = 'tail-only'"));
    }

    [Fact]
    public async Task CurrentEventsByTag_OnlyThatTagInJournalOrderAcrossPages_ThenCompletes()
    {
        Write("a", new Tagged("a1", ["cdr"]), "a-untagged", new Tagged("a2", ["cdr", "other"]));
        Write("b", new Tagged("b1", ["other"]), new Tagged("b2", ["cdr"]));

        var events = await Current("cdr", Offset.NoOffset());

        Assert.Equal(["a1", "a2", "b2"], events.Select(e => (string)e.Event));
        Assert.Equal(["a", "a", "b"], events.Select(e => e.PersistenceId));
        Assert.Equal([1L, 3, 2], events.Select(e => e.SequenceNr));
        Assert.Equal(_file.Scalar("SELECT ordering FROM journal WHERE persistence_id = 'b' AND sequence_number = 2"), ((Sequence)events[2].Offset).Value);
        Assert.All(events, e => Assert.Equal(["cdr"], e.Tags));
    }

    [Fact]
    public async Task CurrentEventsByTag_BeforeTheWriteJournalCreatedItsTables_CompletesEmpty()
    {
        // The CDR feed can poll a fresh file before the write journal's first start created the tables.
        var folder = Path.Combine(Path.GetTempPath(), "routing-journal-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var settings = new JournalSettings { ConnectionString = "Data Source=" + Path.Combine(folder, "fresh.db") + ";Pooling=false" };
            var fresh = new SqliteReadJournal((ExtendedActorSystem)Sys, settings, TimeSpan.FromMilliseconds(100), 2);

            var events = await fresh.CurrentEventsByTag("cdr", Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer())
                .WaitAsync(Dilated(TimeSpan.FromSeconds(10)), Ct);

            Assert.Empty(events);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task EventsByTag_OffsetIsExclusive()
    {
        Write("c", new Tagged("c1", ["cdr"]), new Tagged("c2", ["cdr"]), new Tagged("c3", ["cdr"]));
        var all = await Current("cdr", Offset.NoOffset());

        var after = await Current("cdr", all[0].Offset);

        Assert.Equal(["c2", "c3"], after.Select(e => (string)e.Event));
        Assert.Empty(await Current("cdr", all[2].Offset));
    }

    [Fact]
    public void LiveEventsByTag_CaughtUpThenPollsAndSeesEventsWrittenLater()
    {
        Write("d", new Tagged("d1", ["live"]));
        var sink = CreateTestProbe();
        Queries.EventsByTag("live", Offset.NoOffset())
            .RunWith(Sink.ActorRef<EventEnvelope>(sink.Ref, "completed", e => e), Sys.Materializer());
        Assert.Equal("d1", sink.ExpectMsg<EventEnvelope>(cancellationToken: Ct).Event);

        // Written only after the stream has read everything there was: it must find them on a later poll.
        Write("e", new Tagged("e1", ["live"]), "e-untagged", new Tagged("e2", ["live"]), new Tagged("e3", ["live"]));

        var later = new[] { sink.ExpectMsg<EventEnvelope>(cancellationToken: Ct), sink.ExpectMsg<EventEnvelope>(cancellationToken: Ct),
            sink.ExpectMsg<EventEnvelope>(cancellationToken: Ct) };
        Assert.Equal(["e1", "e2", "e3"], later.Select(e => (string)e.Event));
        sink.ExpectNoMsg(TimeSpan.FromMilliseconds(300), Ct);
    }

    [Fact]
    public async Task LiveEventsByTag_OffsetIsExclusive()
    {
        Write("g", new Tagged("g1", ["cdr"]), new Tagged("g2", ["cdr"]));
        var all = await Current("cdr", Offset.NoOffset());

        var live = await Queries.EventsByTag("cdr", all[0].Offset).Take(1).RunWith(Sink.Seq<EventEnvelope>(), Sys.Materializer())
            .WaitAsync(Dilated(TimeSpan.FromSeconds(10)), Ct);

        Assert.Equal("g2", (string)Assert.Single(live).Event);
    }

    [Fact]
    public async Task EventsByTag_DeletedEventsLeftOut()
    {
        Write("f", new Tagged("f1", ["cdr"]), new Tagged("f2", ["cdr"]), new Tagged("f3", ["cdr"]));
        using (var connection = _file.Open())
        using (var command = connection.CreateCommand())
        {
            // As a DeleteMessagesTo leaves the highest deleted row: marked, tags kept.
            command.CommandText = "UPDATE journal SET deleted = 1 WHERE persistence_id = 'f' AND sequence_number = 2";
            command.ExecuteNonQuery();
        }

        var events = await Current("cdr", Offset.NoOffset());

        Assert.Equal(["f1", "f3"], events.Select(e => (string)e.Event));
    }
}
