using Routing.Cluster.Journal;

namespace Routing.Cluster.Tests.Journal;

/// <summary>The in-memory tail's bookkeeping: per-id lookups, rounds in index order, removal of a merged round.</summary>
public sealed class SqliteJournalTailTests
{
    private static void Commit(SqliteJournalTail tail, params (string Id, long Seq, long Ordering)[] rows)
    {
        var committed = false;
        tail.Commit(() => committed = true, [.. rows]);
        Assert.True(committed);
    }

    [Fact]
    public void Of_ReturnsAnIdsRowsInWriteOrder_AndContainsFindsThem()
    {
        var tail = new SqliteJournalTail();
        Commit(tail, ("b", 1, 10), ("a", 7, 11), ("b", 2, 12));
        Commit(tail, ("b", 3, 13));

        Assert.Equal([new(1, 10), new(2, 12), new(3, 13)], tail.Of("b")!);
        Assert.Equal([new SqliteJournalTail.Entry(7, 11)], tail.Of("a")!);
        Assert.Null(tail.Of("c"));
        Assert.True(tail.Contains("b", 2));
        Assert.False(tail.Contains("a", 2));
        Assert.Equal(4, tail.Count);
    }

    [Fact]
    public void TakeRound_SortsByIdThenSequence_MarkIsTheLastOrdering_AndKeepsTheRows()
    {
        var tail = new SqliteJournalTail();
        Commit(tail, ("user-b", 5, 20), ("user-a", 2, 21), ("user-b", 4, 19), ("user-A", 9, 22));
        var buffer = new SqliteJournalTail.Key[1];

        var (count, mark) = tail.TakeRound(ref buffer);

        Assert.Equal(4, count);
        Assert.Equal(22, mark);
        // Ordinal: upper case before lower case, as SQLite's BINARY collation.
        Assert.Equal(["user-A/9", "user-a/2", "user-b/4", "user-b/5"], buffer.Take(count).Select(k => $"{k.PersistenceId}/{k.SequenceNr}"));
        Assert.Equal(4, tail.Count);
    }

    [Fact]
    public void RemoveUpTo_DropsTheMergedRows_KeepsLaterOnesFindable()
    {
        var tail = new SqliteJournalTail();
        Commit(tail, ("a", 1, 1), ("b", 1, 2), ("a", 2, 3));
        var buffer = Array.Empty<SqliteJournalTail.Key>();
        var (_, mark) = tail.TakeRound(ref buffer);
        // Committed while the round was being merged.
        Commit(tail, ("a", 3, 4), ("c", 1, 5));

        tail.RemoveUpTo(mark);

        Assert.Equal(2, tail.Count);
        Assert.Equal([new SqliteJournalTail.Entry(3, 4)], tail.Of("a")!);
        Assert.Null(tail.Of("b"));
        Assert.False(tail.Contains("a", 1));
        Assert.True(tail.Contains("c", 1));
        var (count, next) = tail.TakeRound(ref buffer);
        Assert.Equal((2, 5L), (count, next));
    }

    [Fact]
    public void Commit_WhenTheCommitThrows_AddsNothing()
    {
        var tail = new SqliteJournalTail();

        Assert.Throws<InvalidOperationException>(() => tail.Commit(() => throw new InvalidOperationException("disk"), [("a", 1, 1)]));

        Assert.Equal(0, tail.Count);
        Assert.Null(tail.Of("a"));
    }

    [Fact]
    public void ManyRows_GrowTheArrays_EveryRowStaysFindable()
    {
        var tail = new SqliteJournalTail();
        var rows = Enumerable.Range(1, 5_000).Select(i => ("id-" + (i % 7), (long)i, (long)i)).ToList();
        tail.Commit(() => { }, rows);

        Assert.Equal(5_000, tail.Count);
        Assert.Equal(Enumerable.Range(1, 5_000).Where(i => i % 7 == 3).Select(i => (long)i), tail.Of("id-3")!.Select(e => e.SequenceNr));
    }

    [Fact]
    public void IsAboveHighest_KnowsNothingUntilLearned_ThenFollowsCommits()
    {
        var tail = new SqliteJournalTail();
        Commit(tail, ("a", 3, 1));
        Assert.False(tail.IsAboveHighest("a", 4));

        // The index table's highest (2) is below the tail's (3): the tail's wins.
        Assert.Equal(3, tail.Learn("a", 2));
        Assert.True(tail.IsAboveHighest("a", 4));
        Assert.False(tail.IsAboveHighest("a", 3));

        Commit(tail, ("a", 4, 2), ("b", 9, 3));
        Assert.False(tail.IsAboveHighest("a", 4));
        Assert.True(tail.IsAboveHighest("a", 5));
        // Committed but never learned: still unknown.
        Assert.False(tail.IsAboveHighest("b", 10));
        Assert.Equal(7, tail.Learn("c", 7));
        Assert.True(tail.IsAboveHighest("c", 8));
    }

    [Fact]
    public void IsAboveHighest_SurvivesTheMergeOfTheRowsItCameFrom()
    {
        var tail = new SqliteJournalTail();
        Commit(tail, ("a", 1, 1), ("a", 2, 2));
        tail.Learn("a", 0);
        var buffer = Array.Empty<SqliteJournalTail.Key>();
        var (_, mark) = tail.TakeRound(ref buffer);

        tail.RemoveUpTo(mark);

        Assert.Null(tail.Of("a"));
        Assert.False(tail.IsAboveHighest("a", 2));
        Assert.True(tail.IsAboveHighest("a", 3));
    }

    [Fact]
    public void Learn_PastTheLimit_ForgetsTheOthers()
    {
        var tail = new SqliteJournalTail(highestKept: 2);
        tail.Learn("a", 1);
        tail.Learn("b", 1);
        tail.Learn("a", 5);
        Assert.Equal(2, tail.HighestKnown);

        tail.Learn("c", 1);

        Assert.Equal(1, tail.HighestKnown);
        Assert.False(tail.IsAboveHighest("a", 6));
        Assert.True(tail.IsAboveHighest("c", 2));
    }
}
