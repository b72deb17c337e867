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
/// It runs in a region with remember-entities (akka-notes §2.2), so after a node loss the shard restarts it elsewhere at
/// once and its cleanup timer re-arms. Replies only after the events are in the journal. Once the dialog is over it
/// lingers to answer retransmissions, then passivates itself (remember-entities disables idle passivation).
/// Events are tagged <see cref="Tag"/> for the CDR projection.
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
        Command<StopDialog>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

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
        PersistThenReply(decision.Events, decision.Reply);
    }

    private void OnTick()
    {
        // Over, or never started (a query or a stray in-dialog request for an unknown Call-ID): nothing to keep.
        if (_state.IsOver || _state.Phase == DialogPhase.None)
        {
            Passivate();
            return;
        }

        PersistThenReply(DialogDecider.Expire(_state, _settings, _time.GetUtcNow()), null);
    }

    private void PersistThenReply(IReadOnlyList<IDialogEvent> events, object? reply)
    {
        if (events.Count == 0)
        {
            if (reply is not null)
            {
                Sender.Tell(reply);
            }

            Arm();
            return;
        }

        var replyTo = Sender;
        _awaitingWrite = reply is null ? null : replyTo;
        var remaining = events.Count;
        var tagged = new Tagged[events.Count];
        for (var i = 0; i < tagged.Length; i++)
        {
            tagged[i] = new Tagged(events[i], Tags);
        }

        PersistAll(tagged, t =>
        {
            _state = _state.Evolve((IDialogEvent)t.Payload);
            if (--remaining > 0)
            {
                return;
            }

            _awaitingWrite = null;
            if (reply is not null)
            {
                replyTo.Tell(reply);
            }

            Arm();
        });
    }

    /// <summary>Arms one timer: the next cleanup, or the end of the linger once the dialog is over.</summary>
    private void Arm()
    {
        _timer?.Dispose();
        _timer = null;
        DateTimeOffset? due = _state.IsOver
            ? (_state.EndedAt ?? _time.GetUtcNow()) + _settings.Linger
            : _state.Phase == DialogPhase.None
                ? _time.GetUtcNow() + _settings.Linger
                : DialogDecider.NextDue(_state, _settings);
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
