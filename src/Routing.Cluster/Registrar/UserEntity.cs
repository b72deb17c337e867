using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Persistence;
using Routing.Sip.Auth;

namespace Routing.Cluster.Registrar;

/// <summary>Type key of the <c>user</c> shard region in the actor registry.</summary>
public sealed class UserRegion
{
    /// <summary>The shard region's type name.</summary>
    public const string TypeName = "user";

    /// <summary>Shards; fixed for the life of the cluster (akka-notes §8: about ten times the largest node count).</summary>
    public const int ShardCount = 100;

    private UserRegion() { }
}

/// <summary>Routes <see cref="IUserCommand"/>s by AOR.</summary>
public sealed class UserMessageExtractor : HashCodeMessageExtractor
{
    public UserMessageExtractor() : base(UserRegion.ShardCount) { }

    public override string? EntityId(object message) => message is IUserCommand c ? c.Aor : null;
}

/// <summary>Snapshot of a user entity (everything persisted events build; counters are not kept).</summary>
public sealed record UserSnapshot(string Aor, bool Provisioned, string? Username, string? Realm, IReadOnlyList<Ha1Entry> Credentials,
    IReadOnlyList<Binding> Bindings) : Serialization.IRoutingSerializable
{
    public static UserSnapshot Of(UserState s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.Aor, s.Provisioned, s.Username, s.Realm, [.. s.Credentials], [.. s.Bindings]);
    }

    public UserState ToState() => UserState.Empty(Aor) with
    {
        Provisioned = Provisioned,
        Username = Username,
        Realm = Realm,
        Credentials = [.. Credentials],
        Bindings = [.. Bindings],
    };
}

/// <summary>
/// One address-of-record: a thin shell over <see cref="RegistrarDecider"/> and <see cref="UserState.Evolve"/>. Replies
/// only after the events it depends on are in the journal; a failed write answers <see cref="RegistrarUnavailable"/>.
/// Bindings expire on time: a <see cref="TimeProvider"/> timer fires at the earliest expiry and persists
/// <see cref="BindingExpired"/>.
/// </summary>
public sealed class UserEntity : ReceivePersistentActor
{
    public const string PersistenceIdPrefix = "user-";

    private readonly RegistrarSettings _settings;
    private readonly DigestVerifier? _verifier;
    private readonly TimeProvider _time;
    private UserState _state;
    private ITimer? _timer;
    private DateTimeOffset? _timerDue;
    private IActorRef? _awaitingWrite;
    private readonly string _aor;
    private int _sinceSnapshot;

    public UserEntity(string aor, RegistrarSettings settings, DigestVerifier? verifier, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(aor);
        _aor = aor;
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _verifier = verifier;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _state = UserState.Empty(aor);
        PersistenceId = PersistenceIdPrefix + aor;
        _sinceSnapshot = SnapshotPhase(PersistenceId, settings.SnapshotEvery);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is UserSnapshot s)
            {
                _state = s.ToState();
            }
        });
        Recover<IUserEvent>(e => _state = _state.Evolve(e));
        Recover<RecoveryCompleted>(_ => Arm());

        Command<RegisterBindings>(OnRegister);
        Command<ProvisionUser>(cmd =>
        {
            var outcome = _state.Provisioned ? UserChangeOutcome.Updated : UserChangeOutcome.Created;
            PersistThenReply(RegistrarDecider.Decide(_state, cmd, _time.GetUtcNow()), null, new UserChangeResult(_aor, outcome));
        });
        Command<DeprovisionUser>(cmd =>
        {
            var events = RegistrarDecider.Decide(_state, cmd, _time.GetUtcNow());
            PersistThenReply(events, null, new UserChangeResult(_aor, events.Count == 0 ? UserChangeOutcome.NotFound : UserChangeOutcome.Removed));
        });
        Command<GetUser>(_ =>
        {
            var now = _time.GetUtcNow();
            var algorithms = new List<DigestAlgorithm>(_state.Credentials.Length);
            foreach (var c in _state.Credentials)
            {
                algorithms.Add(c.Algorithm);
            }

            var failures = 0;
            foreach (var f in _state.Failures.Values)
            {
                failures += f.Count;
            }

            Sender.Tell(new UserResult(_aor, _state.Provisioned, algorithms, RegistrarDecider.Views(_state, now), failures));
        });
        Command<GetDigestCredentials>(_ => Sender.Tell(new DigestCredentialsResult(_aor, _state.Provisioned,
            _state.Provisioned ? _state.Username : null, _state.Provisioned ? _state.Realm : null,
            _state.Provisioned ? _state.Credentials : ImmutableArray<Ha1Entry>.Empty)));
        Command<ExpireDue>(_ =>
        {
            _timerDue = null;
            var expired = RegistrarDecider.Expire(_state, _time.GetUtcNow());
            if (expired.Count == 0)
            {
                Arm();
                return;
            }

            PersistThenReply(expired, null, null);
        });
        Command<StopUser>(_ => Context.Stop(Self));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    /// <summary>Transient mode counts for metrics: failed digest attempts seen by entities in this process.</summary>
    public static long FailedAttempts => Interlocked.Read(ref s_failedAttempts);

    /// <summary>Lock-outs started by entities in this process.</summary>
    public static long LockOuts => Interlocked.Read(ref s_lockOuts);

    private static long s_failedAttempts;
    private static long s_lockOuts;

    public static Props Props(string aor, RegistrarSettings settings, DigestVerifier? verifier, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new UserEntity(aor, settings, verifier, time));

    protected override void PostStop()
    {
        _timer?.Dispose();
        base.PostStop();
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The actor stops after this; nothing of the failed write was acknowledged, so nothing acknowledged is lost.
        _awaitingWrite?.Tell(new RegistrarUnavailable(_aor));
        _awaitingWrite = null;
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _awaitingWrite?.Tell(new RegistrarUnavailable(_aor));
        _awaitingWrite = null;
        if (@event is BindingExpired)
        {
            // The expiry tick's write was refused (journal overloaded): try again shortly. Without this the binding
            // stayed recorded until the next command for this AOR, and a phone that went away sends none.
            RetryExpiry();
        }

        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <summary>How long an expiry whose write was refused waits before the entity tries again.</summary>
    internal static readonly TimeSpan ExpiryRetry = TimeSpan.FromSeconds(1);

    private void RetryExpiry()
    {
        _timer?.Dispose();
        _timerDue = _time.GetUtcNow() + ExpiryRetry;
        var self = Self;
        _timer = _time.CreateTimer(_ => self.Tell(ExpireDue.Instance), null, ExpiryRetry, Timeout.InfiniteTimeSpan);
    }

    private void OnRegister(RegisterBindings command)
    {
        var now = _time.GetUtcNow();
        var before = _state;
        var decision = RegistrarDecider.Decide(_state, command, now, _settings, _verifier);
        if (decision.Next.TotalFailures > before.TotalFailures)
        {
            Interlocked.Increment(ref s_failedAttempts);
            var source = RegistrarDecider.SourceIp(command.Source.Address);
            if (decision.Next.Failures.TryGetValue(source, out var f) && f.LockedUntil is not null
                && (!before.Failures.TryGetValue(source, out var old) || old.LockedUntil is null))
            {
                Interlocked.Increment(ref s_lockOuts);
            }
        }

        if (decision.Persist.Count == 0)
        {
            _state = decision.Next;
            // Timers first: a caller that moves a test clock on the reply must find them armed.
            Arm();
            Sender.Tell(decision.Reply);
            return;
        }

        PersistThenReply(decision.Persist, decision.Next, decision.Reply);
    }

    /// <summary>Persists <paramref name="events"/>; once all are written applies them (or takes <paramref name="next"/>) and replies.</summary>
    private void PersistThenReply(IReadOnlyList<IUserEvent> events, UserState? next, object? reply)
    {
        if (events.Count == 0)
        {
            if (reply is not null)
            {
                Sender.Tell(reply);
            }

            return;
        }

        var replyTo = Sender;
        _awaitingWrite = reply is null ? null : replyTo;
        var remaining = events.Count;
        var folded = _state;
        PersistAll(events, e =>
        {
            if (next is null)
            {
                // The decider already folded the events when it hands over the next state (every REGISTER).
                folded = folded.Evolve(e);
            }

            if (--remaining > 0)
            {
                return;
            }

            var state = next ?? folded;
            // Write times only matter for coalescing refreshes; write-through skips the bookkeeping.
            if (_settings.RefreshPersistence == RefreshPersistence.Coalesce)
            {
                var now = _time.GetUtcNow();
                foreach (var written in events)
                {
                    state = state.MarkPersisted(written, now);
                }
            }

            _state = state;
            _awaitingWrite = null;
            Arm();
            if (reply is not null)
            {
                replyTo.Tell(reply);
            }

            _sinceSnapshot += events.Count;
            if (_sinceSnapshot >= _settings.SnapshotEvery)
            {
                _sinceSnapshot = 0;
                SaveSnapshot(UserSnapshot.Of(_state));
            }
        });
    }

    /// <summary>
    /// Where in its snapshot cycle an entity starts: a stable spread of the persistence id over [0, every). Entities
    /// created together (a bulk import, a priming run, a fleet of phones that came up together) would otherwise reach
    /// <c>snapshot-every</c> events together and save thousands of snapshots within a second, on the journal's one
    /// writer, while their REGISTERs wait for it (a failed step in the registrar benchmark, RESULTS run 14). Starting
    /// part-way only makes the first snapshot come sooner, so a recovery never replays more than <c>snapshot-every</c>
    /// events past its snapshot.
    /// </summary>
    internal static int SnapshotPhase(string persistenceId, int every)
    {
        if (every <= 1)
        {
            return 0;
        }

        // FNV-1a: the same phase in every process (string.GetHashCode is seeded per process).
        var hash = 2166136261u;
        foreach (var ch in persistenceId)
        {
            hash = (hash ^ ch) * 16777619u;
        }

        return (int)(hash % (uint)every);
    }

    /// <summary>
    /// (Re)arms the expiry timer for the earliest binding. A timer that fires no later than that is kept: a refresh
    /// moves the expiry later on every REGISTER, and replacing the timer each time cost a timer allocation and two
    /// timer-queue operations per REGISTER. The early tick finds nothing lapsed and arms for the real expiry.
    /// </summary>
    private void Arm()
    {
        var due = _state.NextExpiry;
        if (due == _timerDue || (_timer is not null && _timerDue is { } current && due is { } next && current <= next))
        {
            return;
        }

        _timer?.Dispose();
        _timer = null;
        _timerDue = due;
        if (due is not { } at)
        {
            return;
        }

        var delay = at - _time.GetUtcNow();
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        var self = Self;
        _timer = _time.CreateTimer(_ => self.Tell(ExpireDue.Instance), null, delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Local timer tick (never leaves the process).</summary>
    private sealed class ExpireDue
    {
        public static readonly ExpireDue Instance = new();
    }
}
