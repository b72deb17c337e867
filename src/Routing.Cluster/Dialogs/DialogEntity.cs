using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Routing.Cluster.Dialogs;

/// <summary>Type key of the <c>dialog</c> shard region in the actor registry.</summary>
public sealed class DialogRegion
{
    /// <summary>The shard region's type name.</summary>
    public const string TypeName = "dialog";

    /// <summary>Shards; fixed for the life of the cluster (akka-notes §8).</summary>
    public const int ShardCount = 100;

    private DialogRegion() { }
}

/// <summary>Routes <see cref="IDialogCommand"/>s by Call-ID.</summary>
public sealed class DialogMessageExtractor : HashCodeMessageExtractor
{
    public DialogMessageExtractor() : base(DialogRegion.ShardCount) { }

    public override string? EntityId(object message) => message is IDialogCommand c ? c.CallId : null;
}

/// <summary>Reply when the journal refused or failed a write: the edge answers 500 with Retry-After.</summary>
public sealed record DialogUnavailable(string CallId) : Serialization.IRoutingSerializable;

/// <summary>
/// One dialog (entity id: the Call-ID): a thin shell over <see cref="DialogDecider"/> and <see cref="DialogState.Evolve"/>.
/// After a node loss or hand-off remember-entities restart it on another member (akka-notes §2.2), where it
/// recovers from the journal and its cleanup timer re-arms. Once the dialog is over it lingers to answer retransmissions, then passivates itself
/// (the region never idle-passivates a dialog). Events are tagged <see cref="Tag"/> for the CDR projection.
/// <para>
/// Writes are batched per call: the set-up events (<see cref="DialogStarted"/>, <see cref="BranchForked"/>,
/// <see cref="DialogRinging"/>) are applied in memory and written in one <c>PersistAll</c> with the answer or the
/// failure (a durable start, a hand-off stop or a timer flushes them too); every other event is written before the
/// reply. A successful call is two journal writes (answer, termination), a failed one is one.
/// </para>
/// </summary>
public sealed class DialogEntity : ReceivePersistentActor
{
    public const string PersistenceIdPrefix = "dialog-";

    /// <summary>Journal tag of every dialog event (EventsByTag feeds the CDR projection).</summary>
    public const string Tag = "dialog";

    private static readonly IReadOnlySet<string> Tags = new HashSet<string> { Tag };

    private readonly DialogSettings _settings;
    private readonly TimeProvider _time;
    private readonly string _callId;
    private DialogState _state;
    private ITimer? _timer;
    private DateTimeOffset? _due;
    private readonly List<IDialogEvent> _deferred = [];
    private IActorRef? _awaitingWrite;
    private bool _passivating;

    public DialogEntity(string callId, DialogSettings settings, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        _callId = callId;
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _state = DialogState.Empty(callId);
        PersistenceId = PersistenceIdPrefix + callId;

        Recover<IDialogEvent>(e => _state = _state.Evolve(e));

        // The SQL journal unwraps Tagged on write; journals that keep the wrapper replay it.
        Recover<Tagged>(t => _state = _state.Evolve((IDialogEvent)t.Payload));
        Recover<RecoveryCompleted>(_ => Arm());
        Command<IDialogCommand>(OnCommand);
        Command<Tick>(_ => OnTick());
        Command<StopDialog>(_ => Stop());
    }

    public override string PersistenceId { get; }

    /// <summary>Dialogs never save snapshots: recovery skips the snapshot store's read and replays the few events.</summary>
    public override Recovery Recovery { get; } = new(SnapshotSelectionCriteria.None);

    public static Props Props(string callId, DialogSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new DialogEntity(callId, settings, time));

    protected override void PostStop()
    {
        _timer?.Dispose();
        base.PostStop();
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _awaitingWrite?.Tell(new DialogUnavailable(_callId));
        _awaitingWrite = null;
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _awaitingWrite?.Tell(new DialogUnavailable(_callId));
        _awaitingWrite = null;
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void OnCommand(IDialogCommand command)
    {
        var decision = DialogDecider.Decide(_state, command, _time.GetUtcNow());
        if (decision.Events.Count == 0)
        {
            // A duplicate, a query or a route without effect: nothing to write (deferred events stay deferred).
            // Timers first: a caller that moves a test clock on the reply must find them armed.
            Arm();
            Reply(Sender, decision.Reply);
            return;
        }

        if (CanDefer(command, decision.Events))
        {
            // Set-up events wait in memory for the answer or the failure (one write per call set-up). The INVITE does
            // not wait for them either way; a routing node lost during set-up loses them (docs/architecture.md).
            foreach (var e in decision.Events)
            {
                _state = _state.Evolve(e);
                _deferred.Add(e);
            }

            Arm();
            Reply(Sender, decision.Reply);
            return;
        }

        PersistThenReply(decision.Events, decision.Reply);
    }

    private static bool CanDefer(IDialogCommand command, IReadOnlyList<IDialogEvent> events)
    {
        if (command is StartDialog { Durable: true })
        {
            return false;
        }

        foreach (var e in events)
        {
            if (e is not (DialogStarted or BranchForked or DialogRinging))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replies unless the command was told without a sender (the edge's one-way recording messages).</summary>
    private static void Reply(IActorRef to, object? reply)
    {
        if (reply is not null && !to.IsNobody() && !to.Equals(Context.System.DeadLetters))
        {
            to.Tell(reply);
        }
    }

    /// <summary>Hand-off or passivation: deferred set-up events are written first, so the next incarnation has them.</summary>
    private void Stop()
    {
        if (_deferred.Count == 0)
        {
            Context.Stop(Self);
            return;
        }

        PersistThenReply([], null);
        DeferAsync(StopDialog.Instance, _ => Context.Stop(Self));
    }

    private void OnTick()
    {
        // The one-shot timer has fired: whatever happens next arms a new one.
        _timer?.Dispose();
        _timer = null;

        // Over, or never started (a query or a stray in-dialog request for an unknown Call-ID): nothing to keep.
        if (_state.IsOver || _state.Phase == DialogPhase.None)
        {
            Passivate();
            return;
        }

        var expired = DialogDecider.Expire(_state, _settings, _time.GetUtcNow());
        if (expired.Count == 0)
        {
            Arm();
            return;
        }

        PersistThenReply(expired, null);
    }

    /// <summary>Writes the deferred set-up events and <paramref name="events"/> as one batch, then replies.</summary>
    private void PersistThenReply(IReadOnlyList<IDialogEvent> events, object? reply)
    {
        var replyTo = Sender;
        if (events.Count == 0 && _deferred.Count == 0)
        {
            Arm();
            Reply(replyTo, reply);
            return;
        }

        _awaitingWrite = reply is null ? null : replyTo;
        var deferred = _deferred.Count;
        var tagged = new Tagged[deferred + events.Count];
        for (var i = 0; i < deferred; i++)
        {
            // Already applied to the state when they were decided.
            tagged[i] = new Tagged(_deferred[i], Tags);
        }

        for (var i = 0; i < events.Count; i++)
        {
            tagged[deferred + i] = new Tagged(events[i], Tags);
        }

        // The held events leave _deferred only once written: a rejected write keeps them for the next one.
        var remaining = tagged.Length;
        var index = 0;
        PersistAll(tagged, t =>
        {
            if (index++ >= deferred)
            {
                _state = _state.Evolve((IDialogEvent)t.Payload);
            }

            if (--remaining > 0)
            {
                return;
            }

            _deferred.RemoveRange(0, deferred);
            _awaitingWrite = null;
            Arm();
            Reply(replyTo, reply);
        });
    }

    /// <summary>Arms one timer: the next cleanup, or the end of the linger once the dialog is over.</summary>
    private void Arm()
    {
        DateTimeOffset? due = _state.IsOver
            ? (_state.EndedAt ?? _time.GetUtcNow()) + _settings.Linger
            : _state.Phase == DialogPhase.None
                ? _time.GetUtcNow() + _settings.Linger
                : DialogDecider.NextDue(_state, _settings);
        if (_timer is not null && due == _due)
        {
            // Most commands leave the next cleanup where it was: keep the timer instead of making a new one.
            return;
        }

        _timer?.Dispose();
        _timer = null;
        _due = due;
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
        _timer = _time.CreateTimer(_ => self.Tell(Tick.Instance), null, delay, Timeout.InfiniteTimeSpan);
    }

    private void Passivate()
    {
        if (_passivating)
        {
            return;
        }

        _passivating = true;

        // Remember-entities: only a Passivate through the shard forgets the entity (akka-notes §2.2, §2.4).
        Context.Parent.Tell(new Passivate(StopDialog.Instance));
    }

    /// <summary>Local timer tick (never leaves the process).</summary>
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
