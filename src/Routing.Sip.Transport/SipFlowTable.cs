using System.Collections.Concurrent;
using System.Net;

namespace Routing.Sip.Transport;

/// <summary>A live TCP or TLS connection, inbound or outbound.</summary>
public interface ISipConnection : ISipSender
{
    long Id { get; }

    SipTransportKind Transport { get; }

    IPEndPoint Local { get; }

    IPEndPoint Remote { get; }

    /// <summary>The TLS client certificate accepted on this connection, if any.</summary>
    TlsPeerIdentity? TlsPeer { get; }

    /// <summary>False once the connection has closed; sends then fail.</summary>
    bool IsOpen { get; }

    /// <summary>Closes the connection (idempotent).</summary>
    void Close();
}

/// <summary>Opens outbound TCP or TLS connections (implemented by <see cref="TcpSipListener"/>).</summary>
public interface ISipConnector
{
    SipTransportKind Transport { get; }

    IPEndPoint LocalEndPoint { get; }

    /// <summary>Opens a connection and registers it in the flow table; null when it cannot be opened.</summary>
    Task<ISipConnection?> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken);
}

/// <summary>The result of sending on a flow.</summary>
public enum FlowSendResult
{
    Sent = 0,
    /// <summary>The token is malformed or its HMAC does not match.</summary>
    InvalidToken,
    /// <summary>The token is sound but the flow is held by another edge node.</summary>
    OtherNode,
    /// <summary>The connection has closed, or no listener serves the flow's local address any more.</summary>
    FlowGone,
    /// <summary>The flow exists but the kernel refused the bytes.</summary>
    SendFailed,
}

/// <summary>
/// Every flow this node holds: the open TCP/TLS connections keyed by id and by transport/local/remote, and the UDP
/// sockets keyed by local address (a UDP flow is just the address pair, RFC 5626 §3.1). Thread-safe; listeners add
/// and remove connections, the layers above look flows up and send on them.
/// </summary>
public sealed class SipFlowTable
{
    private readonly ConcurrentDictionary<long, ISipConnection> _byId = new();
    private readonly ConcurrentDictionary<(SipTransportKind, IPEndPoint, IPEndPoint), ISipConnection> _byKey = new();
    private readonly ConcurrentDictionary<IPEndPoint, ISipSender> _udp = new();
    private readonly Lock _udpOrderLock = new();
    private IPEndPoint[] _udpOrder = [];
    private readonly ConcurrentDictionary<SipTransportKind, ISipConnector> _connectors = new();
    private long _nextId;

    public int ConnectionCount => _byId.Count;

    /// <summary>A fresh connection id (never 0, never reused in this process).</summary>
    public long NextConnectionId() => Interlocked.Increment(ref _nextId);

    public void Add(ISipConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _byId[connection.Id] = connection;
        _byKey[(connection.Transport, connection.Local, connection.Remote)] = connection;
    }

    public void Remove(ISipConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _byId.TryRemove(connection.Id, out _);
        var key = (connection.Transport, connection.Local, connection.Remote);
        if (_byKey.TryGetValue(key, out var current) && ReferenceEquals(current, connection))
        {
            _byKey.TryRemove(key, out _);
        }
    }

    /// <summary>Registers a UDP socket (a <see cref="UdpSipListener"/>) bound to <paramref name="local"/>.</summary>
    public void AddUdp(IPEndPoint local, ISipSender socket)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(socket);
        _udp[local] = socket;
        lock (_udpOrderLock)
        {
            if (Array.IndexOf(_udpOrder, local) < 0)
            {
                _udpOrder = [.. _udpOrder, local];
            }
        }
    }

    public void RemoveUdp(IPEndPoint local)
    {
        ArgumentNullException.ThrowIfNull(local);
        _udp.TryRemove(local, out _);
        lock (_udpOrderLock)
        {
            _udpOrder = Array.FindAll(_udpOrder, l => !l.Equals(local));
        }
    }

    /// <summary>Registers the connector used for outbound connections of its transport (one per transport).</summary>
    public void AddConnector(ISipConnector connector)
    {
        ArgumentNullException.ThrowIfNull(connector);
        _connectors.TryAdd(connector.Transport, connector);
    }

    public ISipConnector? ConnectorFor(SipTransportKind transport) => _connectors.TryGetValue(transport, out var c) ? c : null;

    public bool TryGetConnection(long id, out ISipConnection? connection) => _byId.TryGetValue(id, out connection);

    /// <summary>An open connection of <paramref name="transport"/> to <paramref name="remote"/> from any local address.</summary>
    public ISipConnection? FindConnectionTo(SipTransportKind transport, IPEndPoint remote)
    {
        foreach (var c in _byId.Values)
        {
            if (c.Transport == transport && c.IsOpen && c.Remote.Equals(remote))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>
    /// The first registered UDP socket of <paramref name="family"/> and its local address, or null. Registration order
    /// is the listener order: a cluster member lists its own address before the shared one, so its requests carry its
    /// own Via sent-by and their responses come back to it (RFC 3261 §18.2.2), not to whichever member shares the port.
    /// </summary>
    public ISipSender? FindUdp(System.Net.Sockets.AddressFamily family, out IPEndPoint? local)
    {
        foreach (var l in Volatile.Read(ref _udpOrder))
        {
            if (l.AddressFamily == family && _udp.TryGetValue(l, out var sender))
            {
                local = l;
                return sender;
            }
        }

        local = null;
        return null;
    }

    /// <summary>The sender for a flow, or null when it is gone.</summary>
    public ISipSender? Resolve(in SipFlowAddress flow)
    {
        if (flow.Transport == SipTransportKind.Udp)
        {
            return flow.Local is not null && _udp.TryGetValue(flow.Local, out var udp) ? udp : null;
        }

        return _byId.TryGetValue(flow.ConnectionId, out var c) && c.IsOpen && c.Transport == flow.Transport && c.Remote.Equals(flow.Remote)
            ? c
            : null;
    }

    /// <summary>Sends on a flow (RFC 5626 §5.3: requests for a registered flow go out on that flow only).</summary>
    public FlowSendResult Send(in SipFlowAddress flow, ReadOnlySpan<byte> message)
    {
        var sender = Resolve(flow);
        if (sender is null)
        {
            return FlowSendResult.FlowGone;
        }

        return sender.Send(message, flow.Remote) ? FlowSendResult.Sent : FlowSendResult.SendFailed;
    }

    /// <summary>Verifies a flow token and sends on its flow.</summary>
    public FlowSendResult Send(FlowTokenCodec codec, ReadOnlySpan<char> token, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(codec);
        return codec.TryDecode(token, out var content) switch
        {
            FlowTokenRejection.None => Send(content.Flow, message),
            FlowTokenRejection.OtherNode => FlowSendResult.OtherNode,
            _ => FlowSendResult.InvalidToken,
        };
    }
}
