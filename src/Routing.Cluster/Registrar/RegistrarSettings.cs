namespace Routing.Cluster.Registrar;

/// <summary>How REGISTER requests are authenticated (HOCON <c>routing.node.auth.mode</c>, flag <c>--auth</c>).</summary>
public enum RegistrarAuthentication
{
    /// <summary>RFC 3261 §22.4 digest with stateless nonces.</summary>
    Digest,
    /// <summary>No authentication: any AOR in a served domain may register (labs and benchmarks only).</summary>
    None,
}

/// <summary>
/// When a refresh reaches the journal (HOCON <c>routing.registrar.refresh-persistence</c>).
/// </summary>
public enum RefreshPersistence
{
    /// <summary>Every accepted REGISTER is persisted before the 200 goes out: nothing acknowledged is ever lost.</summary>
    WriteThrough,
    /// <summary>
    /// A refresh that changes only the expiry, Call-ID or CSeq of an existing binding is persisted at most once per
    /// <see cref="RegistrarSettings.CoalesceWindow"/> per binding; in between the 200 is answered from memory.
    /// Loss window: after a crash the recovered expiry of such a binding can be up to one window older than the last
    /// one acknowledged (the binding may lapse that much early if the UA does not refresh). New bindings, removals,
    /// and any change of contact, path, source, instance or user agent are always written through.
    /// </summary>
    Coalesce,
}

/// <summary>Registrar behaviour (HOCON <c>routing.registrar</c>; see cluster-config/registrar.conf).</summary>
public sealed record RegistrarSettings
{
    /// <summary>Default: digest.</summary>
    public RegistrarAuthentication Authentication { get; init; } = RegistrarAuthentication.Digest;

    /// <summary>
    /// Answer an unknown user exactly like a known one (challenge, then 403) instead of 404 (RFC 3261 §10.3 step 5
    /// allows either; hiding defeats user enumeration). Default: on.
    /// </summary>
    public bool HideUnknownUsers { get; init; } = true;

    /// <summary>Shortest accepted expiry in seconds; shorter non-zero ones get 423 (RFC 3261 §10.3 step 7). Default: 60.</summary>
    public uint MinExpires { get; init; } = 60;

    /// <summary>Longest granted expiry in seconds; longer requests are shortened. Default: 7200.</summary>
    public uint MaxExpires { get; init; } = 7200;

    /// <summary>Expiry when neither the contact nor the request gives one (RFC 3261 §10.2.1.1). Default: 3600.</summary>
    public uint DefaultExpires { get; init; } = 3600;

    /// <summary>Most bindings one AOR may hold. Default: 16.</summary>
    public int MaxBindings { get; init; } = 16;

    /// <summary>Failed digest attempts from one source address against one AOR before it is locked out. Default: 5.</summary>
    public int LockoutAttempts { get; init; } = 5;

    /// <summary>How long a lock-out lasts, and the window failures are counted in. Default: 300 s.</summary>
    public TimeSpan LockoutWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Default: write-through.</summary>
    public RefreshPersistence RefreshPersistence { get; init; } = RefreshPersistence.WriteThrough;

    /// <summary>With <see cref="RefreshPersistence.Coalesce"/>: at most one journal write per binding per window. Default: 300 s.</summary>
    public TimeSpan CoalesceWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Snapshot after this many persisted events. Default: 100.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>Idle entities are passivated after this long (a binding's expiry re-arms on recovery). Default: 300 s.</summary>
    public TimeSpan IdlePassivation { get; init; } = TimeSpan.FromMinutes(5);
}
