namespace Routing.Sip.Transactions;

/// <summary>A handle to a scheduled timer; the default value refers to no timer.</summary>
/// <remarks>The generation makes a stale handle (its timer already fired or was cancelled) harmless.</remarks>
public readonly record struct TimerHandle(int Index, int Generation)
{
    public bool IsNone => Generation == 0;
}

/// <summary>Receives due timers from <see cref="TimerWheel{T}.Advance{THandler}"/>.</summary>
public interface ITimerWheelHandler<in T>
{
    /// <summary>Called once per due timer, in due order, with the exact due time it was scheduled for.</summary>
    void OnTimerDue(T payload, TimeSpan dueAt);
}

/// <summary>
/// A hierarchical timing wheel (Varghese and Lauck): four levels of 256, 64, 64 and 64 slots over ticks of
/// <c>resolution</c>, plus an overflow list. Scheduling and cancelling are O(1); advancing visits only slots that
/// come due, cascades an upper-level slot once per rotation of the level below, and skips runs of empty slots, so
/// the cost does not grow with the number of live timers. With the default 10 ms tick the levels span 2.56 s,
/// 164 s, 2.9 h and 7.8 days.
/// </summary>
/// <remarks>
/// Entries live in parallel arrays linked into intrusive doubly linked lists (one per slot), so a timer costs no
/// allocation once the arrays have grown. Not thread-safe: one owner drives it.
/// </remarks>
public sealed class TimerWheel<T>
{
    private const int Level0Bits = 8;
    private const int Level0Size = 1 << Level0Bits;
    private const int UpperBits = 6;
    private const int UpperSize = 1 << UpperBits;
    private const int UpperLevels = 3;
    private const int Level1Base = Level0Size;
    private const int OverflowList = Level0Size + (UpperLevels * UpperSize);
    private const int DueList = OverflowList + 1;
    private const int ListCount = DueList + 1;
    private const int NoList = -1;
    private const int Nil = -1;

    private readonly long _resolutionTicks;
    private readonly int[] _heads = new int[ListCount];
    private readonly int[] _tails = new int[ListCount];
    private readonly ulong[] _level0Occupied = new ulong[Level0Size / 64];

    private long[] _dueTick;
    private long[] _dueAt;
    private int[] _next;
    private int[] _prev;
    private int[] _list;
    private int[] _generation;
    private T[] _payload;
    private int _freeHead = Nil;
    private int _highWater;
    private long _current;

    public TimerWheel(TimeSpan resolution, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resolution, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        _resolutionTicks = resolution.Ticks;
        Array.Fill(_heads, Nil);
        Array.Fill(_tails, Nil);
        _dueTick = new long[initialCapacity];
        _dueAt = new long[initialCapacity];
        _next = new int[initialCapacity];
        _prev = new int[initialCapacity];
        _list = new int[initialCapacity];
        _generation = new int[initialCapacity];
        _payload = new T[initialCapacity];
    }

    /// <summary>Live (scheduled, not yet fired or cancelled) timers.</summary>
    public int Count { get; private set; }

    /// <summary>The tick length.</summary>
    public TimeSpan Resolution => TimeSpan.FromTicks(_resolutionTicks);

    /// <summary>The time up to which the wheel has been advanced.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(_current * _resolutionTicks);

    /// <summary>
    /// Schedules <paramref name="payload"/> to fire at <paramref name="dueAt"/>. It fires on the first
    /// <see cref="Advance{THandler}"/> whose time is at or past the due time rounded up to a tick; a time already
    /// past fires on the next advance.
    /// </summary>
    public TimerHandle Schedule(TimeSpan dueAt, T payload)
    {
        var entry = Allocate();
        var dueTicks = dueAt.Ticks < 0 ? 0 : dueAt.Ticks;
        _dueAt[entry] = dueTicks;
        _dueTick[entry] = (dueTicks + _resolutionTicks - 1) / _resolutionTicks;
        _payload[entry] = payload;
        Place(entry);
        Count++;
        return new TimerHandle(entry, _generation[entry]);
    }

    /// <summary>Cancels a timer in O(1). Returns false when it already fired, was cancelled, or is none.</summary>
    public bool Cancel(TimerHandle handle)
    {
        var entry = handle.Index;
        if (handle.IsNone || (uint)entry >= (uint)_highWater || _generation[entry] != handle.Generation || _list[entry] == NoList)
        {
            return false;
        }

        Unlink(entry);
        Release(entry);
        return true;
    }

    /// <summary>Whether the handle still refers to a scheduled timer.</summary>
    public bool IsScheduled(TimerHandle handle)
    {
        var entry = handle.Index;
        return !handle.IsNone && (uint)entry < (uint)_highWater && _generation[entry] == handle.Generation && _list[entry] != NoList;
    }

    /// <summary>
    /// Fires every timer due at or before <paramref name="now"/>, in due order, and returns how many fired. The
    /// handler may schedule and cancel timers; one scheduled at or before <paramref name="now"/> fires in the same
    /// call.
    /// </summary>
    public int Advance<THandler>(TimeSpan now, THandler handler)
        where THandler : ITimerWheelHandler<T>
    {
        var target = now.Ticks < 0 ? 0 : now.Ticks / _resolutionTicks;
        var fired = FireList(DueList, handler);
        while (_current < target)
        {
            _current++;
            var index = (int)(_current & (Level0Size - 1));
            if (index == 0)
            {
                Cascade();
            }

            fired += FireList(index, handler);
            fired += FireList(DueList, handler);

            // Nothing left in this rotation of level 0: jump to its last tick, the next advance step cascades.
            if (!AnyLevel0From(index + 1))
            {
                var rotationEnd = _current | (Level0Size - 1);
                _current = rotationEnd < target ? rotationEnd : target;
            }
        }

        return fired;
    }

    private void Cascade()
    {
        // Higher levels first, so entries they move down are cascaded again within this same tick if due.
        if ((_current & ((1L << (Level0Bits + (2 * UpperBits))) - 1)) == 0)
        {
            if ((_current & ((1L << (Level0Bits + (3 * UpperBits))) - 1)) == 0)
            {
                Replace(OverflowList);
            }

            Replace(Level1Base + (2 * UpperSize) + (int)((_current >> (Level0Bits + (2 * UpperBits))) & (UpperSize - 1)));
        }

        if ((_current & ((1L << (Level0Bits + UpperBits)) - 1)) == 0)
        {
            Replace(Level1Base + UpperSize + (int)((_current >> (Level0Bits + UpperBits)) & (UpperSize - 1)));
        }

        Replace(Level1Base + (int)((_current >> Level0Bits) & (UpperSize - 1)));
    }

    private void Replace(int list)
    {
        // Detach the whole list first: Place may append to a list whose slot index equals this one's.
        var entry = _heads[list];
        _heads[list] = Nil;
        _tails[list] = Nil;
        while (entry != Nil)
        {
            var next = _next[entry];
            Place(entry);
            entry = next;
        }
    }

    private int FireList<THandler>(int list, THandler handler)
        where THandler : ITimerWheelHandler<T>
    {
        var fired = 0;
        int entry;
        while ((entry = _heads[list]) != Nil)
        {
            Unlink(entry);
            var payload = _payload[entry];
            var dueAt = TimeSpan.FromTicks(_dueAt[entry]);
            Release(entry);
            fired++;
            handler.OnTimerDue(payload, dueAt);
        }

        return fired;
    }

    private void Place(int entry)
    {
        var due = _dueTick[entry];
        var delta = due - _current;
        int list;
        if (delta <= 0)
        {
            list = DueList;
        }
        else if (delta < Level0Size)
        {
            list = (int)(due & (Level0Size - 1));
        }
        else if (delta < 1L << (Level0Bits + UpperBits))
        {
            list = Level1Base + (int)((due >> Level0Bits) & (UpperSize - 1));
        }
        else if (delta < 1L << (Level0Bits + (2 * UpperBits)))
        {
            list = Level1Base + UpperSize + (int)((due >> (Level0Bits + UpperBits)) & (UpperSize - 1));
        }
        else if (delta < 1L << (Level0Bits + (3 * UpperBits)))
        {
            list = Level1Base + (2 * UpperSize) + (int)((due >> (Level0Bits + (2 * UpperBits))) & (UpperSize - 1));
        }
        else
        {
            list = OverflowList;
        }

        Append(list, entry);
    }

    private void Append(int list, int entry)
    {
        _list[entry] = list;
        _next[entry] = Nil;
        var tail = _tails[list];
        _prev[entry] = tail;
        if (tail == Nil)
        {
            _heads[list] = entry;
            if (list < Level0Size)
            {
                _level0Occupied[list >> 6] |= 1UL << (list & 63);
            }
        }
        else
        {
            _next[tail] = entry;
        }

        _tails[list] = entry;
    }

    private void Unlink(int entry)
    {
        var list = _list[entry];
        var prev = _prev[entry];
        var next = _next[entry];
        if (prev == Nil)
        {
            _heads[list] = next;
        }
        else
        {
            _next[prev] = next;
        }

        if (next == Nil)
        {
            _tails[list] = prev;
        }
        else
        {
            _prev[next] = prev;
        }

        if (_heads[list] == Nil && list < Level0Size)
        {
            _level0Occupied[list >> 6] &= ~(1UL << (list & 63));
        }

        _list[entry] = NoList;
    }

    private bool AnyLevel0From(int index)
    {
        if (index >= Level0Size)
        {
            return false;
        }

        var word = index >> 6;
        if ((_level0Occupied[word] & (ulong.MaxValue << (index & 63))) != 0)
        {
            return true;
        }

        for (var w = word + 1; w < _level0Occupied.Length; w++)
        {
            if (_level0Occupied[w] != 0)
            {
                return true;
            }
        }

        return false;
    }

    private int Allocate()
    {
        int entry;
        if (_freeHead != Nil)
        {
            entry = _freeHead;
            _freeHead = _next[entry];
        }
        else
        {
            if (_highWater == _dueTick.Length)
            {
                Grow();
            }

            entry = _highWater++;
        }

        // Generation 0 is reserved for "no timer"; skip it when the counter wraps.
        var generation = _generation[entry] + 1;
        _generation[entry] = generation == 0 ? 1 : generation;
        return entry;
    }

    private void Release(int entry)
    {
        _payload[entry] = default!;
        _list[entry] = NoList;
        _generation[entry]++;
        _next[entry] = _freeHead;
        _freeHead = entry;
        Count--;
    }

    private void Grow()
    {
        var size = (int)Math.Min((long)_dueTick.Length * 2, Array.MaxLength);
        Array.Resize(ref _dueTick, size);
        Array.Resize(ref _dueAt, size);
        Array.Resize(ref _next, size);
        Array.Resize(ref _prev, size);
        Array.Resize(ref _list, size);
        Array.Resize(ref _generation, size);
        Array.Resize(ref _payload, size);
    }
}
