using Akka.Actor;
using Akka.Persistence;
using Routing.Cluster.Journal;

using static Routing.Cluster.Tests.Journal.JournalProtocol;

namespace Routing.Cluster.Tests.Journal;

/// <summary>The cases of Akka's journal TCK (not served here), against a real SQLite file.</summary>
public sealed class SqliteJournalSpec : Akka.TestKit.Xunit.TestKit
{
    private readonly JournalTestFile _file;
    private readonly IActorRef _journal;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public SqliteJournalSpec() : this(new JournalTestFile()) { }

    private SqliteJournalSpec(JournalTestFile file) : base(file.Config())
    {
        _file = file;
        _journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(JournalTestFile.OurJournal);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _file.Dispose();
    }

    [Fact]
    public void WriteThenReplay_ReturnsEveryEventInOrder()
    {
        WriteEvents("p-1", 1, 5);

        var replayed = Replay("p-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 5);

        Assert.Equal(["p-1-1", "p-1-2", "p-1-3", "p-1-4", "p-1-5"], replayed.Select(p => (string)p.Payload));
        Assert.Equal([1L, 2, 3, 4, 5], replayed.Select(p => p.SequenceNr));
        Assert.All(replayed, p => Assert.Equal("p-1", p.PersistenceId));
    }

    [Fact]
    public void Replay_RangeAndMax_ReturnOnlyTheAskedEvents()
    {
        WriteEvents("p-2", 1, 5);

        var range = Replay("p-2", 2, 4, long.MaxValue, expectedHighest: 5);
        var capped = Replay("p-2", 1, 5, 2, expectedHighest: 5);
        var none = Replay("p-2", 1, 5, 0, expectedHighest: 5);
        var beyond = Replay("p-2", 6, long.MaxValue, long.MaxValue, expectedHighest: 5);

        Assert.Equal([2L, 3, 4], range.Select(p => p.SequenceNr));
        Assert.Equal([1L, 2], capped.Select(p => p.SequenceNr));
        Assert.Empty(none);
        Assert.Empty(beyond);
    }

    [Fact]
    public void HighestSequenceNr_UnknownIdIsZero_AndSurvivesDeletingEverything()
    {
        Replay("p-unknown", 1, long.MaxValue, long.MaxValue, expectedHighest: 0);
        WriteEvents("p-3", 1, 3);

        Delete("p-3", 3);

        Assert.Empty(Replay("p-3", 1, long.MaxValue, long.MaxValue, expectedHighest: 3));
    }

    [Fact]
    public void DeleteTo_HidesDeletedEvents_RemovesAllButTheHighestMarkedRow()
    {
        WriteEvents("p-4", 1, 5);

        Delete("p-4", 3);

        Assert.Equal([4L, 5], Replay("p-4", 1, long.MaxValue, long.MaxValue, expectedHighest: 5).Select(p => p.SequenceNr));
        // As Akka.Persistence.Sql: rows 1-2 are gone, row 3 stays marked so the highest sequence number is kept.
        Assert.Equal(3, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'p-4'"));
        Assert.Equal(3, _file.Scalar("SELECT sequence_number FROM journal WHERE persistence_id = 'p-4' AND deleted = 1"));
    }

    [Fact]
    public void UnserializablePayload_RejectsItsAtomicWriteOnly()
    {
        var good = Atomic(Event("p-5", 1, "a"), Event("p-5", 2, "b"));
        var bad = Atomic(Event("p-6", 1, "a"), new Persistent(new Unserializable("x"), 2, "p-6", string.Empty, false, ActorRefs.NoSender, "w"));
        var other = Atomic(Event("p-7", 1, "a"));

        _journal.Tell(new WriteMessages([good, bad, other], TestActor, NextInstance()));

        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        var replies = ReceiveN(5, Ct).ToList();
        Assert.Equal(3, replies.OfType<WriteMessageSuccess>().Count());
        Assert.Equal(2, replies.OfType<WriteMessageRejected>().Count());
        Assert.All(replies.OfType<WriteMessageRejected>(), r => Assert.Equal("p-6", r.Persistent.PersistenceId));
        // The rejected atomic write left nothing, not even its serializable first event.
        Assert.Equal(0, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'p-6'"));
        Assert.Equal(2, Replay("p-5", 1, long.MaxValue, long.MaxValue, expectedHighest: 2).Count);
    }

    [Fact]
    public void Batch_WithADeferredEntry_RunsEveryHandlerInItsOrder()
    {
        // DeferAsync puts a non-persistent entry between two events of one batch; the journal loops it back in order.
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(Akka.Actor.Props.Create(() => new DeferringActor("p-defer", probe.Ref)));

        actor.Tell("go");

        Assert.Equal("persisted a", probe.ExpectMsg<string>(cancellationToken: Ct));
        Assert.Equal("deferred x", probe.ExpectMsg<string>(cancellationToken: Ct));
        Assert.Equal("persisted b", probe.ExpectMsg<string>(cancellationToken: Ct));
        Assert.Equal(["a", "b"], Replay("p-defer", 1, long.MaxValue, long.MaxValue, expectedHighest: 2).Select(p => (string)p.Payload));
    }

    private sealed class DeferringActor : UntypedPersistentActor
    {
        private readonly IActorRef _probe;

        public DeferringActor(string persistenceId, IActorRef probe)
        {
            PersistenceId = persistenceId;
            _probe = probe;
            JournalPluginId = JournalTestFile.OurJournal;
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message) { }

        protected override void OnCommand(object message)
        {
            PersistAsync("a", e => _probe.Tell("persisted " + e));
            DeferAsync("x", e => _probe.Tell("deferred " + e));
            PersistAsync("b", e => _probe.Tell("persisted " + e));
        }
    }

    [Fact]
    public void EventAdapterFailing_RejectsEveryWriteOfTheBatch_StoresNothing()
    {
        _journal.Tell(new WriteMessages([Atomic(Event("p-adapt-1", 1, "fine")), Atomic(Event("p-adapt-2", 1, new AdapterFails("x")))],
            TestActor, NextInstance()));

        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        var rejected = ReceiveN(2, Ct).Cast<WriteMessageRejected>().ToList();
        Assert.All(rejected, r => Assert.IsType<InvalidOperationException>(r.Cause));
        Assert.Equal(["p-adapt-1", "p-adapt-2"], rejected.Select(r => r.Persistent.PersistenceId));
        Assert.Equal(0, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id LIKE 'p-adapt-%'"));
    }

    [Fact]
    public void AtomicWrite_FailingInTheDatabase_StoresNoneOfItsEvents()
    {
        WriteEvents("p-8", 1, 1);

        // Event 2 is new, event 1 collides with the stored one (unique persistence_id, sequence_number).
        _journal.Tell(new WriteMessages([Atomic(Event("p-8", 2, "x"), Event("p-8", 1, "dup"))], TestActor, NextInstance()));

        ExpectMsg<WriteMessagesFailed>(cancellationToken: Ct);
        Assert.Equal(2, ReceiveN(2, Ct).OfType<WriteMessageFailure>().Count());
        Assert.Equal([1L], Replay("p-8", 1, long.MaxValue, long.MaxValue, expectedHighest: 1).Select(p => p.SequenceNr));
    }

    [Fact]
    public void ManyPersistenceIds_WaitingTogether_AreOneCommit()
    {
        // The journal creates its tables when it starts; let it before the lock is taken.
        var before = Stats();
        using var gate = HoldWriteLock();
        for (var i = 0; i < 10; i++)
        {
            _journal.Tell(new WriteMessages([Atomic(Event("batch-" + i, 1, "e"))], TestActor, NextInstance()));
        }

        // The journal handles its mailbox in order: once it answers, all ten writes are queued behind the lock.
        Stats();
        gate.Dispose();

        Assert.Equal(10, ReceiveN(20, Ct).OfType<WriteMessageSuccess>().Count());
        var after = Stats();
        Assert.Equal(10, after.Events - before.Events);
        // The writer may have taken the first request before it hit the lock; everything else shares one commit.
        Assert.InRange(after.Commits - before.Commits, 1, 2);
    }

    [Fact]
    public void MinCommitInterval_WritesArrivingWithinIt_WaitItOut_AndShareOneCommit()
    {
        var paced = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(JournalTestFile.PacedJournal);
        // Started before the first write, so before the first commit's start: the bound below needs no slack.
        var sinceFirst = System.Diagnostics.Stopwatch.StartNew();
        paced.Tell(new WriteMessages([Atomic(Event("paced-0", 1, "e"))], TestActor, NextInstance()));
        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        ExpectMsg<WriteMessageSuccess>(cancellationToken: Ct);

        for (var i = 1; i <= 5; i++)
        {
            paced.Tell(new WriteMessages([Atomic(Event("paced-" + i, 1, "e"))], TestActor, NextInstance()));
        }

        Assert.Equal(5, ReceiveN(10, Ct).OfType<WriteMessageSuccess>().Count());
        // The writer slept out the interval from the first commit's start, then took all five at once.
        Assert.True(sinceFirst.Elapsed >= JournalTestFile.PacedInterval, $"second commit done {sinceFirst.Elapsed} after the first write");
        Assert.Equal(2, Stats(paced).Commits);
    }

    [Fact]
    public void QueueFull_RejectsFurtherWrites_UntilTheWriterCatchesUp()
    {
        var small = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(JournalTestFile.SmallQueueJournal);
        Assert.Equal(0, Stats(small).Overloaded);
        using (HoldWriteLock())
        {
            small.Tell(new WriteMessages([Atomic([.. Enumerable.Range(1, 10).Select(n => Event("full-1", n, "e"))])], TestActor, NextInstance()));
            small.Tell(new WriteMessages([Atomic(Event("full-2", 1, "e"))], TestActor, NextInstance()));

            // Refused at once, while the write ahead of it still waits for the lock: an overloaded journal answers
            // without queueing the refusal behind the backlog it refuses to grow.
            ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
            var rejected = ExpectMsg<WriteMessageRejected>(cancellationToken: Ct);
            Assert.IsType<JournalOverloadedException>(rejected.Cause);
            Assert.Equal("full-2", rejected.Persistent.PersistenceId);
            Assert.Equal(1, Stats(small).Overloaded);
        }

        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        Assert.Equal(10, ReceiveN(10, Ct).OfType<WriteMessageSuccess>().Count());
        Assert.Equal(10, Replay("full-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 10).Count);
    }

    [Fact]
    public void WriteLockHeldElsewhere_WriteWaits_ThenCommitsOnceReleased()
    {
        using (HoldWriteLock())
        {
            _journal.Tell(new WriteMessages([Atomic(Event("p-busy", 1, "e"))], TestActor, NextInstance()));

            // The writer retries BEGIN IMMEDIATE while the other connection holds the lock; nothing is answered yet.
            ExpectNoMsg(TimeSpan.FromMilliseconds(300), Ct);
        }

        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        Assert.Equal(1, ExpectMsg<WriteMessageSuccess>(cancellationToken: Ct).Persistent.SequenceNr);
        Assert.Single(Replay("p-busy", 1, long.MaxValue, long.MaxValue, expectedHighest: 1));
    }

    [Fact]
    public void DatabaseFailure_FailsTheWrite_PersistentActorGetsOnPersistFailure()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(EchoPersistentActor.Props("p-fail", probe.Ref));
        probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
        actor.Tell("one");
        probe.ExpectMsg<EchoPersistentActor.Persisted>(cancellationToken: Ct);
        using (var connection = _file.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "DROP TABLE journal";
            command.ExecuteNonQuery();
        }

        actor.Tell("two");

        var failed = probe.ExpectMsg<EchoPersistentActor.PersistFailed>(cancellationToken: Ct);
        Assert.Equal(2, failed.SequenceNr);
        Assert.Contains("journal", failed.Cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConcurrentWriters_KeepOrderPerPersistenceId()
    {
        const int actors = 40;
        const int events = 25;
        var probe = CreateTestProbe();
        var refs = new IActorRef[actors];
        for (var a = 0; a < actors; a++)
        {
            refs[a] = Sys.ActorOf(EchoPersistentActor.Props("order-" + a, probe.Ref, async: true));
        }

        // 40 recoveries at once (a loaded CI machine once took longer than the default expectation for them).
        probe.ReceiveN(actors, Dilated(TimeSpan.FromSeconds(30)), Ct);
        for (var e = 1; e <= events; e++)
        {
            for (var a = 0; a < actors; a++)
            {
                refs[a].Tell("order-" + a + "-" + e);
            }
        }

        probe.ReceiveN(actors * events, Dilated(TimeSpan.FromSeconds(30)), Ct);

        for (var a = 0; a < actors; a++)
        {
            // Replay (ordered by sequence number) must return the commands in the order each actor received them,
            // and the global ordering must grow with the sequence number.
            var replayed = Replay("order-" + a, 1, long.MaxValue, long.MaxValue, expectedHighest: events);
            Assert.Equal(Enumerable.Range(1, events).Select(e => "order-" + a + "-" + e), replayed.Select(p => (string)p.Payload));
            Assert.Equal(0, _file.Scalar(
                $"SELECT COUNT(*) FROM journal j1 JOIN journal j2 ON j1.persistence_id = j2.persistence_id " +
                $"WHERE j1.persistence_id = 'order-{a}' AND j1.sequence_number < j2.sequence_number AND j1.ordering > j2.ordering"));
        }

        Assert.True(Stats().Commits < actors * events, "group commit should put several events in one transaction");
    }

    [Fact]
    public void RestartedActor_RecoversItsEvents()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(EchoPersistentActor.Props("p-restart", probe.Ref));
        probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct);
        actor.Tell("a");
        actor.Tell("b");
        probe.ReceiveN(2, Ct);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, cancellationToken: Ct);

        Sys.ActorOf(EchoPersistentActor.Props("p-restart", probe.Ref));

        Assert.Equal(["a", "b"], probe.ExpectMsg<EchoPersistentActor.Recovered>(cancellationToken: Ct).Events);
    }

    private void WriteEvents(string pid, long from, long to) => this.WriteEvents(_journal, pid, from, to);

    private List<IPersistentRepresentation> Replay(string pid, long from, long to, long max, long expectedHighest) =>
        this.Replay(_journal, pid, from, to, max, expectedHighest);

    private void Delete(string pid, long to)
    {
        _journal.Tell(new DeleteMessagesTo(pid, to, TestActor));
        Assert.Equal(to, ExpectMsg<DeleteMessagesSuccess>(cancellationToken: Ct).ToSequenceNr);
    }

    private JournalStats Stats(IActorRef? journal = null)
    {
        (journal ?? _journal).Tell(GetJournalStats.Instance);
        return ExpectMsg<JournalStats>(cancellationToken: Ct);
    }

    // A second connection holding the write lock stands in for another process writing the same file.
    private Gate HoldWriteLock()
    {
        var connection = _file.Open();
        var transaction = connection.BeginTransaction(deferred: false);
        return new Gate(connection, transaction);
    }

    private sealed class Gate(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done)
            {
                return;
            }

            _done = true;
            transaction.Rollback();
            transaction.Dispose();
            connection.Dispose();
        }
    }
}
