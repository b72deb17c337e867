using System.Net;
using System.Text;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Edge;

/// <summary>The client side: <see cref="ISipClient"/> for the proxy core.</summary>
public sealed partial class SipEdge
{
    public ClientStartResult Start(OutboundRequest request, IClientTransactionObserver observer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var check = Validate(request, out var method, out var methodText, out var branch);
        if (check != ClientStartRejection.None)
        {
            return new ClientStartResult(null, check);
        }

        if (method == SipMethod.Ack)
        {
            return new ClientStartResult(null, ClientStartRejection.AckNotAllowed);
        }

        var handle = new ClientTransactionHandle(branch, method, methodText, request.Destination, observer);
        var client = new ClientTransactionContext(handle, request.Message.ToArray());
        if (!_work.Writer.TryWrite(new ClientWork(ClientWorkKind.Start, client, null)))
        {
            return new ClientStartResult(null, ClientStartRejection.Stopped);
        }

        return new ClientStartResult(handle, ClientStartRejection.None);
    }

    public void Cancel(ClientTransactionHandle invite, string? reasonHeader = null)
    {
        ArgumentNullException.ThrowIfNull(invite);
        Post(new ClientWork(ClientWorkKind.Cancel, null, invite) { Reason = reasonHeader });
    }

    public ClientStartRejection SendAck(OutboundRequest ack)
    {
        ArgumentNullException.ThrowIfNull(ack);
        var check = Validate(ack, out var method, out var methodText, out var branch);
        if (check != ClientStartRejection.None)
        {
            return check;
        }

        var handle = new ClientTransactionHandle(branch, method, methodText, ack.Destination, null);
        var client = new ClientTransactionContext(handle, ack.Message.ToArray());
        return _work.Writer.TryWrite(new ClientWork(ClientWorkKind.Stateless, client, null)) ? ClientStartRejection.None : ClientStartRejection.Stopped;
    }

    public string TokenFor(in SipFlowAddress flow) =>
        (_tokens ?? throw new InvalidOperationException("Flow tokens need a cluster secret (EdgeRuntime.FlowTokens).")).Encode(flow);

    private ClientStartRejection Validate(OutboundRequest request, out SipMethod method, out string methodText, out string branch)
    {
        method = SipMethod.Extension;
        methodText = string.Empty;
        branch = request.Branch ?? TransactionMethods.MagicCookie + Encoding.ASCII.GetString(SipTag.NewTag());
        if (!TransactionMethods.HasMagicCookie(branch))
        {
            return ClientStartRejection.InvalidBranch;
        }

        var span = request.Message.Span;
        if (span.IndexOf("\r\n"u8) <= 0)
        {
            return ClientStartRejection.Malformed;
        }

        // Checked with a stand-in for the Via the edge will push (the parser requires one).
        var parsed = SipParser.ParseDatagram(ClientRequests.PushVia(span, SipTransportKind.Udp, "192.0.2.1", 9, branch), _options.Parser);
        using (var m = parsed.Message)
        {
            if (parsed.Status != SipParseStatus.Message || m is null || !m.IsRequest)
            {
                return ClientStartRejection.Malformed;
            }

            method = m.Method;
            methodText = MethodNames.Of(m);
        }

        var destination = request.Destination;
        if (destination.FlowToken is { } token)
        {
            if (_tokens is null)
            {
                return ClientStartRejection.InvalidFlowToken;
            }

            var rejection = _tokens.TryDecode(token, out _);
            if (rejection != FlowTokenRejection.None)
            {
                return rejection == FlowTokenRejection.OtherNode ? ClientStartRejection.OtherNode : ClientStartRejection.InvalidFlowToken;
            }

            return ClientStartRejection.None;
        }

        var endPoint = destination.EndPoint!;
        var available = destination.Transport == SipTransportKind.Udp
            ? _flows.FindUdp(endPoint.AddressFamily, out _) is not null
            : _flows.ConnectorFor(destination.Transport) is not null || _flows.FindConnectionTo(destination.Transport, endPoint) is not null;
        return available ? ClientStartRejection.None : ClientStartRejection.NoTransport;
    }

    private void RunClientWork(ClientWork work)
    {
        switch (work.Kind)
        {
            case ClientWorkKind.Start:
            case ClientWorkKind.Stateless:
                Route(work.Client!, work.Kind == ClientWorkKind.Stateless);
                break;
            case ClientWorkKind.Connected:
                var client = work.Client!;
                if (work.Connection is null)
                {
                    Notify(client, new ClientTransactionFailed(client.Handle, ClientTransactionFailure.ConnectFailed));
                    Notify(client, new ClientTransactionEnded(client.Handle));
                    break;
                }

                Launch(client, work.Connection, work.Connection.Remote, work.Connection.Local, work.Connection.Id, work.Stateless);
                break;
            case ClientWorkKind.Cancel:
                RequestCancel(work.Invite!, work.Reason);
                break;
        }
    }

    /// <summary>Finds the socket or connection for the destination; connects first when needed (off the loop).</summary>
    private void Route(ClientTransactionContext client, bool stateless)
    {
        var destination = client.Handle.Destination;
        if (destination.FlowToken is { } token)
        {
            if (_tokens is null || _tokens.TryDecode(token, out var content) != FlowTokenRejection.None || _flows.Resolve(content.Flow) is not { } sender)
            {
                // RFC 5626 §5.3: a request for a flow that is gone is not sent on another connection.
                Notify(client, new ClientTransactionFailed(client.Handle, ClientTransactionFailure.FlowGone));
                Notify(client, new ClientTransactionEnded(client.Handle));
                return;
            }

            Launch(client, sender, content.Flow.Remote, content.Flow.Local, content.Flow.ConnectionId, stateless, content.Flow.Transport);
            return;
        }

        var endPoint = destination.EndPoint!;
        if (destination.Transport == SipTransportKind.Udp)
        {
            var udp = _flows.FindUdp(endPoint.AddressFamily, out var local);
            if (udp is null)
            {
                Notify(client, new ClientTransactionFailed(client.Handle, ClientTransactionFailure.TransportError));
                Notify(client, new ClientTransactionEnded(client.Handle));
                return;
            }

            Launch(client, udp, endPoint, local!, 0, stateless);
            return;
        }

        var existing = _flows.FindConnectionTo(destination.Transport, endPoint);
        if (existing is not null)
        {
            Launch(client, existing, endPoint, existing.Local, existing.Id, stateless);
            return;
        }

        var connector = _flows.ConnectorFor(destination.Transport);
        if (connector is null)
        {
            Notify(client, new ClientTransactionFailed(client.Handle, ClientTransactionFailure.ConnectFailed));
            Notify(client, new ClientTransactionEnded(client.Handle));
            return;
        }

        var stop = _stopping?.Token ?? CancellationToken.None;
        _ = ConnectThenPostAsync(connector, endPoint, client, stateless, stop);
    }

    private async Task ConnectThenPostAsync(ISipConnector connector, IPEndPoint endPoint, ClientTransactionContext client, bool stateless, CancellationToken stop)
    {
        ISipConnection? connection = null;
        try
        {
            connection = await connector.ConnectAsync(endPoint, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the transaction is reported as failed below.
        }

        Post(new ClientWork(ClientWorkKind.Connected, client, null) { Connection = connection, Stateless = stateless });
    }

    private void Launch(ClientTransactionContext client, ISipSender sender, IPEndPoint remote, IPEndPoint local, long connectionId, bool stateless,
        SipTransportKind? transport = null)
    {
        var kind = transport ?? client.Handle.Destination.Transport;
        client.Sender = sender;
        client.Remote = remote;
        client.Transport = kind;
        client.Handle.Flow = new SipFlowAddress(kind, local, remote, connectionId);
        var wire = ClientRequests.PushVia(client.Request, kind, ClientRequests.HostOf(local, _options.LocalHosts), local.Port, client.Handle.Branch);
        if (stateless)
        {
            // The ACK for a 2xx: no transaction, no retransmission by this element (RFC 3261 §17.1.1.3).
            if (!sender.Send(wire, remote))
            {
                _metrics.Dropped(SipDropCause.SendFailed);
            }

            return;
        }

        var key = new ClientTransactionKey(client.Handle.Branch, client.Handle.MethodText);
        if (_table.TryGetClient(key, out _))
        {
            Notify(client, new ClientTransactionFailed(client.Handle, ClientTransactionFailure.TransportError));
            Notify(client, new ClientTransactionEnded(client.Handle));
            return;
        }

        SipMessage? parsed = null;
        if (client.Handle.Method == SipMethod.Invite)
        {
            // Kept for the ACK of a non-2xx and for CANCEL, both built from the INVITE as sent.
            parsed = SipParser.ParseDatagram(wire, _options.Parser).Message;
        }

        client.Sent = parsed is null ? EdgeMessage.Outgoing(wire) : EdgeMessage.Outgoing(wire, parsed);
        Interlocked.Increment(ref _liveTransactions);
        _clients[client.Handle] = client;
        client.InFlight = true;
        InFlightChanged(+1);
        _table.StartClient(key, client.Sent, SipTransportNames.IsReliable(kind), client);
    }

    private void RequestCancel(ClientTransactionHandle handle, string? reason)
    {
        if (!_clients.TryGetValue(handle, out var invite) || handle.Method != SipMethod.Invite || invite.FinalReceived)
        {
            // RFC 3261 §9.1: nothing to cancel once a final response has arrived (or the transaction is gone).
            return;
        }

        invite.CancelRequested = true;
        invite.CancelReason = reason;
        if (invite.ProvisionalReceived)
        {
            SendCancel(invite);
        }
    }

    private void SendCancel(ClientTransactionContext invite)
    {
        if (invite.CancelSent || invite.Sent?.Parsed is not { } sent)
        {
            return;
        }

        invite.CancelSent = true;
        var wire = ClientRequests.BuildCancel(sent, invite.CancelReason);
        var handle = new ClientTransactionHandle(invite.Handle.Branch, SipMethod.Cancel, "CANCEL", invite.Handle.Destination, null);
        var cancel = new ClientTransactionContext(handle, wire)
        {
            Sender = invite.Sender,
            Remote = invite.Remote,
            Transport = invite.Transport,
            Sent = EdgeMessage.Outgoing(wire),
        };
        handle.Flow = invite.Handle.Flow;
        Interlocked.Increment(ref _liveTransactions);
        _table.StartClient(new ClientTransactionKey(handle.Branch, "CANCEL"), cancel.Sent, SipTransportNames.IsReliable(invite.Transport), cancel);
    }

    private EdgeOutcome HandleResponse(SipMessage response)
    {
        if (response.TopViaBranchRange.Length == 0)
        {
            _metrics.Dropped(SipDropCause.StrayResponse);
            response.Dispose();
            return EdgeOutcome.Dropped;
        }

        var key = new ClientTransactionKey(Encoding.ASCII.GetString(response.TopViaBranch), MethodNames.CSeqOf(response));
        var message = EdgeMessage.Received(response);
        try
        {
            var outcome = _table.ReceiveResponse(key, response.StatusCode, message);
            switch (outcome)
            {
                case ClientResponseOutcome.NoTransaction:
                    // RFC 3261 §18.1.2: a response matching no client transaction is discarded.
                    _metrics.Dropped(SipDropCause.StrayResponse);
                    return EdgeOutcome.Dropped;
                case ClientResponseOutcome.RetransmissionAbsorbed:
                    return EdgeOutcome.Absorbed;
                default:
                    return EdgeOutcome.Matched;
            }
        }
        finally
        {
            message.Release();
        }
    }

    private void DeliverClientResponse(Transaction<EdgeMessage> transaction, EdgeMessage response)
    {
        if (transaction.Context is not ClientTransactionContext client || response.Parsed is not { } parsed)
        {
            return;
        }

        var status = parsed.StatusCode;
        if (status >= 200)
        {
            client.FinalReceived = true;
            LeaveInFlight(client);
        }
        else
        {
            client.ProvisionalReceived = true;
            if (client.CancelRequested)
            {
                // RFC 3261 §9.1: the CANCEL held back until a provisional response arrived goes now.
                SendCancel(client);
            }
        }

        Notify(client, new ClientResponseReceived(client.Handle, status, parsed));
    }

    private void Notify(ClientTransactionContext client, ClientTransactionEvent transactionEvent)
    {
        if (transactionEvent is ClientTransactionEnded)
        {
            LeaveInFlight(client);
            _clients.Remove(client.Handle);
        }

        if (client.Handle.Observer is not { } observer)
        {
            return;
        }

        try
        {
            observer.OnEvent(transactionEvent);
        }
        catch (Exception e)
        {
            LogObserverFault(_logger, e);
        }
    }

    private readonly Dictionary<ClientTransactionHandle, ClientTransactionContext> _clients = [];

    private enum ClientWorkKind
    {
        Start,
        Stateless,
        Connected,
        Cancel,
    }

    private sealed class ClientWork(ClientWorkKind kind, ClientTransactionContext? client, ClientTransactionHandle? invite) : Work
    {
        public ClientWorkKind Kind { get; } = kind;

        public ClientTransactionContext? Client { get; } = client;

        public ClientTransactionHandle? Invite { get; } = invite;

        public string? Reason { get; init; }

        public ISipConnection? Connection { get; init; }

        public bool Stateless { get; init; }
    }
}
