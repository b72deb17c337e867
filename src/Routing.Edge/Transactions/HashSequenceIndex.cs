namespace Routing.Edge.Transactions;

/// <summary>
/// A map from a 64-bit key hash to a ring sequence number, for <see cref="CompletedServerTransactions"/>: open
/// addressing with linear probing over one array of 16-byte slots, so a lookup, an insert or a removal touches one
/// cache line in the common case.
/// </summary>
/// <remarks>
/// Why not <see cref="Dictionary{TKey, TValue}"/>: at the registrar's rates the completed transactions hold about
/// 750 000 keys per index (24 000 REGISTER/s for Timer J's 32 s), far beyond the caches, and a dictionary's bucket array
/// and entry array are two misses per operation (three operations per transaction and index: the lookup of the new
/// request, the insert when it completes, the removal when Timer J fires). The load stays at most one half, so probe
/// runs stay short; a removal shifts the rest of its run back (no tombstones, so lookups never slow down over time).
/// Single-threaded, like its owner.
/// </remarks>
internal sealed class HashSequenceIndex
{
    private const int MinCapacity = 1024;

    // Stored is the sequence number plus one: a zeroed slot is empty.
    private Slot[] _slots = new Slot[MinCapacity];
    private int _mask = MinCapacity - 1;

    /// <summary>Keys held now.</summary>
    public int Count { get; private set; }

    /// <summary>Slots allocated (a power of two, at least twice <see cref="Count"/>).</summary>
    public int Capacity => _slots.Length;

    /// <summary>The sequence number stored for <paramref name="hash"/>.</summary>
    public bool TryGet(ulong hash, out long sequence)
    {
        var slots = _slots;
        for (var i = Home(hash); ; i = (i + 1) & _mask)
        {
            ref var slot = ref slots[i];
            if (slot.Stored == 0)
            {
                sequence = -1;
                return false;
            }

            if (slot.Hash == hash)
            {
                sequence = slot.Stored - 1;
                return true;
            }
        }
    }

    /// <summary>Stores <paramref name="sequence"/> (at least 0) for <paramref name="hash"/>, replacing what it held.</summary>
    public void Set(ulong hash, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        if ((Count + 1) * 2 > _slots.Length)
        {
            Resize(_slots.Length * 2);
        }

        if (Place(_slots, _mask, hash, sequence + 1))
        {
            Count++;
        }
    }

    /// <summary>Removes <paramref name="hash"/> if it still maps to <paramref name="sequence"/> (a newer entry may have taken it).</summary>
    public void RemoveIfSame(ulong hash, long sequence)
    {
        var slots = _slots;
        for (var i = Home(hash); ; i = (i + 1) & _mask)
        {
            ref var slot = ref slots[i];
            if (slot.Stored == 0)
            {
                return;
            }

            if (slot.Hash == hash)
            {
                if (slot.Stored - 1 == sequence)
                {
                    RemoveAt(i);
                }

                return;
            }
        }
    }

    /// <summary>Gives memory back after a burst: shrinks to four times <see cref="Count"/> once it holds under an eighth.</summary>
    public void Trim()
    {
        if (_slots.Length > MinCapacity && Count * 8 < _slots.Length)
        {
            Resize(Math.Max(MinCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 4))));
        }
    }

    private int Home(ulong hash) => (int)hash & _mask;

    /// <summary>Puts the pair in its run; true when the hash was not there before.</summary>
    private static bool Place(Slot[] slots, int mask, ulong hash, long stored)
    {
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Stored == 0)
            {
                slot = new Slot(hash, stored);
                return true;
            }

            if (slot.Hash == hash)
            {
                slot.Stored = stored;
                return false;
            }
        }
    }

    /// <summary>
    /// Empties slot <paramref name="hole"/> and moves back every later slot of its run that may live there, so a lookup
    /// that stops at the first empty slot still finds each of them (backward-shift deletion for linear probing).
    /// </summary>
    private void RemoveAt(int hole)
    {
        var slots = _slots;
        var j = hole;
        while (true)
        {
            j = (j + 1) & _mask;
            if (slots[j].Stored == 0)
            {
                break;
            }

            // The slot at j stays when its home lies cyclically in (hole, j]: moving it before its home would lose it.
            var home = Home(slots[j].Hash);
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays)
            {
                slots[hole] = slots[j];
                hole = j;
            }
        }

        slots[hole] = default;
        Count--;
    }

    private void Resize(int capacity)
    {
        var larger = new Slot[capacity];
        var mask = capacity - 1;
        foreach (var slot in _slots)
        {
            if (slot.Stored != 0)
            {
                Place(larger, mask, slot.Hash, slot.Stored);
            }
        }

        _slots = larger;
        _mask = mask;
    }

    private struct Slot(ulong hash, long stored)
    {
        public readonly ulong Hash = hash;
        public long Stored = stored;
    }
}
