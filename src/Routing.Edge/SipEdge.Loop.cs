using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Edge;

/// <summary>The transaction loop: one owner for the table, fed by a channel, ticked by a timer.</summary>
public sealed partial class SipEdge
{
    [ThreadStatic]
    private static SipEdge? t_owner;

    private readonly TimeProvider _time;
    private readonly TimeSpan _resolution;
    private readonly SipFlowTable _flows;
    private readonly FlowTokenCodec? _tokens;
    private readonly Output _output;
    private readonly TransactionTable<EdgeMessage> _table;
    private readonly CompletedServerTransactions _completed;
    private readonly bool _detectMerged;
    private int _completedCount;
    private readonly Channel<Work> _work;
    private readonly List<Transaction<EdgeMessage>> _transportErrors = [];
    private readonly Queue<ServerTransactionContext> _unanswered = new();
    private readonly TimeSpan _unansweredLimit;
    private CancellationTokenSource? _stopping;
    private ITimer? _ticker;
    private Task? _loop;
    private int _tickQueued;
    private int _disposed;
    private int _liveTransactions;
    private long _responsesSent;

    /// <summary>Starts the transaction loop and its timer (every <see cref="TransactionOptions.TimerResolution"/>).</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The edge is already started.");
        }

        _stopping = new CancellationTokenSource();
        var resolution = _resolution;
        _ticker = _time.CreateTimer(static s => ((SipEdge)s!).PostTick(), this, resolution, resolution);
        var stop = _stopping.Token;

        // The loop owns a thread: as an async loop it waited in the thread pool's queue behind actor and proxy work each
        // time it went idle, and every SIP message waited with it.
        _loop = Task.Factory.StartNew(() => RunLoop(stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Stops the loop and its timer; idempotent (the host and the listener service may both call it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_ticker is not null)
        {
            await _ticker.DisposeAsync().ConfigureAwait(false);
        }

        _work.Writer.TryComplete();
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stopping?.Dispose();
    }

    /// <summary>Runs every queued work item now on the calling thread (owner only; for tests that do not start the loop).</summary>
    public int RunPending()
    {
        var n = 0;
        while (_work.Reader.TryRead(out var item))
        {
            Process(item);
            n++;
        }

        return n;
    }

    /// <summary>Fires due transaction timers now on the calling thread (owner only; for tests with a fake clock).</summary>
    public int Tick()
    {
        var previous = t_owner;
        t_owner = this;
        try
        {
            var n = _table.Advance();
            ExpireCompleted();
            ExpireUnanswered();
            FlushTransportErrors();
            return n;
        }
        finally
        {
            t_owner = previous;
        }
    }

    private void PostTick()
    {
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0 && !_work.Writer.TryWrite(TickWork.Instance))
        {
            Volatile.Write(ref _tickQueued, 0);
        }
    }

    private void RunLoop(CancellationToken stop)
    {
        Thread.CurrentThread.Name = "sip-edge-loop";
        var reader = _work.Reader;

        // A blocking wait: the channel allows synchronous continuations, so a writer wakes this thread directly (except
        // in the rare race where it completes the wait while AsTask is still registering; then the pool runs the wake-up).
        while (reader.WaitToReadAsync(stop).AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var item))
            {
                Process(item);
            }
        }
    }

    private void Process(Work item)
    {
        var previous = t_owner;
        t_owner = this;
        try
        {
            switch (item)
            {
                case InboundWork inbound:
                    Interlocked.Decrement(ref _queuedInbound);
                    HandleCore(inbound.Parsed, inbound.Context);
                    break;
                case TickWork:
                    Volatile.Write(ref _tickQueued, 0);
                    _table.Advance();
                    ExpireCompleted();
                    ExpireUnanswered();
                    break;
                case ResponseWork response:
                    ApplyResponse(response.Server, response.Status, response.Bytes);
                    break;
                case AbandonWork abandon:
                    ApplyAbandon(abandon.Server);
                    break;
                case ClientWork client:
                    RunClientWork(client);
                    break;
            }

            FlushTransportErrors();
        }
        catch (Exception e)
        {
            // A bug in one message's handling must not stop every transaction of the node.
            LogLoopFault(_logger, e);
        }
        finally
        {
            t_owner = previous;
        }
    }

    /// <summary>Called by a TU (any thread) with a built response: applied now on the owner, else queued.</summary>
    internal void SubmitResponse(ServerTransactionContext server, int status, byte[] bytes)
    {
        if (ReferenceEquals(t_owner, this))
        {
            ApplyResponse(server, status, bytes);
        }
        else if (!_work.Writer.TryWrite(new ResponseWork(server, status, bytes)))
        {
            LogResponseAfterStop(_logger, status);
        }
    }

    /// <summary>Called by a TU (any thread) giving up on a non-INVITE request: its transaction ends without a response.</summary>
    internal void SubmitAbandon(ServerTransactionContext server)
    {
        if (ReferenceEquals(t_owner, this))
        {
            ApplyAbandon(server);
        }
        else if (!_work.Writer.TryWrite(new AbandonWork(server)))
        {
            LogResponseAfterStop(_logger, 0);
        }
    }

    private void ApplyAbandon(ServerTransactionContext server)
    {
        if (server.Transaction is { State: not TransactionStateName.Terminated } tx)
        {
            _metrics.Dropped(SipDropCause.TuNoAnswer);
            _table.Abandon(tx);
            KeepCompleted(server, tx, default);
        }

        server.Release();
    }

    private void ApplyResponse(ServerTransactionContext server, int status, byte[] bytes)
    {
        var tx = server.Transaction;
        if (tx is null || tx.State == TransactionStateName.Terminated)
        {
            return;
        }

        var errorsBefore = _transportErrors.Count;
        var outcome = _table.SendResponse(tx, status, EdgeMessage.Outgoing(bytes), status >= 200 ? server.ToTag : null);
        if (outcome == ServerResponseOutcome.Sent && _transportErrors.Count == errorsBefore)
        {
            _responsesSent++;
            _metrics.ResponseSent(server.Method, status);
            if (status >= 200)
            {
                KeepCompleted(server, tx, bytes);
            }
        }

        if (status >= 200)
        {
            // The final response is kept as bytes for retransmission; the request is no longer needed.
            server.Release();
        }
    }

    /// <summary>
    /// RFC 3261 §17.2.2: a non-INVITE server transaction over UDP that sent its final response (or was abandoned) is
    /// Completed for Timer J; the table has ended it, and the edge keeps its key and response instead.
    /// </summary>
    private void KeepCompleted(ServerTransactionContext server, Transaction<EdgeMessage> tx, ReadOnlySpan<byte> response)
    {
        if (tx.Kind == TransactionKind.NonInviteServer && !tx.Reliable)
        {
            _completed.Add(server.Info, _detectMerged, response, _table.Now);
            Volatile.Write(ref _completedCount, _completed.Count);
        }
    }

    private void ExpireCompleted()
    {
        if (_completed.Expire(_table.Now) > 0)
        {
            Volatile.Write(ref _completedCount, _completed.Count);
        }
    }

    /// <summary>
    /// A non-INVITE server transaction has no timer of its own before the TU answers (RFC 3261 §17.2.2), so a TU that
    /// never answers would keep it for ever. After 64*T1 (when the UAC's Timer F has given up anyway) the edge ends it
    /// without a response (RFC 4320 §4.2: no 408 to a non-INVITE request). Entries are checked from the oldest; answered
    /// ones are dropped as they reach the head.
    /// </summary>
    private void ExpireUnanswered()
    {
        var now = _table.Now;
        while (_unanswered.TryPeek(out var head))
        {
            if (head.Answered || head.Transaction is null || head.Transaction.State == TransactionStateName.Terminated)
            {
                _unanswered.Dequeue();
                continue;
            }

            if (now - head.CreatedAt < _unansweredLimit)
            {
                return;
            }

            _unanswered.Dequeue();
            head.GiveUp();
        }
    }

    /// <summary>
    /// RFC 3261 §18.2.2: on a reliable transport whose connection has gone, the response goes on a (new) connection
    /// to the address in "received" - the source of the request - and the port in sent-by (default 5060, 5061 for
    /// TLS). An existing connection there is used at once; otherwise one is opened off the loop and the response
    /// written when it is up (a failure then loses the response, as with any transport).
    /// </summary>
    private bool ResendOnNewConnection(ServerTransactionContext server, byte[] wire)
    {
        var transport = server.Source.Transport;
        if (transport == SipTransportKind.Udp)
        {
            return false;
        }

        var port = server.Info.SentBy.Port != 0 ? server.Info.SentBy.Port : transport == SipTransportKind.Tls ? 5061 : 5060;
        var target = new System.Net.IPEndPoint(server.Source.Remote.Address, port);
        var existing = _flows.FindConnectionTo(transport, target);
        if (existing is not null)
        {
            return existing.Send(wire, target);
        }

        var connector = _flows.ConnectorFor(transport);
        if (connector is null)
        {
            return false;
        }

        _ = ConnectAndSendAsync(connector, target, wire);
        return true;
    }

    private async Task ConnectAndSendAsync(ISipConnector connector, System.Net.IPEndPoint target, byte[] wire)
    {
        try
        {
            var connection = await connector.ConnectAsync(target, _stopping?.Token ?? CancellationToken.None).ConfigureAwait(false);
            if (connection is null || !connection.Send(wire, target))
            {
                _metrics.Dropped(SipDropCause.SendFailed);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void FlushTransportErrors()
    {
        for (var i = 0; i < _transportErrors.Count; i++)
        {
            _table.ReportTransportError(_transportErrors[i]);
        }

        _transportErrors.Clear();
    }

    private void Post(Work work)
    {
        if (!_work.Writer.TryWrite(work))
        {
            LogWorkAfterStop(_logger);
        }
    }

    /// <summary>The table's view of the wire and of the TUs.</summary>
    private sealed class Output(SipEdge edge) : ITransactionOutput<EdgeMessage>
    {
        public void Transmit(Transaction<EdgeMessage> transaction, EdgeMessage message, bool retransmission)
        {
            var wire = message.Wire;
            if (wire is null)
            {
                return;
            }

            var sent = transaction.Context switch
            {
                ServerTransactionContext s => s.Source.Sender.Send(wire, s.Destination) || edge.ResendOnNewConnection(s, wire),
                ClientTransactionContext c => c.Sender is not null && c.Remote is not null && c.Sender.Send(wire, c.Remote),
                _ => false,
            };
            if (!sent)
            {
                edge._metrics.Dropped(SipDropCause.SendFailed);
                edge._transportErrors.Add(transaction);
            }
        }

        public EdgeMessage BuildAck(Transaction<EdgeMessage> transaction, EdgeMessage response)
        {
            var client = (ClientTransactionContext)transaction.Context!;
            return EdgeMessage.Outgoing(ClientRequests.BuildAck(client.Sent!.Parsed!, response.Parsed!));
        }

        public EdgeMessage? BuildTrying(Transaction<EdgeMessage> transaction) =>
            transaction.Context is ServerTransactionContext s && s.BuildTrying() is { } trying ? EdgeMessage.Outgoing(trying) : null;

        public void DeliverResponse(Transaction<EdgeMessage> transaction, EdgeMessage response) =>
            edge.DeliverClientResponse(transaction, response);

        public void DeliverRequest(Transaction<EdgeMessage> transaction, EdgeMessage request)
        {
            if (transaction.Context is not ServerTransactionContext server || !ReferenceEquals(transaction.Request, request))
            {
                // The ACK of a 2xx in Accepted (RFC 6026 §7.1): no TU here keeps dialogs yet; it ends here.
                return;
            }

            server.Transaction = transaction;
            server.CreatedAt = edge._table.Now;
            Interlocked.Increment(ref edge._liveTransactions);
            server.EnterInFlight();
            edge.Dispatch(server);
            if (!server.Answered && transaction.Kind == TransactionKind.NonInviteServer)
            {
                edge._unanswered.Enqueue(server);
            }
        }

        public void Failed(Transaction<EdgeMessage> transaction, TransactionFailure failure)
        {
            if (transaction.Context is ClientTransactionContext client)
            {
                edge.Notify(client, new ClientTransactionFailed(client.Handle,
                    failure == TransactionFailure.Timeout ? ClientTransactionFailure.Timeout : ClientTransactionFailure.TransportError));
            }
        }

        public void Terminated(Transaction<EdgeMessage> transaction)
        {
            switch (transaction.Context)
            {
                case ServerTransactionContext server:
                    if (server.Transaction is not null)
                    {
                        Interlocked.Decrement(ref edge._liveTransactions);
                    }

                    server.End();
                    break;
                case ClientTransactionContext client:
                    Interlocked.Decrement(ref edge._liveTransactions);
                    client.Sent?.Release();
                    edge.Notify(client, new ClientTransactionEnded(client.Handle));
                    break;
            }
        }
    }

    private abstract class Work;

    private sealed class InboundWork(SipParseResult parsed, SipInboundContext context) : Work
    {
        public SipParseResult Parsed { get; } = parsed;

        public SipInboundContext Context { get; } = context;
    }

    private sealed class TickWork : Work
    {
        public static readonly TickWork Instance = new();
    }

    private sealed class AbandonWork(ServerTransactionContext server) : Work
    {
        public ServerTransactionContext Server { get; } = server;
    }

    private sealed class ResponseWork(ServerTransactionContext server, int status, byte[] bytes) : Work
    {
        public ServerTransactionContext Server { get; } = server;

        public int Status { get; } = status;

        public byte[] Bytes { get; } = bytes;
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "SIP transaction loop: handling one item failed")]
    private static partial void LogLoopFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "SIP response {Status} dropped: the edge is stopping")]
    private static partial void LogResponseAfterStop(ILogger logger, int status);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "SIP work dropped: the edge is stopping")]
    private static partial void LogWorkAfterStop(ILogger logger);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "SIP client transaction observer failed")]
    private static partial void LogObserverFault(ILogger logger, Exception exception);
}
