using System.Collections.Immutable;

namespace Routing.Cluster.Registrar;

/// <summary>Failed digest attempts from one source address (not persisted: a restart forgets them).</summary>
public sealed record FailureCount(int Count, DateTimeOffset FirstAt, DateTimeOffset? LockedUntil);

/// <summary>
/// The state of one AOR as a pure fold over <see cref="IUserEvent"/>s (<see cref="Evolve"/>), plus counters that live
/// in memory only (<see cref="Failures"/>, <see cref="PersistedAt"/>).
/// </summary>
public sealed record UserState
{
    public static UserState Empty(string aor) => new() { Aor = aor };

    public required string Aor { get; init; }

    public bool Provisioned { get; init; }

    public string? Username { get; init; }

    public string? Realm { get; init; }

    public ImmutableArray<Ha1Entry> Credentials { get; init; } = [];

    /// <summary>Bindings in the order they were made (RFC 3261 §10.3 step 8 lists them all).</summary>
    public ImmutableList<Binding> Bindings { get; init; } = [];

    /// <summary>Failed attempts per source IP.</summary>
    public ImmutableDictionary<string, FailureCount> Failures { get; init; } = ImmutableDictionary<string, FailureCount>.Empty;

    /// <summary>Failed attempts against this AOR since the entity started (all sources; a metric).</summary>
    public long TotalFailures { get; init; }

    /// <summary>When each binding (by key) was last written to the journal, for <see cref="RefreshPersistence.Coalesce"/>.</summary>
    public ImmutableDictionary<string, DateTimeOffset> PersistedAt { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    public int IndexOf(string key)
    {
        for (var i = 0; i < Bindings.Count; i++)
        {
            if (string.Equals(Bindings[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The earliest expiry among the bindings, null when there are none.</summary>
    public DateTimeOffset? NextExpiry
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var b in Bindings)
            {
                if (next is null || b.ExpiresAt < next)
                {
                    next = b.ExpiresAt;
                }
            }

            return next;
        }
    }

    public string? Ha1For(Routing.Sip.Auth.DigestAlgorithm algorithm)
    {
        var baseAlgorithm = Routing.Sip.Auth.DigestAlgorithms.BaseOf(algorithm);
        foreach (var c in Credentials)
        {
            if (c.Algorithm == baseAlgorithm)
            {
                return c.Ha1;
            }
        }

        return null;
    }

    /// <summary>Applies one event. Pure: the same events in the same order always give the same state.</summary>
    public UserState Evolve(IUserEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e)
        {
            case UserProvisioned p:
                return this with { Provisioned = true, Username = p.Username, Realm = p.Realm };
            case UserDeprovisioned:
                return this with { Provisioned = false, Credentials = [], Bindings = [], PersistedAt = PersistedAt.Clear() };
            case CredentialsSet c:
                return this with { Credentials = [.. c.Credentials] };
            case BindingAdded a:
                return this with { Bindings = Bindings.Add(a.Binding) };
            case BindingRefreshed r:
                var i = IndexOf(r.Key);
                if (i < 0)
                {
                    return this with { Bindings = Bindings.Add(r.Binding) };
                }

                return this with { Bindings = Bindings.SetItem(i, r.Binding.SharingTextWith(Bindings[i])) };
            case BindingRemoved removed:
                return Without(removed.Key);
            case BindingExpired expired:
                return Without(expired.Key);
            default:
                throw new ArgumentException($"unknown user event {e.GetType().Name}", nameof(e));
        }
    }

    /// <summary>Records that <paramref name="e"/> reached the journal at <paramref name="at"/> (for coalescing).</summary>
    public UserState MarkPersisted(IUserEvent e, DateTimeOffset at) => e switch
    {
        BindingAdded a => this with { PersistedAt = PersistedAt.SetItem(a.Binding.Key, at) },
        BindingRefreshed r => this with { PersistedAt = PersistedAt.Remove(r.Key).SetItem(r.Binding.Key, at) },
        _ => this,
    };

    private UserState Without(string key)
    {
        var i = IndexOf(key);
        return i < 0 ? this : this with { Bindings = Bindings.RemoveAt(i), PersistedAt = PersistedAt.Remove(key) };
    }
}
