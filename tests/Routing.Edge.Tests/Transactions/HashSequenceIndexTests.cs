using Routing.Edge.Transactions;

namespace Routing.Edge.Tests.Transactions;

/// <summary>The open-addressing index behind <see cref="CompletedServerTransactions"/>.</summary>
public sealed class HashSequenceIndexTests
{
    [Fact]
    public void SetThenGet_ReplacesTheSequenceOfTheSameHash()
    {
        var index = new HashSequenceIndex();
        index.Set(42, 0);
        index.Set(42, 7);

        Assert.True(index.TryGet(42, out var sequence));
        Assert.Equal(7, sequence);
        Assert.False(index.TryGet(43, out _));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void RemoveIfSame_LeavesAHashThatANewerSequenceTook()
    {
        var index = new HashSequenceIndex();
        index.Set(42, 1);
        index.Set(42, 2);

        index.RemoveIfSame(42, 1);
        Assert.True(index.TryGet(42, out var sequence));
        Assert.Equal(2, sequence);

        index.RemoveIfSame(42, 2);
        Assert.False(index.TryGet(42, out _));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void RemovalInsideACollidingRun_KeepsEveryOtherKeyOfTheRunFindable()
    {
        // Hashes with the same low bits share a home slot; others land inside their run; the run wraps the array's end.
        var index = new HashSequenceIndex();
        var capacity = (ulong)index.Capacity;
        ulong[] hashes = [capacity - 2, 2 * capacity - 2, 3 * capacity - 2, capacity - 1, 4 * capacity - 2, 0, 5 * capacity - 2];
        for (var i = 0; i < hashes.Length; i++)
        {
            index.Set(hashes[i], i);
        }

        for (var removed = 0; removed < hashes.Length; removed++)
        {
            index.RemoveIfSame(hashes[removed], removed);
            Assert.False(index.TryGet(hashes[removed], out _));
            for (var i = removed + 1; i < hashes.Length; i++)
            {
                Assert.True(index.TryGet(hashes[i], out var sequence), $"hash {hashes[i]} lost after removing {hashes[removed]}");
                Assert.Equal(i, sequence);
            }
        }

        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void ManyKeysAddedAndRemovedInRingOrder_MatchADictionary_AndTheIndexShrinksAfterTheBurst()
    {
        var index = new HashSequenceIndex();
        var reference = new Dictionary<ulong, long>();
        var random = new Random(7);
        var live = new Queue<(ulong Hash, long Sequence)>();
        long next = 0;
        for (var round = 0; round < 200_000; round++)
        {
            // Mostly random hashes, some repeated (a newer entry takes the hash), some with equal low bits.
            var hash = random.Next(10) switch
            {
                0 when live.Count > 0 => live.Peek().Hash,
                1 => (ulong)random.Next(64) << 40,
                _ => (ulong)random.NextInt64(),
            };
            index.Set(hash, next);
            reference[hash] = next;
            live.Enqueue((hash, next++));
            while (live.Count > 50_000 - round / 8)
            {
                var (h, s) = live.Dequeue();
                index.RemoveIfSame(h, s);
                if (reference.TryGetValue(h, out var current) && current == s)
                {
                    reference.Remove(h);
                }
            }
        }

        Assert.Equal(reference.Count, index.Count);
        foreach (var (hash, sequence) in reference)
        {
            Assert.True(index.TryGet(hash, out var found));
            Assert.Equal(sequence, found);
        }

        var peak = index.Capacity;
        while (live.Count > 100)
        {
            var (h, s) = live.Dequeue();
            index.RemoveIfSame(h, s);
            reference.Remove(h);
        }

        index.Trim();
        Assert.True(index.Capacity < peak / 8, $"capacity {index.Capacity} after the burst, {peak} at its peak");
        foreach (var (hash, sequence) in reference)
        {
            Assert.True(index.TryGet(hash, out var found));
            Assert.Equal(sequence, found);
        }
    }
}
