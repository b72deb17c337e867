namespace Routing.Sip.Transactions;

/// <summary>
/// Owns the live transactions of one element: finds the transaction for each message (RFC 3261 §17.1.3, §17.2.3,
/// §9.2, §8.2.2.2), applies inputs to the pure machines, carries out their actions through
/// <see cref="ITransactionOutput{TMessage}"/>, runs their timers on a <see cref="TimerWheel{T}"/>, and removes them
/// when they terminate.
/// </summary>
/// <remarks>
/// Single-threaded by design: one owner (an actor, or a transport loop) calls every method, including
/// <see cref="Advance"/>, which it should call every <see cref="TransactionOptions.TimerResolution"/> or so. Time is
/// read only from the <see cref="TimeProvider"/> given to the constructor.
/// </remarks>
public sealed class TransactionTable<TMessage>
    where TMessage : class
{
    private readonly ITransactionOutput<TMessage> _output;
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;
    private readonly TransactionOptions _options;
    private readonly TransactionTimerValues _unreliable;
    private readonly TransactionTimerValues _reliable;
    private readonly TimerWheel<TimerPayload> _wheel;
    private readonly Dictionary<ClientTransactionKey, Transaction<TMessage>> _clients = [];
    private readonly Dictionary<ServerTransactionKey, Transaction<TMessage>> _servers = [];
    private readonly Dictionary<Rfc2543TransactionKey, Transaction<TMessage>> _rfc2543Servers = [];
    private readonly Dictionary<MergedRequestKey, Transaction<TMessage>> _mergeIndex = [];

    public TransactionTable(ITransactionOutput<TMessage> output, TimeProvider timeProvider, TransactionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options ?? TransactionOptions.Default;
        _unreliable = TransactionTimerValues.ForUnreliable(_options);
        _reliable = TransactionTimerValues.ForReliable(_options);
        _output = output;
        _timeProvider = timeProvider;
        _startTimestamp = timeProvider.GetTimestamp();
        _wheel = new TimerWheel<TimerPayload>(_options.TimerResolution);
    }

    /// <summary>Time since the table was created, from the <see cref="TimeProvider"/>; the clock of every timer.</summary>
    public TimeSpan Now => _timeProvider.GetElapsedTime(_startTimestamp);

    /// <summary>Live transactions.</summary>
    public int LiveCount { get; private set; }

    /// <summary>Live timers.</summary>
    public int TimerCount => _wheel.Count;

    public TransactionCounters Counters { get; } = new();

    /// <summary>Fires every timer due by <see cref="Now"/>; returns how many fired.</summary>
    public int Advance() => _wheel.Advance(Now, new WheelHandler(this));

    /// <summary>
    /// Creates a client transaction for <paramref name="request"/> and sends it (RFC 3261 §17.1). The key is the
    /// branch the caller put in its top Via and the request method. ACK never has a client transaction.
    /// </summary>
    /// <exception cref="ArgumentException">The method is ACK.</exception>
    /// <exception cref="InvalidOperationException">A live client transaction has the same key (the branch was not unique).</exception>
    public Transaction<TMessage> StartClient(ClientTransactionKey key, TMessage request, bool reliable, object? context = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TransactionMethods.IsAck(key.Method))
        {
            throw new ArgumentException("ACK is sent without a client transaction (RFC 3261 §17.1.1.3, §13.2.2.4).", nameof(key));
        }

        var kind = TransactionMethods.IsInvite(key.Method) ? TransactionKind.InviteClient : TransactionKind.NonInviteClient;
        var tx = new Transaction<TMessage>(TransactionState.Create(kind, TimersFor(reliable)), request, context) { ClientKey = key };
        if (!_clients.TryAdd(key, tx))
        {
            throw new InvalidOperationException($"A client transaction with key {key} is already live; branches must be unique (RFC 3261 §8.1.1.7).");
        }

        Counters.Create(kind);
        LiveCount++;
        Run(tx, TransactionInput.SendRequest, Now, request);
        return tx;
    }

    /// <summary>
    /// Matches a response to its client transaction by top Via branch and CSeq method (RFC 3261 §17.1.3) and applies it.
    /// </summary>
    public ClientResponseOutcome ReceiveResponse(ClientTransactionKey key, int statusCode, TMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!_clients.TryGetValue(key, out var tx))
        {
            return ClientResponseOutcome.NoTransaction;
        }

        var before = tx.State;
        var effects = Run(tx, TransactionInput.Response(statusCode), Now, response);
        if ((effects & Effects.PassedToTu) != 0)
        {
            return ClientResponseOutcome.PassedToTu;
        }

        // RFC 3261 §17.1.1.2, §17.1.2.2: in Completed a final response is a retransmission (an INVITE's 2xx would
        // not be: it cannot follow a non-2xx on the same branch, and is merely discarded).
        if (before == TransactionStateName.Completed
            && (tx.Kind == TransactionKind.NonInviteClient ? statusCode is >= 200 and <= 699 : statusCode is >= 300 and <= 699))
        {
            Counters.RetransmissionReceived(tx.Kind);
            return ClientResponseOutcome.RetransmissionAbsorbed;
        }

        return ClientResponseOutcome.Discarded;
    }

    /// <summary>
    /// Matches a request to a server transaction (RFC 3261 §17.2.3, with the RFC 2543 fallback when the branch
    /// lacks the magic cookie) and applies it, or creates a new server transaction and delivers the request to the
    /// TU. ACKs and merged requests are never given a transaction; see <see cref="ServerRequestOutcome"/>.
    /// </summary>
    public ServerRequestResult<TMessage> ReceiveRequest(in ServerRequestInfo info, TMessage request, bool reliable, object? context = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = Now;
        if (info.IsAck)
        {
            return ReceiveAck(info, request, now);
        }

        var hasCookie = info.HasMagicCookie;
        var serverKey = hasCookie ? info.ServerKey : default;
        var legacyKey = hasCookie ? default : info.Rfc2543Key;
        var existing = hasCookie ? FindServer(serverKey) : FindServer(legacyKey, info.ToTag);
        if (existing is not null)
        {
            Counters.RetransmissionReceived(existing.Kind);
            Run(existing, TransactionInput.RequestRetransmission, now, request);
            return new ServerRequestResult<TMessage>(ServerRequestOutcome.Retransmission, existing);
        }

        MergedRequestKey? mergeKey = null;
        if (_options.DetectMergedRequests && info.ToTag is null && info.MergeKey is { } candidate)
        {
            // RFC 3261 §8.2.2.2: the same request arrived again along another path.
            if (_mergeIndex.TryGetValue(candidate, out var original))
            {
                return new ServerRequestResult<TMessage>(ServerRequestOutcome.MergedRequest, original);
            }

            mergeKey = candidate;
        }

        var kind = TransactionMethods.IsInvite(info.Method) ? TransactionKind.InviteServer : TransactionKind.NonInviteServer;
        var tx = new Transaction<TMessage>(TransactionState.Create(kind, TimersFor(reliable)), request, context)
        {
            RequestToTag = info.ToTag,
        };
        if (hasCookie)
        {
            _servers.Add(serverKey, tx);
            tx.ServerKey = serverKey;
        }
        else if (_rfc2543Servers.TryAdd(legacyKey, tx))
        {
            // A second live RFC 2543 transaction with an equal key differs only in To tag; it stays unindexed and
            // its retransmissions are matched by nothing, the lesser harm for such peers.
            tx.Rfc2543Key = legacyKey;
        }

        if (mergeKey is { } merge)
        {
            _mergeIndex.Add(merge, tx);
            tx.MergeKey = merge;
        }

        Counters.Create(kind);
        LiveCount++;
        Run(tx, TransactionInput.RequestReceived, now, request);
        return new ServerRequestResult<TMessage>(ServerRequestOutcome.Created, tx);
    }

    /// <summary>
    /// Passes the TU's response to a server transaction. <paramref name="toTag"/> is the To tag the response carries,
    /// kept for matching an RFC 2543 ACK (§17.2.3).
    /// </summary>
    /// <exception cref="ArgumentException">The transaction is a client transaction.</exception>
    public ServerResponseOutcome SendResponse(Transaction<TMessage> transaction, int statusCode, TMessage response, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(response);
        if (TransactionMachine.IsClient(transaction.Kind))
        {
            throw new ArgumentException("Responses are sent on server transactions only.", nameof(transaction));
        }

        var effects = Run(transaction, TransactionInput.TuResponse(statusCode), Now, response);
        if ((effects & Effects.Transmitted) == 0)
        {
            return ServerResponseOutcome.Discarded;
        }

        if (toTag is not null)
        {
            transaction.ResponseToTag = toTag;
        }

        return ServerResponseOutcome.Sent;
    }

    /// <summary>
    /// Finds the INVITE server transaction a CANCEL targets (RFC 3261 §9.2) and says how to answer. Call it for a
    /// CANCEL after <see cref="ReceiveRequest"/> created the CANCEL's own transaction.
    /// </summary>
    public CancelMatch<TMessage> FindCancelTarget(in ServerRequestInfo cancel)
    {
        Transaction<TMessage>? invite = null;
        if (cancel.HasMagicCookie)
        {
            _servers.TryGetValue(cancel.CancelTargetKey, out invite);
        }
        else if (_rfc2543Servers.TryGetValue(cancel.CancelTargetRfc2543Key, out var candidate)
            && string.Equals(candidate.RequestToTag, cancel.ToTag, StringComparison.Ordinal))
        {
            invite = candidate;
        }

        if (invite is null || invite.Kind != TransactionKind.InviteServer)
        {
            return new CancelMatch<TMessage>(CancelOutcome.NoMatchingTransaction, null);
        }

        return new CancelMatch<TMessage>(CancelMatching.Decide(invite.State), invite);
    }

    /// <summary>
    /// Reports a fatal transport error for a transaction (RFC 3261 §17.1.4, §17.2.4). A transaction that already ended
    /// (its final response was the failed send and no Timer J or K kept it) only counts the error.
    /// </summary>
    public void ReportTransportError(Transaction<TMessage> transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Removed)
        {
            Counters.TransportError(transaction.Kind);
            return;
        }

        Run(transaction, TransactionInput.TransportError, Now, null);
    }

    /// <summary>
    /// Ends a non-INVITE server transaction that will get no final response (RFC 4320 §4.2: never a 408 to a
    /// non-INVITE request). No effect on other transactions or once a final response was sent.
    /// </summary>
    public void Abandon(Transaction<TMessage> transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Run(transaction, TransactionInput.TuAbandon, Now, null);
    }

    /// <summary>The live client transaction with <paramref name="key"/>, if any.</summary>
    public bool TryGetClient(ClientTransactionKey key, out Transaction<TMessage>? transaction) =>
        _clients.TryGetValue(key, out transaction);

    /// <summary>The live server transaction a (non-ACK) request belongs to, if any.</summary>
    public bool TryGetServer(in ServerRequestInfo info, out Transaction<TMessage>? transaction)
    {
        transaction = FindServer(info);
        return transaction is not null;
    }

    private ServerRequestResult<TMessage> ReceiveAck(in ServerRequestInfo info, TMessage ack, TimeSpan now)
    {
        Transaction<TMessage>? invite = null;
        if (info.HasMagicCookie)
        {
            _servers.TryGetValue(info.ServerKey, out invite);
        }
        else if (_rfc2543Servers.TryGetValue(info.Rfc2543Key, out var candidate)
            && string.Equals(candidate.ResponseToTag, info.ToTag, StringComparison.Ordinal))
        {
            // RFC 3261 §17.2.3: an RFC 2543 ACK carries the To tag of the response, not of the INVITE.
            invite = candidate;
        }

        if (invite is null || invite.Kind != TransactionKind.InviteServer)
        {
            return new ServerRequestResult<TMessage>(ServerRequestOutcome.AckWithoutTransaction, null);
        }

        var before = invite.State;
        if (before == TransactionStateName.Confirmed)
        {
            Counters.RetransmissionReceived(invite.Kind);
        }

        var effects = Run(invite, TransactionInput.AckReceived, now, ack);
        var outcome = (effects & Effects.PassedToTu) != 0 ? ServerRequestOutcome.AckPassedToTu : ServerRequestOutcome.AckAbsorbed;
        return new ServerRequestResult<TMessage>(outcome, invite);
    }

    private Transaction<TMessage>? FindServer(in ServerRequestInfo info) =>
        info.HasMagicCookie ? FindServer(info.ServerKey) : FindServer(info.Rfc2543Key, info.ToTag);

    private Transaction<TMessage>? FindServer(ServerTransactionKey key) =>
        _servers.TryGetValue(key, out var tx) ? tx : null;

    // RFC 3261 §17.2.3: an RFC 2543 retransmission also repeats the To tag of the original request.
    private Transaction<TMessage>? FindServer(Rfc2543TransactionKey key, string? toTag) =>
        _rfc2543Servers.TryGetValue(key, out var legacy) && string.Equals(legacy.RequestToTag, toTag, StringComparison.Ordinal)
            ? legacy
            : null;

    private TransactionTimerValues TimersFor(bool reliable) => reliable ? _reliable : _unreliable;

    private Effects Run(Transaction<TMessage> tx, in TransactionInput input, TimeSpan now, TMessage? message)
    {
        if (tx.Removed)
        {
            return Effects.None;
        }

        var before = tx.MachineState;
        var step = TransactionMachine.Apply(before, input, now);
        tx.MachineState = step.State;
        var effects = Effects.None;
        var terminate = false;

        // Wire and timer actions first, the TU afterwards: a TU that reacts synchronously must see the
        // transaction's own messages already sent (RFC 3261 §17.2.1 wants the 100 out before the TU's answer).
        for (var i = 0; i < step.Count; i++)
        {
            var action = step[i];
            switch (action.Kind)
            {
                case TransactionActionKind.TransmitRequest:
                    effects |= Effects.Transmitted;
                    _output.Transmit(tx, tx.Request, retransmission: false);
                    break;

                case TransactionActionKind.RetransmitRequest:
                    Counters.RetransmissionSent(tx.Kind);
                    _output.Transmit(tx, tx.Request, retransmission: true);
                    break;

                case TransactionActionKind.TransmitResponse when message is not null:
                {
                    // RFC 6026 §7.1: a 2xx passed down again in Accepted is the TU's own retransmission.
                    var resent = before.Name == TransactionStateName.Accepted;
                    if (resent)
                    {
                        Counters.RetransmissionSent(tx.Kind);
                    }

                    tx.LastResponse = message;
                    tx.LastStatusCode = action.StatusCode;
                    effects |= Effects.Transmitted;
                    _output.Transmit(tx, message, resent);
                    break;
                }

                case TransactionActionKind.RetransmitResponse when tx.LastResponse is not null:
                    Counters.RetransmissionSent(tx.Kind);
                    _output.Transmit(tx, tx.LastResponse, retransmission: true);
                    break;

                case TransactionActionKind.SendTrying:
                {
                    var trying = _output.BuildTrying(tx);
                    if (trying is not null)
                    {
                        tx.LastResponse = trying;
                        tx.LastStatusCode = 100;
                        _output.Transmit(tx, trying, retransmission: false);
                    }

                    break;
                }

                case TransactionActionKind.SendAck when message is not null:
                    // RFC 3261 §17.1.1.3: built once; a retransmitted final response gets the same ACK again.
                    if (tx.Ack is null)
                    {
                        tx.Ack = _output.BuildAck(tx, message);
                        _output.Transmit(tx, tx.Ack, retransmission: false);
                    }
                    else
                    {
                        Counters.RetransmissionSent(tx.Kind);
                        _output.Transmit(tx, tx.Ack, retransmission: true);
                    }

                    break;

                case TransactionActionKind.StartTimer when !tx.Removed:
                    StartTimer(tx, action.Timer, action.DueAt);
                    break;

                case TransactionActionKind.CancelTimer:
                    CancelTimer(tx, action.Timer);
                    break;

                case TransactionActionKind.Terminate:
                    terminate = true;
                    break;

                default:
                    break;
            }
        }

        if (terminate)
        {
            Remove(tx);
        }

        for (var i = 0; i < step.Count; i++)
        {
            var action = step[i];
            switch (action.Kind)
            {
                case TransactionActionKind.PassResponseToTu when message is not null:
                    tx.LastResponse = message;
                    tx.LastStatusCode = action.StatusCode;
                    effects |= Effects.PassedToTu;
                    _output.DeliverResponse(tx, message);
                    break;

                case TransactionActionKind.PassRequestToTu when message is not null:
                    effects |= Effects.PassedToTu;
                    _output.DeliverRequest(tx, message);
                    break;

                case TransactionActionKind.ReportTimeout:
                    Counters.Timeout(tx.Kind);
                    _output.Failed(tx, TransactionFailure.Timeout);
                    break;

                case TransactionActionKind.ReportTransportError:
                    Counters.TransportError(tx.Kind);
                    _output.Failed(tx, TransactionFailure.TransportError);
                    break;

                default:
                    break;
            }
        }

        if (terminate)
        {
            _output.Terminated(tx);
        }

        return effects;
    }

    private void StartTimer(Transaction<TMessage> tx, TransactionTimer timer, TimeSpan dueAt)
    {
        var handle = _wheel.Schedule(dueAt, new TimerPayload(tx, timer));
        switch (FamilyOf(timer))
        {
            case TimerFamily.Retransmit:
                _wheel.Cancel(tx.RetransmitTimer);
                tx.RetransmitTimer = handle;
                break;
            case TimerFamily.Timeout:
                _wheel.Cancel(tx.TimeoutTimer);
                tx.TimeoutTimer = handle;
                break;
            default:
                _wheel.Cancel(tx.LingerTimer);
                tx.LingerTimer = handle;
                break;
        }
    }

    private void CancelTimer(Transaction<TMessage> tx, TransactionTimer timer)
    {
        switch (FamilyOf(timer))
        {
            case TimerFamily.Retransmit:
                _wheel.Cancel(tx.RetransmitTimer);
                tx.RetransmitTimer = default;
                break;
            case TimerFamily.Timeout:
                _wheel.Cancel(tx.TimeoutTimer);
                tx.TimeoutTimer = default;
                break;
            default:
                _wheel.Cancel(tx.LingerTimer);
                tx.LingerTimer = default;
                break;
        }
    }

    private void OnTimerDue(TimerPayload payload, TimeSpan dueAt)
    {
        var tx = payload.Transaction;
        if (tx.Removed)
        {
            return;
        }

        switch (FamilyOf(payload.Timer))
        {
            case TimerFamily.Retransmit:
                tx.RetransmitTimer = default;
                break;
            case TimerFamily.Timeout:
                tx.TimeoutTimer = default;
                break;
            default:
                tx.LingerTimer = default;
                break;
        }

        // The machine sees the exact due time, so doubling sequences stay on the RFC schedule even when
        // Advance runs late.
        Run(tx, TransactionInput.TimerFired(payload.Timer), dueAt, null);
    }

    private void Remove(Transaction<TMessage> tx)
    {
        tx.Removed = true;
        _wheel.Cancel(tx.RetransmitTimer);
        _wheel.Cancel(tx.TimeoutTimer);
        _wheel.Cancel(tx.LingerTimer);
        tx.RetransmitTimer = default;
        tx.TimeoutTimer = default;
        tx.LingerTimer = default;
        if (TransactionMachine.IsClient(tx.Kind))
        {
            RemoveIfSame(_clients, tx.ClientKey, tx);
        }
        else
        {
            if (tx.ServerKey is { } serverKey)
            {
                RemoveIfSame(_servers, serverKey, tx);
            }

            if (tx.Rfc2543Key is { } legacyKey)
            {
                RemoveIfSame(_rfc2543Servers, legacyKey, tx);
            }

            if (tx.MergeKey is { } mergeKey)
            {
                RemoveIfSame(_mergeIndex, mergeKey, tx);
            }
        }

        Counters.Terminate(tx.Kind);
        LiveCount--;
    }

    private static void RemoveIfSame<TKey>(Dictionary<TKey, Transaction<TMessage>> index, TKey key, Transaction<TMessage> tx)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var current) && ReferenceEquals(current, tx))
        {
            index.Remove(key);
        }
    }

    private static TimerFamily FamilyOf(TransactionTimer timer) => timer switch
    {
        TransactionTimer.A or TransactionTimer.E or TransactionTimer.G => TimerFamily.Retransmit,
        TransactionTimer.B or TransactionTimer.F or TransactionTimer.H or TransactionTimer.L or TransactionTimer.M => TimerFamily.Timeout,
        _ => TimerFamily.Linger,
    };

    [Flags]
    private enum Effects
    {
        None = 0,
        Transmitted = 1,
        PassedToTu = 2,
    }

    private enum TimerFamily
    {
        Retransmit,
        Timeout,
        Linger,
    }

    private readonly record struct TimerPayload(Transaction<TMessage> Transaction, TransactionTimer Timer);

    private readonly struct WheelHandler(TransactionTable<TMessage> table) : ITimerWheelHandler<TimerPayload>
    {
        public void OnTimerDue(TimerPayload payload, TimeSpan dueAt) => table.OnTimerDue(payload, dueAt);
    }
}
