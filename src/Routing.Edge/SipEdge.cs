using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Edge;

/// <summary>What the edge did with one inbound message.</summary>
public enum EdgeOutcome
{
    /// <summary>Answered with a response (statelessly, or through its new server transaction).</summary>
    Answered,
    /// <summary>Deliberately left without an answer (see <see cref="SipDropCause"/>).</summary>
    Dropped,
    /// <summary>Absorbed by a transaction: a retransmission (the last response re-sent), or an ACK.</summary>
    Absorbed,
    /// <summary>A server transaction was created and a TU holds the request; the answer comes later.</summary>
    Pending,
    /// <summary>A response matched a client transaction.</summary>
    Matched,
}

/// <summary>
/// The ingress pipeline: parse outcome in, transactions and responses out. Every request that parses goes through a
/// server transaction of the edge's single <see cref="TransactionTable{TMessage}"/> (RFC 3261 §17.2, RFC 6026):
/// retransmissions are absorbed (the last response re-sent), the ACK of a non-2xx is absorbed, CANCEL is matched
/// (§9.2), a merged request gets 482 (§8.2.2.2). Only requests refused before a transaction exists are answered
/// statelessly. TUs (<see cref="IEdgeRequestHandler"/>: registrar, proxy) are asked first; what none of them takes is
/// answered here:
/// <code>
///   parse rejected ─ answerable? ── yes → 400/413/416/420/505/513, stateless                    (§8.2, §21)
///                                └─ no  → drop
///   response ──────────────────────────→ its client transaction, or drop                        (§17.1.3, §18.1.2)
///   ACK ───────────────────────────────→ absorbed by its INVITE transaction, or dropped         (§17.2.3)
///   merged request ────────────────────→ 482, stateless                                         (§8.2.2.2)
///   CANCEL ────────────────────────────→ 200 + 487 to a pending INVITE; 200 if answered; 481    (§9.2)
///   OPTIONS for the node ── Require? ──→ 420 with Unsupported                                   (§8.2.2.3)
///                        └─────────────→ 200 with Allow, Accept, Accept-Encoding, Accept-Language, Supported (§11.2)
///   a TU takes it ─────────────────────→ the TU answers through the transaction
///   To tag present ────────────────────→ 481, no such dialog                                    (§12.2.2)
///   Max-Forwards 0, not for the node ──→ 483                                                    (§16.3 step 3)
///   Request-URI outside our domains ───→ 403, the node is no open relay
///   user in our domain or at the node ─→ 404, no location service yet                           (§21.4.5)
///   known method, not served yet ──────→ 405 with Allow                                         (§8.2.1)
///   unknown method ────────────────────→ 501                                                    (§21.5.2)
/// </code>
/// One owner runs the table: the loop started by <see cref="Start"/> (receive loops and TUs post to it; a timer from
/// the <see cref="TimeProvider"/> posts ticks that call <see cref="TransactionTable{TMessage}.Advance"/>). Tests may
/// instead drive it from their own thread with <see cref="Handle"/>, <see cref="RunPending"/> and <see cref="Tick"/>.
/// </summary>
public sealed partial class SipEdge : ISipInboundHandler, ISipClient, IAsyncDisposable
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_response;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_patched;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_unsupported;

    private readonly EdgeOptions _options;
    private readonly EdgeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly byte[] _capabilityHeaders;
    private readonly byte[] _allowHeader;
    private readonly byte[] _serverHeader;
    private readonly HashSet<string> _supported;
    private readonly IEdgeRequestHandler[] _handlers;
    private int _queuedInbound;

    public SipEdge(EdgeOptions options, EdgeMetrics metrics, ILogger<SipEdge> logger)
        : this(options, metrics, logger, new EdgeRuntime())
    {
    }

    public SipEdge(EdgeOptions options, EdgeMetrics metrics, ILogger<SipEdge> logger, EdgeRuntime runtime)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        ArgumentNullException.ThrowIfNull(runtime);
        _serverHeader = Encoding.ASCII.GetBytes("Server: " + options.ServerName + "\r\n");
        var methods = new List<string>(options.AllowedMethods.Count);
        foreach (var m in options.AllowedMethods)
        {
            methods.Add(Encoding.ASCII.GetString(m.ToBytes()));
        }

        _allowHeader = Encoding.ASCII.GetBytes("Allow: " + string.Join(", ", methods) + "\r\n" + "Server: " + options.ServerName + "\r\n");
        _supported = new HashSet<string>(options.SupportedOptionTags, StringComparer.OrdinalIgnoreCase);
        var capabilities = new StringBuilder();
        capabilities.Append("Allow: ").Append(string.Join(", ", methods)).Append("\r\n");
        capabilities.Append("Accept: ").Append(string.Join(", ", options.AcceptedContentTypes)).Append("\r\n");
        // RFC 3261 §20.2/§20.3: identity encoding only, and the language the reason phrases are in.
        capabilities.Append("Accept-Encoding: identity\r\n");
        capabilities.Append("Accept-Language: en\r\n");
        capabilities.Append("Supported: ").Append(string.Join(", ", options.SupportedOptionTags)).Append("\r\n");
        capabilities.Append("Server: ").Append(options.ServerName).Append("\r\n");
        _capabilityHeaders = Encoding.ASCII.GetBytes(capabilities.ToString());
        _handlers = [.. runtime.Handlers];
        _time = runtime.TimeProvider;
        _resolution = runtime.Transactions.TimerResolution;
        _unansweredLimit = runtime.Transactions.T1 * 64;
        _flows = runtime.Flows;
        _tokens = runtime.FlowTokens;
        _output = new Output(this);
        // Completed non-INVITE server transactions over UDP are kept by the edge as bytes (CompletedServerTransactions).
        _table = new TransactionTable<EdgeMessage>(_output, _time, runtime.Transactions with { LingerCompletedNonInviteServer = false });
        _completed = new CompletedServerTransactions(runtime.Transactions.T1 * 64);
        _detectMerged = runtime.Transactions.DetectMergedRequests;
        _metrics.AttachTransactions(_table.Counters, () => LiveTransactions, () => Volatile.Read(ref _completedCount));
        _work = System.Threading.Channels.Channel.CreateUnbounded<Work>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    }

    internal byte[] DefaultExtraHeaders => _serverHeader;

    /// <summary>
    /// Live transactions (read from any thread; updated by the owner): those of the table and the completed non-INVITE
    /// ones over UDP the edge keeps as bytes.
    /// </summary>
    public int LiveTransactions => Volatile.Read(ref _liveTransactions) + Volatile.Read(ref _completedCount);

    /// <summary>Retransmission and lifecycle counters of the table (slightly stale when read off the owner thread).</summary>
    public TransactionCounters TransactionCounters => _table.Counters;

    /// <summary>Hands a received message to the transaction loop; the loop owns and disposes it.</summary>
    public void OnMessage(in SipParseResult parsed, in SipInboundContext context)
    {
        // The loop's channel also carries responses, ticks and client work, which must never be dropped, so it is
        // unbounded; network input alone is bounded here.
        if (Interlocked.Increment(ref _queuedInbound) > _options.MaxQueuedInbound)
        {
            Interlocked.Decrement(ref _queuedInbound);
            _metrics.Dropped(SipDropCause.Overload);
            parsed.Message?.Dispose();
            return;
        }

        if (!_work.Writer.TryWrite(new InboundWork(parsed, context)))
        {
            Interlocked.Decrement(ref _queuedInbound);
            parsed.Message?.Dispose();
        }
    }

    /// <summary>
    /// Handles one parse outcome now, on the calling thread, which must be the table's owner (the loop, or a test
    /// that never started it). Takes ownership of <see cref="SipParseResult.Message"/>.
    /// </summary>
    public EdgeOutcome Handle(in SipParseResult parsed, in SipInboundContext context)
    {
        var previous = t_owner;
        t_owner = this;
        try
        {
            var outcome = HandleCore(parsed, context);
            FlushTransportErrors();
            return outcome;
        }
        finally
        {
            t_owner = previous;
        }
    }

    private EdgeOutcome HandleCore(in SipParseResult parsed, in SipInboundContext context)
    {
        if (parsed.Status == SipParseStatus.Rejected)
        {
            try
            {
                return HandleRejection(parsed, context);
            }
            finally
            {
                parsed.Message?.Dispose();
            }
        }

        var message = parsed.Message;
        if (parsed.Status != SipParseStatus.Message || message is null)
        {
            message?.Dispose();
            return EdgeOutcome.Dropped;
        }

        return message.IsResponse ? HandleResponse(message) : HandleRequest(message, context);
    }

    private EdgeOutcome HandleRequest(SipMessage request, in SipInboundContext context)
    {
        _metrics.RequestReceived(request.Method);
        if (!TopVia.TryRead(request, out var via))
        {
            _metrics.Dropped(SipDropCause.Unanswerable);
            request.Dispose();
            return EdgeOutcome.Dropped;
        }

        var info = ServerInfo(request, via);
        if (context.Transport == SipTransportKind.Udp && !info.IsAck && TryCompleted(request, context, via, info) is { } settled)
        {
            return settled;
        }

        if (Draining && RefusedWhileDraining(request, info))
        {
            request.Dispose();
            return EdgeOutcome.Dropped;
        }

        var received = EdgeMessage.Received(request);
        var destination = context.Transport == SipTransportKind.Udp ? via.ResponseDestination(context.Remote) : context.Remote;
        var server = new ServerTransactionContext(this, received, context, info, destination);
        var answeredBefore = _responsesSent;
        var result = _table.ReceiveRequest(info, received, SipTransportNames.IsReliable(context.Transport), server);
        switch (result.Outcome)
        {
            case ServerRequestOutcome.Created:
                if (_responsesSent != answeredBefore)
                {
                    return EdgeOutcome.Answered;
                }

                // Answered but the send failed (counted as SendFailed; the transaction ends on the transport error).
                return server.Answered ? EdgeOutcome.Dropped : EdgeOutcome.Pending;
            case ServerRequestOutcome.Retransmission:
                received.Release();
                return EdgeOutcome.Absorbed;
            case ServerRequestOutcome.AckAbsorbed:
            case ServerRequestOutcome.AckPassedToTu:
                received.Release();
                return EdgeOutcome.Absorbed;
            case ServerRequestOutcome.MergedRequest:
                try
                {
                    // RFC 3261 §8.2.2.2: answered without a transaction; a retransmission is answered the same way.
                    return RespondStateless(request, context, 482, default);
                }
                finally
                {
                    received.Release();
                }

            default:
                try
                {
                    if (OfferAck(request, context))
                    {
                        return EdgeOutcome.Absorbed;
                    }

                    _metrics.Dropped(SipDropCause.AckWithoutTransaction);
                    return EdgeOutcome.Dropped;
                }
                finally
                {
                    received.Release();
                }
        }
    }

    /// <summary>
    /// A request that belongs to a completed non-INVITE server transaction the edge keeps as bytes: a retransmission
    /// gets the final response again (RFC 3261 §17.2.2, nothing after an abandoned one, RFC 4320 §4.2), and a merged
    /// copy of its request gets 482 (§8.2.2.2), as they would from the transaction itself. Null for any other request.
    /// </summary>
    private EdgeOutcome? TryCompleted(SipMessage request, in SipInboundContext context, in TopVia via, in ServerRequestInfo info)
    {
        if (_completed.TryFind(info, out var response))
        {
            _table.Counters.RetransmissionReceived(TransactionKind.NonInviteServer);
            if (!response.IsEmpty)
            {
                if (context.Sender.Send(response, via.ResponseDestination(context.Remote)))
                {
                    _table.Counters.RetransmissionSent(TransactionKind.NonInviteServer);
                }
                else
                {
                    _metrics.Dropped(SipDropCause.SendFailed);
                }
            }

            request.Dispose();
            return EdgeOutcome.Absorbed;
        }

        if (_detectMerged && _completed.HoldsMergeKey(info))
        {
            try
            {
                return RespondStateless(request, context, 482, default);
            }
            finally
            {
                request.Dispose();
            }
        }

        return null;
    }

    private bool OfferAck(SipMessage ack, in SipInboundContext context)
    {
        if (_handlers.Length == 0)
        {
            return false;
        }

        var target = RequestTargets.Classify(ack.Memory.Slice(ack.RequestUriRange.Start, ack.RequestUriRange.Length), context.Local.Address, _options);
        foreach (var handler in _handlers)
        {
            if (handler is IEdgeAckHandler acks && acks.TryHandleAck(ack, context, target))
            {
                return true;
            }
        }

        return false;
    }

    private static ServerRequestInfo ServerInfo(SipMessage request, in TopVia via)
    {
        var method = MethodNames.Of(request);
        var branch = request.TopViaBranchRange.Length > 0 ? Encoding.ASCII.GetString(request.TopViaBranch) : null;
        var cookie = TransactionMethods.HasMagicCookie(branch);
        var viaIndex = request.IndexOf(SipHeaderId.Via);
        return new ServerRequestInfo(
            method,
            cookie ? string.Empty : Encoding.UTF8.GetString(request.RequestUri),
            branch,
            new SentBy(Encoding.ASCII.GetString(via.Host), via.Port),
            cookie ? string.Empty : Encoding.UTF8.GetString(request.GetValue(request.Headers[viaIndex])),
            Encoding.UTF8.GetString(request.CallId),
            request.FromTagRange.Length > 0 ? Encoding.UTF8.GetString(request.FromTag) : null,
            request.ToTagRange.Length > 0 ? Encoding.UTF8.GetString(request.ToTag) : null,
            (uint)Math.Max(0, request.CSeqNumber),
            MethodNames.CSeqOf(request));
    }

    /// <summary>The TU side of a new server transaction: CANCEL, the node's own OPTIONS, the TUs, then the defaults.</summary>
    private void Dispatch(ServerTransactionContext server)
    {
        var request = server.Message;
        if (request.Method == SipMethod.Cancel)
        {
            AnswerCancel(server);
            return;
        }

        var target = RequestTargets.Classify(request.Memory.Slice(request.RequestUriRange.Start, request.RequestUriRange.Length), server.Source.Local.Address, _options);
        if (request.Method == SipMethod.Options && target == RequestTarget.Node && request.ToTag.IsEmpty)
        {
            AnswerOptions(server);
            return;
        }

        foreach (var handler in _handlers)
        {
            if (handler.TryHandle(server, target))
            {
                return;
            }
        }

        if (!request.ToTag.IsEmpty)
        {
            server.Respond(481, default, _serverHeader);
            return;
        }

        if (request.MaxForwards == 0 && target != RequestTarget.Node)
        {
            server.Respond(483, default, _serverHeader);
            return;
        }

        if (target == RequestTarget.Foreign)
        {
            server.Respond(403, "Relaying Forbidden"u8, _serverHeader);
        }
        else if (request.Method == SipMethod.Extension)
        {
            server.Respond(501, default, _serverHeader);
        }
        else if (IsAllowed(request.Method) || request.Method == SipMethod.Message)
        {
            // No location service yet: no user is known here (a MESSAGE included, until the proxy routes it).
            server.Respond(404, default, _serverHeader);
        }
        else
        {
            server.Respond(405, default, _allowHeader);
        }
    }

    private void AnswerCancel(ServerTransactionContext cancel)
    {
        // RFC 3261 §9.2: 200 when the CANCEL matches a transaction, 481 when not; a pending INVITE then gets 487.
        var match = _table.FindCancelTarget(cancel.Info);
        cancel.Respond(CancelMatching.CancelResponseStatus(match.Outcome), default, _serverHeader);
        if (match.Outcome == CancelOutcome.CancelPending && match.Invite?.Context is ServerTransactionContext invite)
        {
            invite.SignalCancelled();
            if (!invite.HandlesCancel)
            {
                invite.Respond(487, default, _serverHeader);
            }
        }
    }

    private void AnswerOptions(ServerTransactionContext server)
    {
        // RFC 3261 §8.2.2.3: an option tag in Require that the node does not support gets 420 listing it.
        var unsupported = t_unsupported ??= new ArrayBufferWriter<byte>(128);
        unsupported.ResetWrittenCount();
        unsupported.Write("Unsupported: "u8);
        if (SipMessageChecks.TryFindUnsupportedOptions(server.Message, SipHeaderId.Require, _supported, unsupported))
        {
            unsupported.Write("\r\n"u8);
            unsupported.Write(_serverHeader);
            server.Respond(420, default, unsupported.WrittenSpan);
            return;
        }

        server.Respond(200, default, _capabilityHeaders);
    }

    private EdgeOutcome HandleRejection(in SipParseResult parsed, in SipInboundContext context)
    {
        var rejection = parsed.Rejection;
        _metrics.ParseRejected(rejection.Reason);
        LogRejected(_logger, rejection.Reason, rejection.Offset, context.Transport, context.Remote);
        var request = parsed.Message;
        if (rejection.Action != SipRejectionAction.Reject || request is null || !request.IsRequest || !request.HasUsableTopVia
            || request.Method == SipMethod.Ack)
        {
            _metrics.Dropped(SipDropCause.Unanswerable);
            return EdgeOutcome.Dropped;
        }

        var status = rejection.StatusCode!.Value;
        var phrase = Encoding.ASCII.GetBytes(rejection.Reason.ToReasonPhrase());
        return RespondStateless(request, context, status, phrase);
    }

    /// <summary>A response without a transaction: parse rejections and merged requests (RFC 3261 §8.2.7, §16.11).</summary>
    private EdgeOutcome RespondStateless(SipMessage request, in SipInboundContext context, int status, ReadOnlySpan<byte> phrase)
    {
        if (!TopVia.TryRead(request, out var via))
        {
            _metrics.Dropped(SipDropCause.Unanswerable);
            return EdgeOutcome.Dropped;
        }

        var destination = context.Transport == SipTransportKind.Udp ? via.ResponseDestination(context.Remote) : context.Remote;
        var output = t_response ??= new ArrayBufferWriter<byte>(1024);
        output.ResetWrittenCount();
        var patched = t_patched ??= new ArrayBufferWriter<byte>(256);
        patched.ResetWrittenCount();
        if (via.NeedsAnnotation(context.Remote.Address))
        {
            via.WriteAnnotatedLine(request, context.Remote, patched);
        }

        // RFC 3261 §8.2.7: a stable To tag, so a retransmission is rejected with the same response.
        var tag = Encoding.ASCII.GetBytes(StatelessReject.ToTagFor(
            request.TopViaBranchRange.Length > 0 ? Encoding.ASCII.GetString(request.TopViaBranch) : null,
            Encoding.UTF8.GetString(request.CallId),
            request.FromTagRange.Length > 0 ? Encoding.UTF8.GetString(request.FromTag) : null,
            (uint)Math.Max(0, request.CSeqNumber)));
        SipResponseBuilder.Write(request, status, phrase, tag, output, _serverHeader, topViaLine: patched.WrittenSpan);

        if (!context.Sender.Send(output.WrittenSpan, destination))
        {
            _metrics.Dropped(SipDropCause.SendFailed);
            return EdgeOutcome.Dropped;
        }

        _metrics.ResponseSent(request.Method, status);
        return EdgeOutcome.Answered;
    }

    private bool IsAllowed(SipMethod method)
    {
        foreach (var m in _options.AllowedMethods)
        {
            if (m == method)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "SIP message rejected: {Reason} at byte {Offset} from {Transport} {Remote}")]
    private static partial void LogRejected(ILogger logger, SipRejectionReason reason, int offset, SipTransportKind transport, IPEndPoint remote);
}
