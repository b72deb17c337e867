using Akka.Actor;
using Akka.Persistence;
using Routing.Cluster.Journal;

using static Routing.Cluster.Tests.Journal.JournalProtocol;

namespace Routing.Cluster.Tests.Journal;

/// <summary>
/// <see cref="SqliteSnapshotStore"/> against a real SQLite file: Akka's snapshot protocol, the newest-only rule, its
/// rows read by Akka.Persistence.Sql's store and back, and a failed snapshot write that leaves the events of its batch
/// committed.
/// </summary>
public sealed class SqliteSnapshotStoreSpec : Akka.TestKit.Xunit.TestKit
{
    private readonly JournalTestFile _file;
    private readonly IActorRef _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public SqliteSnapshotStoreSpec() : this(new JournalTestFile()) { }

    private SqliteSnapshotStoreSpec(JournalTestFile file) : base(file.Config())
    {
        _file = file;
        _store = Store(JournalTestFile.OurSnapshots);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _file.Dispose();
    }

    [Fact]
    public void SaveThenLoad_ReturnsTheNewestSnapshot_AndKeepsOnlyIt()
    {
        Save(_store, "s-1", 3, "state-at-3");
        Save(_store, "s-1", 7, "state-at-7");

        var loaded = Load(_store, "s-1", SnapshotSelectionCriteria.Latest);

        Assert.NotNull(loaded);
        Assert.Equal(7, loaded.Metadata.SequenceNr);
        Assert.Equal("s-1", loaded.Metadata.PersistenceId);
        Assert.Equal("state-at-7", loaded.Snapshot);
        Assert.Equal(1, _file.Scalar("SELECT COUNT(*) FROM snapshot WHERE persistence_id = 's-1'"));
        Assert.Null(Load(_store, "s-unknown", SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public void Load_HonoursSequenceAndTimeBounds()
    {
        var at = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);
        Save(_store, "s-2", 5, "five", at);

        Assert.Equal(5, Load(_store, "s-2", new SnapshotSelectionCriteria(5, at))!.Metadata.SequenceNr);
        Assert.Equal(at, Load(_store, "s-2", SnapshotSelectionCriteria.Latest)!.Metadata.Timestamp);
        Assert.Null(Load(_store, "s-2", new SnapshotSelectionCriteria(4)));
        Assert.Null(Load(_store, "s-2", new SnapshotSelectionCriteria(long.MaxValue, at.AddTicks(-1))));
        Assert.Null(Load(_store, "s-2", new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue, minSequenceNr: 6)));
        Assert.Null(Load(_store, "s-2", new SnapshotSelectionCriteria(long.MaxValue, DateTime.MaxValue, 0, at.AddTicks(1))));
    }

    [Fact]
    public void DeleteOne_AndDeleteByCriteria_RemoveOnlyWhatTheyName()
    {
        Save(_store, "s-3", 4, "four");
        Save(_store, "s-4", 9, "nine");

        _store.Tell(new DeleteSnapshot(new SnapshotMetadata("s-3", 3, DateTime.MinValue)), TestActor);
        ExpectMsg<DeleteSnapshotSuccess>(cancellationToken: Ct);
        Assert.NotNull(Load(_store, "s-3", SnapshotSelectionCriteria.Latest));

        _store.Tell(new DeleteSnapshot(new SnapshotMetadata("s-3", 4, DateTime.MinValue)), TestActor);
        ExpectMsg<DeleteSnapshotSuccess>(cancellationToken: Ct);
        Assert.Null(Load(_store, "s-3", SnapshotSelectionCriteria.Latest));

        _store.Tell(new DeleteSnapshots("s-4", new SnapshotSelectionCriteria(8)), TestActor);
        ExpectMsg<DeleteSnapshotsSuccess>(cancellationToken: Ct);
        Assert.NotNull(Load(_store, "s-4", SnapshotSelectionCriteria.Latest));

        _store.Tell(new DeleteSnapshots("s-4", SnapshotSelectionCriteria.Latest), TestActor);
        ExpectMsg<DeleteSnapshotsSuccess>(cancellationToken: Ct);
        Assert.Null(Load(_store, "s-4", SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public void RowsAreAkkaPersistenceSqls_EachStoreReadsWhatTheOtherWrote()
    {
        var theirs = Store(JournalTestFile.SqlSnapshots);
        var at = new DateTime(2026, 11, 27, 13, 0, 0, DateTimeKind.Utc);

        Save(_store, "s-ours", 12, "written by ours", at);
        Save(theirs, "s-theirs", 21, "written by Akka.Persistence.Sql", at);

        var readByThem = Load(theirs, "s-ours", SnapshotSelectionCriteria.Latest);
        var readByUs = Load(_store, "s-theirs", SnapshotSelectionCriteria.Latest);
        Assert.Equal(("written by ours", 12L, at), ((string)readByThem!.Snapshot, readByThem.Metadata.SequenceNr, readByThem.Metadata.Timestamp));
        Assert.Equal(("written by Akka.Persistence.Sql", 21L, at), ((string)readByUs!.Snapshot, readByUs.Metadata.SequenceNr, readByUs.Metadata.Timestamp));
    }

    [Fact]
    public void RestartedActor_RecoversFromTheSnapshotAndTheEventsAfterIt()
    {
        var probe = CreateTestProbe();
        var actor = Sys.ActorOf(SnapshottingActor.Props("s-actor", probe.Ref));
        probe.ExpectMsg<SnapshottingActor.Recovered>(cancellationToken: Ct);
        actor.Tell("a");
        actor.Tell("b");
        actor.Tell(SnapshottingActor.Snap);
        actor.Tell("c");
        probe.ExpectMsg("a", cancellationToken: Ct);
        probe.ExpectMsg("b", cancellationToken: Ct);
        var next = probe.ReceiveN(2, Ct);
        Assert.Contains(next, m => m is SaveSnapshotSuccess { Metadata.SequenceNr: 2 });
        Assert.Contains(next, m => m is "c");
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor, cancellationToken: Ct);

        Sys.ActorOf(SnapshottingActor.Props("s-actor", probe.Ref));

        var recovered = probe.ExpectMsg<SnapshottingActor.Recovered>(cancellationToken: Ct);
        Assert.Equal(2, recovered.FromSnapshotAt);
        Assert.Equal(["a", "b", "c"], recovered.State);
    }

    [Fact]
    public void FailedSnapshotWrite_FailsOnlyItself_TheEventsOfItsBatchCommit()
    {
        // Both go to the paced journal's writer, which waits out its commit interval: they share one batch.
        var paced = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(JournalTestFile.PacedJournal);
        var failing = Store(JournalTestFile.MissingTableSnapshots);
        paced.Tell(new WriteMessages([Atomic(Event("warm", 1, "warm-1"))], TestActor, NextInstance()));
        ExpectMsg<WriteMessagesSuccessful>(cancellationToken: Ct);
        ExpectMsg<WriteMessageSuccess>(cancellationToken: Ct);

        failing.Tell(new SaveSnapshot(new SnapshotMetadata("s-fail", 1, DateTime.UtcNow), "lost"), TestActor);
        paced.Tell(new WriteMessages([Atomic(Event("kept", 1, "kept-1"))], TestActor, NextInstance()));

        // The batch failed on the snapshot, so the writer retried each request alone: answers may come in either order.
        var answers = ReceiveN(3, Dilated(TimeSpan.FromSeconds(10)), Ct);
        var failure = Assert.Single(answers.OfType<SaveSnapshotFailure>());
        Assert.Contains("no_such_table", failure.Cause.Message, StringComparison.Ordinal);
        Assert.Single(answers.OfType<WriteMessagesSuccessful>());
        Assert.Equal(1, Assert.Single(answers.OfType<WriteMessageSuccess>()).Persistent.SequenceNr);
        Assert.Equal(1, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'kept'"));
    }

    private IActorRef Store(string pluginId) => Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(pluginId);

    private void Save(IActorRef store, string pid, long seq, string state, DateTime? at = null)
    {
        store.Tell(new SaveSnapshot(new SnapshotMetadata(pid, seq, at ?? DateTime.UtcNow), state), TestActor);
        ExpectMsg<SaveSnapshotSuccess>(cancellationToken: Ct);
    }

    private SelectedSnapshot? Load(IActorRef store, string pid, SnapshotSelectionCriteria criteria)
    {
        store.Tell(new LoadSnapshot(pid, criteria, long.MaxValue), TestActor);
        return ExpectMsg<LoadSnapshotResult>(cancellationToken: Ct).Snapshot;
    }

    /// <summary>Persists strings; on <see cref="Snap"/> saves its state; tells the probe what it recovered.</summary>
    private sealed class SnapshottingActor : PersistentActor
    {
        public const string Snap = "snap!";
        private readonly IActorRef _probe;
        private List<string> _state = [];
        private long _fromSnapshotAt;

        public SnapshottingActor(string persistenceId, IActorRef probe)
        {
            PersistenceId = persistenceId;
            _probe = probe;
            JournalPluginId = JournalTestFile.OurJournal;
            SnapshotPluginId = JournalTestFile.OurSnapshots;
        }

        public override string PersistenceId { get; }

        public static Props Props(string persistenceId, IActorRef probe) =>
            Akka.Actor.Props.Create(() => new SnapshottingActor(persistenceId, probe));

        protected override bool ReceiveRecover(object message)
        {
            switch (message)
            {
                case SnapshotOffer offer:
                    _fromSnapshotAt = offer.Metadata.SequenceNr;
                    _state = [.. ((string)offer.Snapshot).Split(',', StringSplitOptions.RemoveEmptyEntries)];
                    return true;
                case string s:
                    _state.Add(s);
                    return true;
                case RecoveryCompleted:
                    _probe.Tell(new Recovered(_fromSnapshotAt, [.. _state]));
                    return true;
                default:
                    return false;
            }
        }

        protected override bool ReceiveCommand(object message)
        {
            switch (message)
            {
                case Snap:
                    SaveSnapshot(string.Join(',', _state));
                    return true;
                case SaveSnapshotSuccess success:
                    _probe.Tell(success);
                    return true;
                case string s:
                    Persist(s, e => { _state.Add(e); _probe.Tell(e); });
                    return true;
                default:
                    return false;
            }
        }

        public sealed record Recovered(long FromSnapshotAt, string[] State);
    }
}
