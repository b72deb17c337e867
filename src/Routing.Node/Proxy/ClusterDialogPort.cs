using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Logging;
using Routing.Cluster.Dialogs;
using Routing.Edge.Proxy;

namespace Routing.Node.Proxy;

/// <summary>The edge's <see cref="IDialogPort"/> over the <c>dialog</c> shard region.</summary>
public sealed partial class ClusterDialogPort : IDialogPort
{
    private readonly ActorRegistry _registry;
    private readonly ProxyComposition.Settings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private IActorRef? _region;

    public ClusterDialogPort(ActorRegistry registry, ProxyComposition.Settings settings, TimeProvider time, ILogger<ClusterDialogPort> logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    public async Task<IActorRef> RegionAsync(CancellationToken cancellationToken) =>
        _region ??= await _registry.GetAsync<DialogRegion>(cancellationToken).ConfigureAwait(false);

    // The recording messages leave from one thread per call path, so the region keeps their order per dialog.
    private IActorRef Region => _region ?? _registry.Get<DialogRegion>();

    public async Task<bool> StartAsync(DialogStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var region = await RegionAsync(cancellationToken).ConfigureAwait(false);
        var command = Command(start, _settings.ConfirmDialogStart);
        if (!_settings.ConfirmDialogStart)
        {
            // Forward without waiting for the journal: the entity takes the start before anything later for the same
            // Call-ID (one mailbox, in order); a failed write loses this dialog's record, not the call.
            region.Tell(command);
            return true;
        }

        try
        {
            // A repeated start is a no-op for the entity.
            var reply = await RepeatableAsk.AskAsync(timeout => region.Ask<object>(command, timeout, cancellationToken), _settings.AskTimeout,
                static r => r is DialogUnavailable, _time).ConfigureAwait(false);
            return reply is DialogAck;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    public void BranchForked(string callId, int branch, string contact, string? instance) =>
        Region.Tell(new RecordBranch(callId, branch, contact, instance, _time.GetUtcNow()));

    public void Provisional(string callId, int branch, int status, string? toTag) =>
        Region.Tell(new RecordProvisional(callId, branch, status, toTag, _time.GetUtcNow()));

    // The start goes again before the answer or the failure: a duplicate costs the entity nothing, and an entity that
    // lost its in-memory set-up (its node left the cluster mid-setup) starts again from it instead of dropping the answer.
    // The answer is delivered at least once (up to three asks, 5 s each): a hand-off drops messages in flight to the
    // shard that moves (and the commands an entity stashed while it wrote its held events before stopping), and a BYE
    // after a hand-off then found no answered dialog and got 481. A late redelivery cannot touch another call: a dialog
    // that was answered takes no new start. The failure stays one-way: redelivered late, it could fail the caller's next
    // INVITE on the same Call-ID (a retry after 401/407/422/3xx starts a new dialog there); a lost one is failed by the
    // entity's set-up timer (max-setup) instead.
    public void Answered(DialogStart start, int branch, string toTag, CallParty callee, uint? sessionExpires)
    {
        ArgumentNullException.ThrowIfNull(start);
        var at = _time.GetUtcNow();
        _ = RecordAsync(start, new RecordAnswer(start.CallId, branch, toTag, Party(callee), sessionExpires, at));
    }

    public void Failed(DialogStart start, int status, CallSide by)
    {
        ArgumentNullException.ThrowIfNull(start);
        var region = Region;
        var at = _time.GetUtcNow();
        region.Tell(Command(start, durable: false));
        region.Tell(new RecordFailure(start.CallId, status, Side(by), at));
    }

    private Task<bool> RecordAsync(DialogStart start, IDialogCommand outcome)
    {
        var region = Region;
        var begin = Command(start, durable: false);
        return DeliverAtLeastOnceAsync(
            (message, timeout) => message is StartDialog ? Told(region, message) : region.Ask<object>(message, timeout),
            begin, outcome, _time, _logger);
    }

    private static Task<object> Told(IActorRef region, object message)
    {
        region.Tell(message);
        return Task.FromResult(message);
    }

    /// <summary>
    /// How long one attempt waits for the entity's acknowledgement: longer than a hand-off, so that a slow write under
    /// load is not sent again (each attempt adds load exactly when there is too much), short enough that a BYE the edge
    /// holds for the answer (<c>ProxyHandler.InDialogRecheck</c>) usually sees the second attempt land.
    /// </summary>
    internal static readonly TimeSpan RecordAttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends <paramref name="start"/> (one-way) and <paramref name="outcome"/> (asked) until the entity acknowledges the
    /// outcome with <see cref="DialogAck"/>, at most <see cref="RepeatableAsk.Attempts"/> times (<see cref="RepeatableAsk"/>:
    /// a lost message is an ask that times out; a refused write waits 1 s, then 2 s, before the next attempt).
    /// </summary>
    internal static async Task<bool> DeliverAtLeastOnceAsync(Func<object, TimeSpan, Task<object>> send, StartDialog start, IDialogCommand outcome,
        TimeProvider time, ILogger logger)
    {
        try
        {
            var reply = await RepeatableAsk.AskAsync(async timeout =>
            {
                // The start goes again with each attempt: the entity takes a duplicate as a no-op.
                await send(start, timeout).ConfigureAwait(false);
                return await send(outcome, timeout).ConfigureAwait(false);
            }, RecordAttemptTimeout, static r => r is not DialogAck, time).ConfigureAwait(false);
            if (reply is DialogAck)
            {
                return true;
            }
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            // Every attempt was lost on the way or held up by hand-offs.
        }

        LogRecordLost(logger, outcome.CallId, outcome.GetType().Name, RepeatableAsk.Attempts);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "dialog {CallId}: {Command} not acknowledged after {Attempts} attempts; its CDR may be incomplete")]
    private static partial void LogRecordLost(ILogger logger, string callId, string command, int attempts);

    private StartDialog Command(DialogStart start, bool durable) =>
        new(start.CallId, Key(start.Key), start.FromTag, Party(start.Caller), start.CalleeAor, start.RequestUri, start.SessionExpires,
            start.At ?? _time.GetUtcNow(), durable);

    public void TargetReplaced(string callId, CallSide side, CallParty party) => Region.Tell(new ReplaceTarget(callId, Side(side), Party(party)));

    public async Task<InDialogTarget> RouteAsync(InDialogRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var region = await RegionAsync(cancellationToken).ConfigureAwait(false);
        object reply;
        try
        {
            // Asked again when lost or refused: a repeated route with the same CSeq is answered from the entity's record.
            var message = new RouteInDialog(request.CallId, Key(request.Key), request.FromTag, request.ToTag, Party(request.Sender),
                request.TargetRefresh, request.SessionExpires, _time.GetUtcNow());
            reply = await RepeatableAsk.AskAsync(timeout => region.Ask<object>(message, timeout, cancellationToken), _settings.AskTimeout,
                static r => r is DialogUnavailable, _time).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new InDialogTarget(InDialogStatus.Unavailable, null, CallSide.Caller);
        }

        return reply switch
        {
            InDialogRoute { Rejection: null, Target: { } target } r => new InDialogTarget(InDialogStatus.Routed, Party(target), Side(r.TargetSide)),
            InDialogRoute { Rejection: InDialogRejection.TagMismatch } => new InDialogTarget(InDialogStatus.NotAnswered, null, CallSide.Caller),
            InDialogRoute { Rejection: InDialogRejection.Ended } => new InDialogTarget(InDialogStatus.Ended, null, CallSide.Caller),
            InDialogRoute => new InDialogTarget(InDialogStatus.NoSuchDialog, null, CallSide.Caller),
            _ => new InDialogTarget(InDialogStatus.Unavailable, null, CallSide.Caller),
        };
    }

    private static RequestKey Key(CallKey k) => new(k.CSeq, k.Method, k.Branch);

    internal static DialogParty Party(CallParty p) =>
        new(p.Aor, p.Contact, p.SourceAddress, p.Transport, p.FlowToken, p.Instance, p.UserAgent, p.TlsFingerprint);

    internal static CallParty Party(DialogParty p) =>
        new(p.Aor, p.Contact, p.SourceAddress, p.Transport, p.FlowToken, p.Instance, p.UserAgent, p.TlsFingerprint);

    private static DialogSide Side(CallSide s) => s switch
    {
        CallSide.Caller => DialogSide.Caller,
        CallSide.Callee => DialogSide.Callee,
        _ => DialogSide.Proxy,
    };

    private static CallSide Side(DialogSide s) => s switch
    {
        DialogSide.Caller => CallSide.Caller,
        DialogSide.Callee => CallSide.Callee,
        _ => CallSide.Proxy,
    };
}
