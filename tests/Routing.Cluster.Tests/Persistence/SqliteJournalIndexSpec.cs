using Akka.Actor;
using Akka.Persistence;
using Routing.Cluster.Journal;

using static Routing.Cluster.Tests.Journal.JournalProtocol;

namespace Routing.Cluster.Tests.Journal;

/// <summary>
/// Lookups by persistence id through the index table and the in-memory tail (<see cref="SqliteJournalTail"/>): rows
/// written by <see cref="JournalTestFile.OurJournal"/> stay in the tail during a test; rows written by
/// <see cref="JournalTestFile.MergingJournal"/> (same table) are merged into the index table after each batch.
/// </summary>
public sealed class SqliteJournalIndexSpec : Akka.TestKit.Xunit.TestKit
{
    private readonly JournalTestFile _file;
    private readonly IActorRef _tail;
    private readonly IActorRef _merging;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public SqliteJournalIndexSpec() : this(new JournalTestFile()) { }

    private SqliteJournalIndexSpec(JournalTestFile file) : base(file.Config())
    {
        _file = file;
        var persistence = Akka.Persistence.Persistence.Instance.Apply(Sys);
        _tail = persistence.JournalFor(JournalTestFile.OurJournal);
        _merging = persistence.JournalFor(JournalTestFile.MergingJournal);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _file.Dispose();
    }

    [Fact]
    public void RowsInTheTail_AreReplayedAndCounted_BeforeAnyMerge()
    {
        this.WriteEvents(_tail, "t-1", 1, 3);

        Assert.Equal(0, Indexed("t-1"));
        Assert.Equal([1L, 2, 3], Replay("t-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 3).Select(p => p.SequenceNr));
        Assert.Equal([2L], Replay("t-1", 2, long.MaxValue, 1, expectedHighest: 3).Select(p => p.SequenceNr));
        Assert.Equal(["t-1-3"], Replay("t-1", 3, 3, long.MaxValue, expectedHighest: 3).Select(p => (string)p.Payload));
    }

    [Fact]
    public void MergedRows_AreInTheIndexTable_AndReplayTogetherWithTheTail()
    {
        this.WriteEvents(_merging, "m-1", 1, 2);
        AwaitIndexed("m-1", 2);
        this.WriteEvents(_tail, "m-1", 3, 4);

        Assert.Equal(2, Indexed("m-1"));
        Assert.Equal([1L, 2, 3, 4], Replay("m-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 4).Select(p => p.SequenceNr));
        Assert.Equal([2L, 3], Replay("m-1", 2, long.MaxValue, 2, expectedHighest: 4).Select(p => p.SequenceNr));
        // The mark covers the merged rows, and no more than the rows there were when it moved.
        Assert.Equal(_file.Scalar("SELECT ordering FROM journal WHERE persistence_id = 'm-1' AND sequence_number = 2"),
            _file.Scalar("SELECT upto FROM journal_indexed"));

        // The next merge takes the tail's rows too.
        this.WriteEvents(_merging, "m-2", 1, 1);
        AwaitIndexed("m-1", 4);
        Assert.Equal([1L, 2, 3, 4], Replay("m-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 4).Select(p => p.SequenceNr));
    }

    [Fact]
    public void RoundLargerThanOneChunk_IsMergedChunkByChunk_TheMarkMovesWithTheLast()
    {
        var keys = SqliteJournalWriter.MergeChunkKeys + 500;
        this.WriteEvents(_tail, "r-1", 1, keys);
        Assert.Equal(0, Indexed("r-1"));

        // The merging journal's batch starts a round of every key in the tail; its chunks follow while the writer is idle.
        this.WriteEvents(_merging, "r-2", 1, 1);

        AwaitIndexed("r-1", keys);
        AwaitAssert(() => Assert.Equal(_file.Scalar("SELECT MAX(ordering) FROM journal"), _file.Scalar("SELECT upto FROM journal_indexed")),
            Dilated(TimeSpan.FromSeconds(10)), cancellationToken: Ct);
        Assert.Equal(keys, Replay("r-1", 1, long.MaxValue, long.MaxValue, expectedHighest: keys).Count);
    }

    [Fact]
    public void Duplicate_OfARowInTheTail_OrInTheIndexTable_FailsItsWriteAndStoresNothing()
    {
        this.WriteEvents(_merging, "d-1", 1, 1);
        AwaitIndexed("d-1", 1);
        this.WriteEvents(_tail, "d-1", 2, 2);

        foreach (var seq in new long[] { 1, 2 })
        {
            _tail.Tell(new WriteMessages([Atomic(Event("d-1", seq, "dup"))], TestActor, NextInstance()));
            ExpectMsg<WriteMessagesFailed>(cancellationToken: Ct);
            ExpectMsg<WriteMessageFailure>(cancellationToken: Ct);
        }

        // Twice in one batch: the second is refused as well.
        _tail.Tell(new WriteMessages([Atomic(Event("d-1", 3, "first"), Event("d-1", 3, "again"))], TestActor, NextInstance()));
        ExpectMsg<WriteMessagesFailed>(cancellationToken: Ct);
        Assert.Equal(2, ReceiveN(2, Ct).OfType<WriteMessageFailure>().Count());

        Assert.Equal(["d-1-1", "d-1-2"], Replay("d-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 2).Select(p => (string)p.Payload));
        Assert.Equal(2, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'd-1'"));
    }

    [Fact]
    public void DeleteTo_AcrossTheIndexTableAndTheTail_KeepsOnlyTheHighestMarkedRow()
    {
        this.WriteEvents(_merging, "x-1", 1, 3);
        AwaitIndexed("x-1", 3);
        this.WriteEvents(_tail, "x-1", 4, 5);

        _tail.Tell(new DeleteMessagesTo("x-1", 4, TestActor));
        ExpectMsg<DeleteMessagesSuccess>(cancellationToken: Ct);

        Assert.Equal([5L], Replay("x-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 5).Select(p => p.SequenceNr));
        Assert.Equal(2, _file.Scalar("SELECT COUNT(*) FROM journal WHERE persistence_id = 'x-1'"));
        Assert.Equal(4, _file.Scalar("SELECT sequence_number FROM journal WHERE persistence_id = 'x-1' AND deleted = 1"));
        Assert.Equal(0, Indexed("x-1"));

        // Once merged, the kept row still holds the highest sequence number after a delete of everything.
        this.WriteEvents(_merging, "x-2", 1, 1);
        AwaitIndexed("x-1", 2);
        _merging.Tell(new DeleteMessagesTo("x-1", 5, TestActor));
        ExpectMsg<DeleteMessagesSuccess>(cancellationToken: Ct);
        Assert.Empty(Replay("x-1", 1, long.MaxValue, long.MaxValue, expectedHighest: 5));
        Assert.Equal(1, Indexed("x-1"));
    }

    [Fact]
    public void Start_IndexesRowsAboveTheMark_AsAfterACrashBeforeTheMerge()
    {
        this.WriteEvents(_tail, "c-1", 1, 2);
        // Rows a crashed run committed but never merged: in the journal table only.
        using (var connection = _file.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                "SELECT created, deleted, 'c-2', sequence_number, message, manifest, identifier, writer_uuid FROM journal WHERE persistence_id = 'c-1'";
            Assert.Equal(2, command.ExecuteNonQuery());
        }

        // A journal plugin starting on the file (as a restarted node's does) indexes every row above the mark.
        // (Its first reply comes after its constructor, which indexes.)
        var started = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(JournalTestFile.PacedJournal);
        var replayed = this.Replay(started, "c-2", 1, long.MaxValue, long.MaxValue, expectedHighest: 2);

        Assert.Equal(["c-1-1", "c-1-2"], replayed.Select(p => (string)p.Payload));
        Assert.Equal(2, Indexed("c-2"));
        Assert.Equal(2, Indexed("c-1"));
        Assert.Equal(_file.Scalar("SELECT MAX(ordering) FROM journal"), _file.Scalar("SELECT upto FROM journal_indexed"));
    }

    private long Indexed(string persistenceId) =>
        _file.Scalar($"SELECT COUNT(*) FROM journal_index WHERE persistence_id = '{persistenceId}'");

    private void AwaitIndexed(string persistenceId, long count) =>
        AwaitAssert(() => Assert.Equal(count, Indexed(persistenceId)), Dilated(TimeSpan.FromSeconds(10)), cancellationToken: Ct);

    private List<IPersistentRepresentation> Replay(string pid, long from, long to, long max, long expectedHighest) =>
        this.Replay(_tail, pid, from, to, max, expectedHighest);
}
