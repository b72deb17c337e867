using Akka.Actor;
using Akka.Hosting;
using Routing.Cluster.Dialogs;
using Routing.Edge.Proxy;

namespace Routing.Node.Proxy;

/// <summary>The edge's <see cref="IDialogPort"/> over the <c>dialog</c> shard region.</summary>
public sealed class ClusterDialogPort : IDialogPort
{
    private readonly ActorRegistry _registry;
    private readonly ProxyComposition.Settings _settings;
    private readonly TimeProvider _time;
    private IActorRef? _region;

    public ClusterDialogPort(ActorRegistry registry, ProxyComposition.Settings settings, TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    public async Task<IActorRef> RegionAsync(CancellationToken cancellationToken) =>
        _region ??= await _registry.GetAsync<DialogRegion>(cancellationToken).ConfigureAwait(false);

    // The recording messages are told from one sender per call path, so the region keeps their order per dialog.
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
            var reply = await region.Ask<object>(command, _settings.AskTimeout, cancellationToken).ConfigureAwait(false);
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
    public void Answered(DialogStart start, int branch, string toTag, CallParty callee, uint? sessionExpires)
    {
        ArgumentNullException.ThrowIfNull(start);
        var region = Region;
        var at = _time.GetUtcNow();
        region.Tell(Command(start, durable: false));
        region.Tell(new RecordAnswer(start.CallId, branch, toTag, Party(callee), sessionExpires, at));
    }

    public void Failed(DialogStart start, int status, CallSide by)
    {
        ArgumentNullException.ThrowIfNull(start);
        var region = Region;
        var at = _time.GetUtcNow();
        region.Tell(Command(start, durable: false));
        region.Tell(new RecordFailure(start.CallId, status, Side(by), at));
    }

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
            reply = await region.Ask<object>(new RouteInDialog(request.CallId, Key(request.Key), request.FromTag, request.ToTag, Party(request.Sender),
                request.TargetRefresh, request.SessionExpires, _time.GetUtcNow()), _settings.AskTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new InDialogTarget(InDialogStatus.Unavailable, null, CallSide.Caller);
        }

        return reply switch
        {
            InDialogRoute { Rejection: null, Target: { } target } r => new InDialogTarget(InDialogStatus.Routed, Party(target), Side(r.TargetSide)),
            InDialogRoute { Rejection: InDialogRejection.TagMismatch } => new InDialogTarget(InDialogStatus.NotAnswered, null, CallSide.Caller),
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
