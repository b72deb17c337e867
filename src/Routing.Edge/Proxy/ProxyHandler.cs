using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Routing.Edge.Transactions;
using Routing.Sip.Auth;
using Routing.Sip.Headers;
using Routing.Sip.Message;
using Routing.Sip.Transport;
using Routing.Sip.Uri;

namespace Routing.Edge.Proxy;

/// <summary>
/// The stateful proxy as an edge TU (RFC 3261 §16): takes every request for a served user or for a dialog the cluster
/// record-routed, validates it (§16.3), processes Route (§16.4), challenges callers of served domains (§22.3), looks
/// the callee up (§16.5), forks by q-group (§16.6) and runs the response context (§16.7, §16.10). In-dialog requests
/// are routed by the <c>dialog</c> entity to the other party's current flow. The decisions are the pure types of this
/// folder; this class only moves bytes between them, the edge's transactions and the cluster ports.
/// </summary>
public sealed partial class ProxyHandler : IEdgeRequestHandler, IEdgeAckHandler
{
    private const string CompletedElsewhere = "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n";

    private readonly ProxySettings _settings;
    private readonly ISipClient _client;
    private readonly ILocationPort _location;
    private readonly IDialogPort _dialogs;
    private readonly IProxyCredentials? _credentials;
    private readonly DigestNonceService? _nonces;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _serverHeader;
    private readonly string _overloaded;
    private long _branchCounter;

    public ProxyHandler(ProxySettings settings, ISipClient client, ILocationPort location, IDialogPort dialogs, IProxyCredentials? credentials,
        DigestNonceService? nonces, TimeProvider time, ILogger<ProxyHandler> logger, string serverName = "routing-cluster")
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _location = location ?? throw new ArgumentNullException(nameof(location));
        _dialogs = dialogs ?? throw new ArgumentNullException(nameof(dialogs));
        _credentials = credentials;
        _nonces = nonces;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _serverHeader = "Server: " + serverName + "\r\n";
        _overloaded = "Retry-After: " + settings.OverloadRetryAfterSeconds.ToString(CultureInfo.InvariantCulture) + "\r\n" + _serverHeader;
        if (settings.Authentication == ProxyAuthMode.Digest && (credentials is null || nonces is null))
        {
            throw new ArgumentException("digest authentication needs a credential port and a nonce service", nameof(credentials));
        }
    }

    /// <summary>Calls handled since start (a metric).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    private long _forwarded;

    /// <summary>New INVITEs answered 503 because <see cref="ProxySettings.MaxCallsSettingUp"/> were being set up (a metric).</summary>
    public long Shed => Interlocked.Read(ref _shed);

    /// <summary>Initial INVITEs taken whose server transaction has no final response yet.</summary>
    public int CallsSettingUp => Volatile.Read(ref _settingUp);

    private long _shed;
    private int _settingUp;

    public bool TryHandle(EdgeServerRequest request, RequestTarget target)
    {
        ArgumentNullException.ThrowIfNull(request);
        var m = request.Message;
        if (m.Method is SipMethod.Register or SipMethod.Cancel or SipMethod.Ack)
        {
            return false;
        }

        if (!m.ToTag.IsEmpty)
        {
            // In-dialog: ours only when the Route set (or a strict router's Request-URI) names this cluster.
            var plan = RoutePlan.For(m, _settings);
            if (plan.Error != RoutePlanError.None || plan.DialogKey is null)
            {
                return false;
            }

            request.HandlesCancel = false;
            _ = InDialogAsync(request, plan);
            return true;
        }

        if (target is not (RequestTarget.LocalUser or RequestTarget.Node))
        {
            return false;
        }

        if (target == RequestTarget.Node && m.Method == SipMethod.Options)
        {
            return false;
        }

        request.HandlesCancel = m.Method == SipMethod.Invite;
        if (m.Method == SipMethod.Invite)
        {
            if (Interlocked.Increment(ref _settingUp) > _settings.MaxCallsSettingUp)
            {
                // RFC 3261 §21.5.4: overloaded; answered here, before any cluster work (in-dialog requests never get here).
                Interlocked.Decrement(ref _settingUp);
                Interlocked.Increment(ref _shed);
                request.Respond(503, "Overloaded", _overloaded);
                return true;
            }

            request = new SettingUp(this, request);
        }

        _ = OutOfDialogAsync(request);
        return true;
    }

    /// <summary>
    /// Forwards an ACK for a 2xx (RFC 3261 §16.6 / §13.2.2.4: its own end-to-end transaction, forwarded statelessly) to
    /// the callee's current flow. The edge calls this for ACKs that match no server transaction; the message is
    /// copied before this returns.
    /// </summary>
    public bool TryHandleAck(SipMessage ack, in SipInboundContext source, RequestTarget target)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Method != SipMethod.Ack || ack.ToTag.IsEmpty)
        {
            return false;
        }

        var plan = RoutePlan.For(ack, _settings);
        if (plan.Error != RoutePlanError.None || plan.DialogKey is null)
        {
            return false;
        }

        var bytes = Rewrite(ack, plan, new ForwardSpec(null, [], null, null, null));
        if (bytes is null)
        {
            return true;
        }

        var request = InDialogOf(ack, source, targetRefresh: false);

        // The Request-URI of a 2xx ACK is the callee's Contact (RFC 3261 §12.2.1.1); used when the dialog cannot say
        // where the callee is. Not when it names this proxy (a strict router upstream put our URI there, §16.4).
        string? requestUri = null;
        if (ack.TryGetRequestUri(out var ruri) && !RecordRoute.IsOwn(ruri, _settings))
        {
            requestUri = Encoding.UTF8.GetString(ack.RequestUri);
        }

        _ = AckAsync(request, bytes, LoopDetection.StatelessBranch(ack), requestUri, TransportOf(source));
        return true;
    }

    private async Task AckAsync(InDialogRequest request, byte[] bytes, string branch, string? requestUri, string transport)
    {
        try
        {
            var route = await _dialogs.RouteAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (route.Status == InDialogStatus.Routed && route.Target is { } target)
            {
                _client.SendAck(new OutboundRequest(bytes, DestinationOf(target), branch));
            }
            else if (route.Status is InDialogStatus.NotAnswered or InDialogStatus.Unavailable
                && requestUri is not null && TryAddressOf(requestUri, transport) is { } byUri)
            {
                // The dialog has no callee yet: in a cluster the ACK can overtake the recording of the 2xx it
                // acknowledges (they reach the dialog entity from different members). Never for a Call-ID the
                // cluster does not know: that would relay anyone's ACK to any address (the dlg key is no secret). An ACK
                // for a 2xx has no retransmission of its own, so it goes where its Request-URI points, as any proxy
                // forwards a request whose Route it consumed (RFC 3261 §16.6 step 6, §16.12).
                _client.SendAck(new OutboundRequest(bytes, byUri, branch));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFault(_logger, e, "ACK", request.CallId);
        }
    }

    private async Task OutOfDialogAsync(EdgeServerRequest request)
    {
        var m = request.Message;
        try
        {
            var unsupported = new ArrayBufferWriter<byte>(64);
            var rejection = ProxyRequestValidator.Validate(m, _settings, unsupported);
            if (rejection != ProxyRejection.None)
            {
                var extra = rejection == ProxyRejection.BadExtension
                    ? "Unsupported: " + Encoding.ASCII.GetString(unsupported.WrittenSpan) + "\r\n" + _serverHeader
                    : _serverHeader;
                request.Respond(rejection.StatusCode(), null, extra);
                return;
            }

            var plan = RoutePlan.For(m, _settings);
            if (plan.Error != RoutePlanError.None)
            {
                request.Respond(400, "Bad Route", _serverHeader);
                return;
            }

            if (!await AuthorisedAsync(request).ConfigureAwait(false))
            {
                return;
            }

            List<ProxyTarget> targets;
            string? calleeAor = null;
            DialogStart? dialog = null;
            if (plan.NextHop == NextHopKind.Route)
            {
                // A pre-loaded Route beyond us: one branch towards it (RFC 3261 §16.5: the Request-URI stays).
                targets = [new ProxyTarget(plan.RequestUri ?? m.GetString(m.RequestUriRange), null, null, [], string.Empty, TransportOf(request.Source))];
            }
            else
            {
                var uriText = plan.RequestUri ?? m.GetString(m.RequestUriRange);
                if (!SipUri.TryParse(Encoding.UTF8.GetBytes(uriText), out var uri) || !uri.IsSip)
                {
                    request.Respond(416, null, _serverHeader);
                    return;
                }

                calleeAor = uri.ToAddressOfRecord();

                // The dialog is recorded before the lookup so that a call to an unknown or unreachable user leaves
                // a CDR too (final status 404/480).
                if (m.Method == SipMethod.Invite)
                {
                    dialog = await StartDialogAsync(request, calleeAor).ConfigureAwait(false);
                    if (dialog is null)
                    {
                        return;
                    }
                }

                var found = await _location.LookupAsync(calleeAor, CancellationToken.None).ConfigureAwait(false);
                var refusal = found.Status switch
                {
                    LocationStatus.UnknownUser => _settings.RevealUnknownUsers ? 404 : 480,
                    LocationStatus.NoBindings => 480,
                    LocationStatus.Unavailable => 500,
                    _ => 0,
                };
                if (refusal != 0)
                {
                    request.Respond(refusal, refusal == 500 ? "Location Service Unavailable" : null,
                        refusal == 500 ? "Retry-After: 5\r\n" + _serverHeader : _serverHeader);
                    if (dialog is not null)
                    {
                        _dialogs.Failed(dialog, refusal, CallSide.Proxy);
                    }

                    return;
                }

                targets = [.. found.Targets];
            }

            var fork = ForkPlan.Build(targets);
            var breadth = MaxBreadth.Read(m);
            var shares = new int[fork.Targets.Count];
            for (var g = 0; g < fork.GroupCount; g++)
            {
                var range = fork.BranchesOf(g);
                if (!MaxBreadth.TryAllocate(breadth, _settings.DefaultMaxBreadth, range.End.Value - range.Start.Value, shares.AsSpan(range)))
                {
                    request.Respond(440, "Max-Breadth Exceeded", _serverHeader);
                    if (dialog is not null)
                    {
                        _dialogs.Failed(dialog, 440, CallSide.Proxy);
                    }

                    return;
                }
            }

            var call = new Call(this, request, plan, fork, shares, calleeAor, dialog);
            Interlocked.Increment(ref _forwarded);
            call.Start();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFault(_logger, e, m.Method.ToString(), string.Empty);
            if (!request.Answered)
            {
                request.Respond(500, null, _serverHeader);
            }
        }
    }

    /// <summary>Records the dialog-creating INVITE; null when the dialog store failed and the request was answered 500.</summary>
    private async Task<DialogStart?> StartDialogAsync(EdgeServerRequest request, string calleeAor)
    {
        var m = request.Message;
        var start = new DialogStart(Encoding.UTF8.GetString(m.CallId), KeyOf(m), Encoding.UTF8.GetString(m.FromTag),
            CallerOf(m, request.Source), calleeAor, m.GetString(m.RequestUriRange), SessionExpiresOf(m), _time.GetUtcNow());
        if (!await _dialogs.StartAsync(start, CancellationToken.None).ConfigureAwait(false))
        {
            request.Respond(500, "Dialog Store Unavailable", "Retry-After: 5\r\n" + _serverHeader);
            return null;
        }

        return start;
    }

    /// <summary>RFC 3261 §22.3: false when the request was answered with 407/403/500 instead.</summary>
    private async Task<bool> AuthorisedAsync(EdgeServerRequest request)
    {
        var m = request.Message;
        var decision = ProxyAuthPolicy.Decide(m, request.Source.Remote.Address, _settings);
        if (decision == ProxyAuthDecision.NotRequired)
        {
            return true;
        }

        m.TryGetFrom(out var from);
        var realm = from.Uri.GetHost();
        var verdict = CredentialVerdict.Challenge;
        if (decision == ProxyAuthDecision.Verify)
        {
            m.TryGetValue(SipHeaderId.ProxyAuthorization, out var value);
            verdict = await _credentials!.VerifyAsync(from.Uri.ToAddressOfRecord(), Encoding.ASCII.GetString(m.MethodBytes),
                Encoding.UTF8.GetString(value), request.Source.Remote.ToString(), CancellationToken.None).ConfigureAwait(false);
        }

        switch (verdict)
        {
            case CredentialVerdict.Ok:
                return true;
            case CredentialVerdict.Rejected:
                request.Respond(403, null, _serverHeader);
                return false;
            case CredentialVerdict.Unavailable:
                request.Respond(500, null, "Retry-After: 5\r\n" + _serverHeader);
                return false;
            default:
                var nonce = _nonces!.Issue(_time.GetUtcNow(), realm);
                var stale = verdict == CredentialVerdict.Stale;
                var challenges = new StringBuilder();
                foreach (var algorithm in _settings.ChallengeAlgorithms)
                {
                    challenges.Append("Proxy-Authenticate: ").Append(DigestChallenge.Create(realm, nonce, algorithm, stale: stale).ToHeaderValue()).Append("\r\n");
                }

                request.Respond(407, null, challenges.Append(_serverHeader).ToString());
                return false;
        }
    }

    /// <summary>
    /// Pauses before asking the dialog entity again about an in-dialog request it cannot route yet (6.75 s in all,
    /// longer than a shard hand-off plus one redelivery of the answer, well inside Timer F's 32 s).
    /// </summary>
    internal static readonly TimeSpan[] InDialogRecheck =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)];

    /// <summary>In-dialog requests waiting between rechecks at most at once; beyond it they are answered 481 at once.</summary>
    internal const int MaxRechecking = 1000;

    private int _rechecking;

    /// <summary>
    /// The request names a dialog we record-routed (its Route carries our dlg key), but the entity has no answered
    /// dialog yet: the recording of the 2xx can still be on its way (it is redelivered when a shard hand-off dropped it).
    /// Ask again a few times before answering 481 (RFC 3261 §12.2.2); the client's retransmissions are absorbed by the
    /// server transaction meanwhile. The dlg key is no secret, so the number of requests held this way is bounded.
    /// </summary>
    private async Task<InDialogTarget> RecheckAsync(InDialogRequest lookup, InDialogTarget route)
    {
        if (Interlocked.Increment(ref _rechecking) > MaxRechecking)
        {
            Interlocked.Decrement(ref _rechecking);
            return route;
        }

        try
        {
            for (var i = 0; route.Status is InDialogStatus.NoSuchDialog or InDialogStatus.NotAnswered && i < InDialogRecheck.Length; i++)
            {
                await Task.Delay(InDialogRecheck[i], _time).ConfigureAwait(false);
                route = await _dialogs.RouteAsync(lookup, CancellationToken.None).ConfigureAwait(false);
            }

            return route;
        }
        finally
        {
            Interlocked.Decrement(ref _rechecking);
        }
    }

    private async Task InDialogAsync(EdgeServerRequest request, RoutePlan plan)
    {
        var m = request.Message;
        try
        {
            var rejection = ProxyRequestValidator.Validate(m, _settings, new ArrayBufferWriter<byte>(16));
            if (rejection is ProxyRejection.TooManyHops or ProxyRejection.LoopDetected or ProxyRejection.UnsupportedUriScheme)
            {
                request.Respond(rejection.StatusCode(), null, _serverHeader);
                return;
            }

            var refresh = m.Method is SipMethod.Invite or SipMethod.Update;
            var lookup = InDialogOf(m, request.Source, refresh);
            var bytes = Rewrite(m, plan, new ForwardSpec(null, [], null, null, null));
            if (bytes is null)
            {
                request.Respond(483, null, _serverHeader);
                return;
            }

            var route = await _dialogs.RouteAsync(lookup, CancellationToken.None).ConfigureAwait(false);
            if (route.Status is InDialogStatus.NoSuchDialog or InDialogStatus.NotAnswered)
            {
                route = await RecheckAsync(lookup, route).ConfigureAwait(false);
            }

            switch (route.Status)
            {
                case InDialogStatus.NoSuchDialog or InDialogStatus.NotAnswered or InDialogStatus.Ended:
                    request.Respond(481, null, _serverHeader);
                    return;
                case InDialogStatus.Unavailable:
                    request.Respond(500, null, "Retry-After: 5\r\n" + _serverHeader);
                    return;
            }

            var leg = new InDialogLeg(this, request, lookup.CallId, route.Target!, route.TargetSide, bytes);
            leg.Send(reResolved: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFault(_logger, e, m.Method.ToString(), string.Empty);
            if (!request.Answered)
            {
                request.Respond(500, null, _serverHeader);
            }
        }
    }

    /// <summary>
    /// The flow of <paramref name="party"/> is gone: find its device's current binding by +sip.instance (RFC 5626 §5.3)
    /// and record it, or null when the device has no binding any more.
    /// </summary>
    private async Task<CallParty?> ReResolveAsync(string callId, CallParty party, CallSide side)
    {
        if (party.Instance is null)
        {
            return null;
        }

        var found = await _location.LookupAsync(party.Aor, CancellationToken.None).ConfigureAwait(false);
        foreach (var t in found.Targets)
        {
            if (string.Equals(t.Instance, party.Instance, StringComparison.Ordinal))
            {
                var (token, _) = FlowOf(t);
                var replaced = party with { Contact = t.ContactUri, SourceAddress = t.SourceAddress, Transport = t.Transport, FlowToken = token };
                _dialogs.TargetReplaced(callId, side, replaced);
                return replaced;
            }
        }

        return null;
    }

    private static byte[]? Rewrite(SipMessage m, RoutePlan plan, ForwardSpec spec)
    {
        using var editor = new SipMessageEditor();
        var output = new ArrayBufferWriter<byte>(m.Length + 256);
        return ProxyForwarder.Write(m, plan, spec, editor, output) ? output.WrittenSpan.ToArray() : null;
    }

    private InDialogRequest InDialogOf(SipMessage m, in SipInboundContext source, bool targetRefresh)
    {
        var sender = PartyOf(m, source, string.Empty);
        return new InDialogRequest(Encoding.UTF8.GetString(m.CallId), KeyOf(m), Encoding.UTF8.GetString(m.FromTag), Encoding.UTF8.GetString(m.ToTag),
            sender, targetRefresh, SessionExpiresOf(m));
    }

    private CallParty CallerOf(SipMessage m, in SipInboundContext source)
    {
        m.TryGetFrom(out var from);
        return PartyOf(m, source, from.Uri.ToAddressOfRecord());
    }

    /// <summary>A party as seen in a request or response: its Contact, the packet source, and for streams the flow token.</summary>
    private CallParty PartyOf(SipMessage m, in SipInboundContext source, string aor)
    {
        string contact = string.Empty;
        string? instance = null;
        if (m.TryGetFirstValue<ContactValue>(SipHeaderId.Contact, out var c))
        {
            contact = c.Uri.ToString();
            instance = c.HasInstance ? Encoding.UTF8.GetString(c.Instance) : null;
        }

        var reliable = SipTransportNames.IsReliable(source.Transport);
        return new CallParty(aor, contact, source.Remote.ToString(), TransportOf(source), reliable ? _client.TokenFor(source.Flow) : null, instance,
            UserAgentOf(m), source.TlsPeer?.Sha256Fingerprint);
    }

    private static string? UserAgentOf(SipMessage m) =>
        m.TryGetValue(SipHeaderId.UserAgent, out var ua) || m.TryGetValue(SipHeaderId.Server, out ua) ? Encoding.UTF8.GetString(ua) : null;

    private static CallKey KeyOf(SipMessage m) => new(m.CSeqNumber, Encoding.ASCII.GetString(m.CSeqMethod), Encoding.ASCII.GetString(m.TopViaBranch));

    private static uint? SessionExpiresOf(SipMessage m) =>
        m.TryGetFirstValue<SessionExpiresHeader>(SipHeaderId.SessionExpires, out var se) ? se.DeltaSeconds : null;

    private static string TransportOf(in SipInboundContext source) => source.Transport switch
    {
        SipTransportKind.Tcp => "tcp",
        SipTransportKind.Tls => "tls",
        _ => "udp",
    };

    /// <summary>
    /// The flow to reach a binding: a flow token in the first Path entry when it names this cluster (RFC 5626 §5.3:
    /// the edge put it there at registration), else none.
    /// </summary>
    private (string? Token, List<string> Routes) FlowOf(ProxyTarget target)
    {
        var routes = new List<string>(target.Path.Count);
        string? token = null;
        for (var i = 0; i < target.Path.Count; i++)
        {
            var value = target.Path[i];
            if (i == 0 && RouteAddress.TryParse(Encoding.UTF8.GetBytes(value), out var first, out _) && _settings.IsLocalHost(first.Uri.Host))
            {
                token = first.Uri.HasUser ? first.Uri.GetUser() : null;
                continue;
            }

            routes.Add(value);
        }

        return (token, routes);
    }

    /// <summary>Where a branch goes: its flow, else the next Path hop, else the contact (or the REGISTER's source for a host name).</summary>
    private static SipDestination DestinationFor(ProxyTarget target, string? token, List<string> routes)
    {
        if (token is not null)
        {
            return SipDestination.OnFlow(token);
        }

        var next = routes.Count > 0 ? RoutePlan.UriOf(routes[0]) : target.ContactUri;
        return AddressOf(next, target.SourceAddress, target.Transport);
    }

    private static SipDestination DestinationOf(CallParty party) =>
        party.FlowToken is { } token
            ? SipDestination.OnFlow(token)
            : AddressOf(party.Contact, party.SourceAddress, party.Transport);

    /// <summary>
    /// The URI's IP literal (RFC 3263 §4 needs no lookup for one), else the packet source the binding or request came
    /// from; host names are not resolved here.
    /// </summary>
    private static SipDestination AddressOf(string uriText, string source, string transport)
    {
        var kind = transport switch
        {
            "tcp" => SipTransportKind.Tcp,
            "tls" => SipTransportKind.Tls,
            _ => SipTransportKind.Udp,
        };
        if (SipUri.TryParse(Encoding.UTF8.GetBytes(uriText), out var uri) && IPAddress.TryParse(uri.GetHost().Trim('[', ']'), out var ip))
        {
            var t = uri.Transport;
            if (Ascii.EqualsIgnoreCase(t, "tcp"u8))
            {
                kind = SipTransportKind.Tcp;
            }
            else if (Ascii.EqualsIgnoreCase(t, "tls"u8) || uri.Scheme == SipUriScheme.Sips)
            {
                kind = SipTransportKind.Tls;
            }
            else if (Ascii.EqualsIgnoreCase(t, "udp"u8))
            {
                kind = SipTransportKind.Udp;
            }

            return SipDestination.To(kind, new IPEndPoint(ip, uri.Port ?? (kind == SipTransportKind.Tls ? 5061 : 5060)));
        }

        if (source.Length > 0 && IPEndPoint.TryParse(source, out var from))
        {
            return SipDestination.To(kind, from);
        }

        throw new InvalidOperationException("no address for " + uriText);
    }

    /// <summary>The destination of a URI with an IP literal host, or null (no lookup here: RFC 3263 is not done for a fallback).</summary>
    private static SipDestination? TryAddressOf(string uriText, string transport) =>
        SipUri.TryParse(Encoding.UTF8.GetBytes(uriText), out var uri) && IPAddress.TryParse(uri.GetHost().Trim('[', ']'), out _)
            ? AddressOf(uriText, string.Empty, transport)
            : null;

    private string NextBranch(ulong hash) =>
        LoopDetection.Branch(hash, Interlocked.Increment(ref _branchCounter).ToString("x", CultureInfo.InvariantCulture)
                                   + Random.Shared.Next().ToString("x", CultureInfo.InvariantCulture));

    private static byte[] StripTopVia(SipMessage response)
    {
        using var editor = new SipMessageEditor();
        var output = new ArrayBufferWriter<byte>(response.Length);
        ProxyResponses.WriteWithoutTopVia(response, editor, output);
        return output.WrittenSpan.ToArray();
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Proxy fault on {Method} {CallId}")]
    private static partial void LogFault(ILogger logger, Exception exception, string method, string callId);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Branch {Branch} of {CallId} not started: {Rejection}")]
    private static partial void LogBranchRefused(ILogger logger, int branch, string callId, ClientStartRejection rejection);

    /// <summary>One forked request: the response context, the branch handles and the final responses kept for §16.7.</summary>
    private sealed class Call
    {
        private readonly ProxyHandler _proxy;
        private readonly EdgeServerRequest _request;
        private readonly RoutePlan _plan;
        private readonly ResponseContext _context;
        private readonly int[] _shares;
        private readonly string? _calleeAor;
        private readonly DialogStart? _dialog;
        private readonly ClientTransactionHandle?[] _handles;
        private readonly ProxyTarget[] _targets;
        private readonly byte[]?[] _finals;
        private readonly List<string>?[] _challenges;
        private readonly string?[] _tokens;
        private readonly ulong _hash;
        private readonly bool _invite;
        private bool _branchTimedOut;
        private readonly object _gate = new();
        private ITimer? _groupTimer;
        private bool _done;

        public Call(ProxyHandler proxy, EdgeServerRequest request, RoutePlan plan, ForkPlan fork, int[] shares, string? calleeAor, DialogStart? dialog)
        {
            _dialog = dialog;
            _proxy = proxy;
            _request = request;
            _plan = plan;
            _context = new ResponseContext(fork);
            _shares = shares;
            _calleeAor = calleeAor;
            _targets = [.. fork.Targets];
            _handles = new ClientTransactionHandle?[_targets.Length];
            _finals = new byte[]?[_targets.Length];
            _challenges = new List<string>?[_targets.Length];
            _tokens = new string?[_targets.Length];
            _hash = LoopDetection.RequestHash(request.Message);
            _invite = request.Message.Method == SipMethod.Invite;
            CallId = Encoding.UTF8.GetString(request.Message.CallId);
        }

        public string CallId { get; }

        private bool Dialog => _dialog is not null;

        public void Start()
        {
            lock (_gate)
            {
                if (_invite)
                {
                    _request.Cancelled.Register(() =>
                    {
                        lock (_gate)
                        {
                            Apply(_context.OnCallerCancel(), -1, null, 0);
                        }
                    });
                }

                // A CANCEL that came while the target set was being looked up has already been answered 487:
                // fork nothing (RFC 3261 §16.10).
                if (_context.Finished)
                {
                    return;
                }

                Apply(_context.Start(), -1, null, 0);
            }
        }

        private void StartBranch(int i)
        {
            var m = _request.Message;
            var target = _targets[i];
            var (token, routes) = _proxy.FlowOf(target);
            _tokens[i] = token;
            string? recordRoute = null;
            if (Dialog)
            {
                var inbound = TransportOf(_request.Source);
                recordRoute = RecordRoute.ValueFor(_proxy._settings, inbound, target.Transport.Length > 0 ? target.Transport : inbound,
                    RecordRoute.DialogKey(m.CallId));
            }

            var uri = _calleeAor is null ? null : target.ContactUri;
            var bytes = Rewrite(m, _plan, new ForwardSpec(uri, routes, null, recordRoute, _shares[i]));
            if (bytes is null)
            {
                Apply(_context.OnBranchTimeout(i), i, null, 0);
                return;
            }

            var destination = DestinationFor(target, token, routes);
            var started = _proxy._client.Start(new OutboundRequest(bytes, destination, _proxy.NextBranch(_hash)), new Observer(this, i));
            if (!started.Started && destination.FlowToken is not null && target.SourceAddress.Length > 0)
            {
                // The flow is held by another edge or is unreadable: over UDP the binding's address still reaches it.
                _tokens[i] = null;
                started = _proxy._client.Start(new OutboundRequest(bytes, AddressOf(target.ContactUri, target.SourceAddress, target.Transport),
                    _proxy.NextBranch(_hash)), new Observer(this, i));
            }

            if (!started.Started)
            {
                LogBranchRefused(_proxy._logger, i, CallId, started.Rejection);
                Apply(_context.OnBranchTimeout(i), i, null, 0);
                return;
            }

            _handles[i] = started.Transaction;
            if (Dialog)
            {
                _proxy._dialogs.BranchForked(CallId, i, target.ContactUri, target.Instance);
            }
        }

        public void OnEvent(int branch, ClientTransactionEvent e)
        {
            lock (_gate)
            {
                switch (e)
                {
                    case ClientResponseReceived r:
                        OnResponse(branch, r);
                        break;
                    case ClientTransactionFailed f:
                        _branchTimedOut |= f.Reason == ClientTransactionFailure.Timeout;
                        Apply(_context.OnBranchTimeout(branch), branch, null, 0);
                        break;
                }
            }
        }

        private void OnResponse(int branch, ClientResponseReceived r)
        {
            var status = r.StatusCode;
            var response = r.Response;
            var stripped = status == 100 ? null : StripTopVia(response);
            if (status >= 200 && status < 300 && Dialog)
            {
                _proxy._dialogs.Answered(_dialog!, branch, Encoding.UTF8.GetString(response.ToTag), CalleeOf(branch, r), SessionExpiresOf(response));
            }
            else if (status > 100 && status < 200 && Dialog)
            {
                _proxy._dialogs.Provisional(CallId, branch, status, response.ToTag.IsEmpty ? null : Encoding.UTF8.GetString(response.ToTag));
            }
            else if (status >= 300)
            {
                _branchTimedOut |= status == 408;
                _finals[branch] = stripped;
                if (status is 401 or 407)
                {
                    _challenges[branch] = ChallengesOf(response);
                }
            }

            Apply(_context.OnResponse(branch, status), branch, stripped, status);
        }

        private CallParty CalleeOf(int branch, ClientResponseReceived r)
        {
            var m = r.Response;
            var target = _targets[branch];
            var contact = m.TryGetFirstValue<ContactValue>(SipHeaderId.Contact, out var c) ? c.Uri.ToString() : target.ContactUri;
            var flow = r.Transaction.Flow;
            var source = flow?.Remote.ToString() ?? target.SourceAddress;
            var token = _tokens[branch] ?? (flow is { } f && SipTransportNames.IsReliable(f.Transport) ? _proxy._client.TokenFor(f) : null);
            return new CallParty(_calleeAor!, contact, source, target.Transport, token, target.Instance, UserAgentOf(m), null);
        }

        private static List<string> ChallengesOf(SipMessage response)
        {
            var lines = new List<string>();
            foreach (var h in response.Headers)
            {
                if (h.Id is SipHeaderId.WwwAuthenticate or SipHeaderId.ProxyAuthenticate)
                {
                    lines.Add(Encoding.ASCII.GetString(SipHeaderTable.GetName(h.Id)) + ": " + response.GetString(h.Value));
                }
            }

            return lines;
        }

        private void Apply(ProxyStep step, int branch, byte[]? response, int status)
        {
            foreach (var i in step.Cancel)
            {
                if (_invite && _handles[i] is { } handle)
                {
                    _proxy._client.Cancel(handle, _context.Answered ? CompletedElsewhere : null);
                }
            }

            if (step.ArmGroupTimer >= 0)
            {
                _groupTimer?.Dispose();
                _groupTimer = null;
                if (_invite && step.ArmGroupTimer + 1 < _context.Plan.GroupCount)
                {
                    var group = step.ArmGroupTimer;
                    _groupTimer = _proxy._time.CreateTimer(_ => OnGroupTimeout(group), null, _proxy._settings.ForkGroupTimeout, Timeout.InfiniteTimeSpan);
                }
            }

            foreach (var i in step.Start)
            {
                StartBranch(i);
            }

            if (step.ForwardResponse && response is not null)
            {
                _request.Forward(status, response);
                if (status >= 200)
                {
                    Finish(status >= 300 ? status : 0, CallSide.Callee);
                }
            }

            if (step.Final is { } final)
            {
                SendFinal(final);
            }
        }

        private void OnGroupTimeout(int group)
        {
            lock (_gate)
            {
                Apply(_context.OnGroupTimeout(group), -1, null, 0);
            }
        }

        private void SendFinal(FinalChoice final)
        {
            if (final.StatusCode == 408 && !_invite)
            {
                // RFC 4320 §4.2: never a 408 to a non-INVITE request. A branch timed out (Timer F) or answered 408: no
                // response at all (the client's own Timer F ends it). Every branch failed at once (transport, flow,
                // refused): 500 (RFC 3261 §16.9 counts those as 503, which §16.7 step 6 turns into 500).
                if (_branchTimedOut)
                {
                    _request.GiveUp(_proxy._serverHeader);
                }
                else
                {
                    _request.Respond(500, null, _proxy._serverHeader);
                }
            }
            else if (final.Branch >= 0 && _finals[final.Branch] is { } bytes)
            {
                if (final.ChallengeBranches.Length > 1)
                {
                    bytes = Aggregate(bytes, final);
                }

                _request.Forward(final.StatusCode, bytes);
            }
            else
            {
                _request.Respond(final.StatusCode, null, _proxy._serverHeader);
            }

            var by = _context.Cancelled ? CallSide.Caller : final.Branch >= 0 ? CallSide.Callee : CallSide.Proxy;
            Finish(final.StatusCode, by);
        }

        /// <summary>RFC 3261 §16.7 step 7: every branch's WWW-/Proxy-Authenticate goes into the one 401/407 sent upstream.</summary>
        private byte[] Aggregate(byte[] best, FinalChoice final)
        {
            var parsed = SipParser.ParseDatagram(best);
            using var message = parsed.Message;
            if (message is null)
            {
                return best;
            }

            using var editor = new SipMessageEditor();
            editor.Begin(message);
            foreach (var i in final.ChallengeBranches)
            {
                if (i == final.Branch || _challenges[i] is not { } lines)
                {
                    continue;
                }

                foreach (var line in lines)
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    editor.AddHeader(Encoding.ASCII.GetBytes(line[..colon]), Encoding.UTF8.GetBytes(line[(colon + 2)..]));
                }
            }

            if (final.StatusCode == 407 && message.StatusCode == 401)
            {
                return Relabel(editor.ToArray(), 407);
            }

            return editor.ToArray();
        }

        private static byte[] Relabel(byte[] response, int status)
        {
            var text = Encoding.UTF8.GetString(response);
            var firstLineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
            return Encoding.UTF8.GetBytes("SIP/2.0 " + status.ToString(CultureInfo.InvariantCulture) + " Proxy Authentication Required" + text[firstLineEnd..]);
        }

        private void Finish(int failureStatus, CallSide by)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _groupTimer?.Dispose();
            if (Dialog && failureStatus >= 300)
            {
                _proxy._dialogs.Failed(_dialog!, failureStatus, by);
            }
        }
    }

    /// <summary>
    /// An initial INVITE counted in <see cref="CallsSettingUp"/>: every final response of its server transaction passes
    /// through here (the proxy's own answers, forwarded finals, 487 after CANCEL, 408 after the branches time out), and
    /// the first one, or a response refused because one was already given, gives the slot back exactly once.
    /// </summary>
    private sealed class SettingUp(ProxyHandler proxy, EdgeServerRequest inner) : EdgeServerRequest
    {
        private int _released;

        public override SipMessage Message => inner.Message;

        public override SipInboundContext Source => inner.Source;

        public override string ToTag => inner.ToTag;

        public override CancellationToken Cancelled => inner.Cancelled;

        public override bool Answered => inner.Answered;

        public override ServerRespondResult Respond(int status, string? reasonPhrase = null, string? extraHeaders = null,
            string? contentType = null, ReadOnlyMemory<byte> body = default) =>
            Released(status, inner.Respond(status, reasonPhrase, extraHeaders, contentType, body));

        public override ServerRespondResult Forward(int status, ReadOnlyMemory<byte> response) => Released(status, inner.Forward(status, response));

        public override ServerRespondResult GiveUp(string? extraHeaders = null) => Released(408, inner.GiveUp(extraHeaders));

        private ServerRespondResult Released(int status, ServerRespondResult result)
        {
            if ((status >= 200 || result == ServerRespondResult.AlreadyFinal) && result != ServerRespondResult.InvalidStatus
                && Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref proxy._settingUp);
            }

            return result;
        }
    }

    private sealed class Observer(Call call, int branch) : IClientTransactionObserver
    {
        public void OnEvent(ClientTransactionEvent transactionEvent) => call.OnEvent(branch, transactionEvent);
    }

    /// <summary>One in-dialog request forwarded to the other party; responses go straight back (no forking).</summary>
    private sealed class InDialogLeg(ProxyHandler proxy, EdgeServerRequest request, string callId, CallParty target, CallSide side, byte[] bytes)
        : IClientTransactionObserver
    {
        private readonly bool _invite = request.Message.Method == SipMethod.Invite;
        private CallParty _target = target;
        private bool _reResolved;

        public void Send(bool reResolved)
        {
            _reResolved = reResolved;
            var started = proxy._client.Start(new OutboundRequest(bytes, DestinationOf(_target), proxy.NextBranch(LoopDetection.RequestHash(request.Message))), this);
            if (!started.Started)
            {
                _ = RecoverAsync();
            }
        }

        public void OnEvent(ClientTransactionEvent transactionEvent)
        {
            switch (transactionEvent)
            {
                case ClientResponseReceived { StatusCode: 408 } when !_invite:
                    // RFC 4320 §4.2: a 408 is not passed on to a non-INVITE request; its client's Timer F ends it.
                    request.GiveUp(proxy._serverHeader);
                    break;
                case ClientResponseReceived r when r.StatusCode > 100:
                    request.Forward(r.StatusCode, StripTopVia(r.Response));
                    break;
                case ClientTransactionFailed { Reason: ClientTransactionFailure.FlowGone or ClientTransactionFailure.ConnectFailed }:
                    _ = RecoverAsync();
                    break;
                case ClientTransactionFailed { Reason: ClientTransactionFailure.Timeout }:
                    // Timer B/F: 408 to a re-INVITE, nothing to a BYE, INFO, UPDATE... (RFC 4320 §4.2).
                    request.GiveUp(proxy._serverHeader);
                    break;
                case ClientTransactionFailed:
                    // The transport refused the request: as a 503 from the other party, which goes up as 500 (§16.9).
                    request.Respond(500, null, proxy._serverHeader);
                    break;
            }
        }

        /// <summary>RFC 5626 §5.3: the flow is gone; another flow of the same device may still reach it.</summary>
        private async Task RecoverAsync()
        {
            var replaced = _reResolved ? null : await proxy.ReResolveAsync(callId, _target, side).ConfigureAwait(false);
            if (replaced is null)
            {
                request.Respond(480, "Flow Failed", proxy._serverHeader);
                return;
            }

            _target = replaced;
            Send(reResolved: true);
        }
    }
}
