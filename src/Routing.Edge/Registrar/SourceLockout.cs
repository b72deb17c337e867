using System.Collections.Concurrent;
using System.Net;

namespace Routing.Edge.Registrar;

/// <summary>
/// Brute-force defence by source address, across all AORs (a scanner such as svcrack tries many users from one host):
/// after <c>attempts</c> failures within <c>window</c> the address is refused for <c>window</c>. The per-AOR
/// counterpart lives in the user entity. Bounded: beyond 100 000 tracked addresses the oldest state is dropped.
/// </summary>
public sealed class SourceLockout
{
    private const int MaxTracked = 100_000;
    private readonly ConcurrentDictionary<IPAddress, Entry> _entries = new();
    private readonly int _attempts;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    public SourceLockout(int attempts, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        _attempts = attempts;
        _window = window;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public bool IsLocked(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // Not IsEmpty first: on an empty ConcurrentDictionary it takes every lock, and empty is the usual case.
        return _entries.TryGetValue(address, out var e) && e.LockedUntil > _time.GetUtcNow();
    }

    /// <summary>Counts one failure; true when this failure started a lock-out.</summary>
    public bool Fail(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var now = _time.GetUtcNow();
        if (_entries.Count >= MaxTracked)
        {
            _entries.Clear();
        }

        var locked = false;
        _entries.AddOrUpdate(address,
            _ => Start(now, ref locked),
            (_, e) =>
            {
                locked = false;
                if (now - e.FirstAt >= _window && e.LockedUntil <= now)
                {
                    return Start(now, ref locked);
                }

                var count = e.Count + 1;
                if (count >= _attempts && e.LockedUntil <= now)
                {
                    locked = true;
                    return new Entry(count, e.FirstAt, now + _window);
                }

                return e with { Count = count };
            });
        return locked;
    }

    private Entry Start(DateTimeOffset now, ref bool locked)
    {
        locked = _attempts == 1;
        return new Entry(1, now, locked ? now + _window : DateTimeOffset.MinValue);
    }

    private sealed record Entry(int Count, DateTimeOffset FirstAt, DateTimeOffset LockedUntil);
}
