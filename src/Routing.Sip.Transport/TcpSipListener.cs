using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routing.Sip.Message;

namespace Routing.Sip.Transport;

/// <summary>Why a connection was closed by the node.</summary>
public enum StreamCloseCause
{
    /// <summary>Buffered unframed bytes exceeded the message limit, or framing was lost.</summary>
    Unframeable,
    /// <summary>No bytes for <see cref="StreamListenerOptions.IdleTimeout"/>.</summary>
    Idle,
    /// <summary>Too many connections from one address.</summary>
    PerAddressLimit,
    /// <summary>The TLS handshake failed (no or untrusted client certificate, protocol error, timeout).</summary>
    HandshakeFailed,
}

/// <summary>
/// A TCP or TLS listening socket for SIP, and the outbound connections made from it. Each connection is read through
/// a pipe and cut into messages by the core stream parser (RFC 3261 §18.3: Content-Length frames the body);
/// responses go back on the same connection (RFC 3261 §18.2.2). Connections are registered in a
/// <see cref="SipFlowTable"/>, closed when idle, oversized or unframeable, and limited per remote address. Neither
/// the accept loop nor a connection loop throws out.
/// </summary>
public sealed partial class TcpSipListener : IAsyncDisposable, ISipConnector
{
    private const int Backlog = 512;
    private static readonly int CauseCount = Enum.GetValues<StreamCloseCause>().Length;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly StreamListenerOptions _options;
    private readonly SipFlowTable _flows;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly long[] _closed = new long[CauseCount];
    private CancellationTokenSource? _stopping;
    private ITimer? _idleSweep;
    private ISipInboundHandler? _handler;
    private Task? _acceptLoop;
    private long _accepted;
    private int _acceptStopped;
    private long _handlerFaults;

    private TcpSipListener(Socket socket, IPEndPoint local, ILogger logger, StreamListenerOptions options)
    {
        _socket = socket;
        LocalEndPoint = local;
        _logger = logger;
        _options = options;
        _flows = options.Flows ?? new SipFlowTable();
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>TCP, or TLS when the options carry a server certificate.</summary>
    public SipTransportKind Transport => _options.Tls is null ? SipTransportKind.Tcp : SipTransportKind.Tls;

    /// <summary>A connection whose buffered, unframed bytes exceed the parser's message limit is closed.</summary>
    public int MaxMessageBytes => _options.Parser.MaxMessageSize;

    public int OpenConnections => _connections.Count;

    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    public long UnframeableConnections => Closed(StreamCloseCause.Unframeable);

    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    /// <summary>Connections the node closed for <paramref name="cause"/>.</summary>
    public long Closed(StreamCloseCause cause) => Interlocked.Read(ref _closed[(int)cause]);

    public SipFlowTable Flows => _flows;

    /// <summary>Binds and listens. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse) when it cannot.</summary>
    public static TcpSipListener Bind(IPEndPoint endPoint, ILogger logger, SipParserOptions? parserOptions = null) =>
        Bind(endPoint, logger, new StreamListenerOptions { Parser = parserOptions ?? SipParserOptions.Default });

    /// <summary>Binds and listens. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse) when it cannot.</summary>
    public static TcpSipListener Bind(IPEndPoint endPoint, ILogger logger, StreamListenerOptions options)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted node may rebind past TIME_WAIT; a live listener still conflicts (no SO_REUSEPORT).
            SocketReuse.AllowTimeWaitRebind(socket);
            socket.NoDelay = true;
            socket.Bind(endPoint);
            socket.Listen(Backlog);
            return new TcpSipListener(socket, (IPEndPoint)socket.LocalEndPoint!, logger, options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start(ISipInboundHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_acceptLoop is not null)
        {
            throw new InvalidOperationException("The listener is already started.");
        }

        _handler = handler;
        _stopping = new CancellationTokenSource();
        var period = _options.IdleTimeout / 4;
        if (period < TimeSpan.FromMilliseconds(100))
        {
            period = TimeSpan.FromMilliseconds(100);
        }

        _idleSweep = _options.TimeProvider.CreateTimer(_ => SweepIdle(), null, period, period);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(handler, _stopping.Token));
    }

    /// <summary>
    /// Opens an outbound connection to <paramref name="remote"/> (TLS when this listener is a TLS one), registers it
    /// in the flow table and reads it like an accepted one. Returns null when the connection or handshake fails.
    /// </summary>
    public async Task<ISipConnection?> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var existing = _flows.FindConnectionTo(Transport, remote);
        if (existing is not null)
        {
            return existing;
        }

        if (_handler is null || _stopping is null)
        {
            throw new InvalidOperationException("The listener is not started.");
        }

        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(LocalEndPoint.Address, 0));
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            TlsPeerIdentity? peer = null;
            if (_options.Tls is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.HandshakeTimeout);
                var client = _options.ClientTls ?? new SslClientAuthenticationOptions { TargetHost = remote.Address.ToString() };
                await tls.AuthenticateAsClientAsync(client, timeout.Token).ConfigureAwait(false);
                peer = tls.RemoteCertificate is { } cert ? TlsPeerIdentity.From(cert) : null;
                stream = tls;
            }

            var connection = Register(socket, stream, peer, countedPerAddress: false);
            _ = Task.Run(() => connection.RunAsync(_handler, _stopping.Token), CancellationToken.None);
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            LogConnectFailed(_logger, remote, e.Message);
            socket.Dispose();
            return null;
        }
    }

    private async Task AcceptLoopAsync(ISipInboundHandler handler, CancellationToken stop)
    {
        LogListening(_logger, Transport, LocalEndPoint);
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException) when (Volatile.Read(ref _acceptStopped) != 0)
            {
                break;
            }
            catch (SocketException e)
            {
                // Aborted handshakes (ECONNABORTED) and fd exhaustion must not stop the listener.
                LogAcceptError(_logger, LocalEndPoint, e.SocketErrorCode);
                continue;
            }

            client.NoDelay = true;
            Interlocked.Increment(ref _accepted);
            _ = Task.Run(() => AcceptedAsync(client, handler, stop), CancellationToken.None);
        }
    }

    private async Task AcceptedAsync(Socket client, ISipInboundHandler handler, CancellationToken stop)
    {
        var address = ((IPEndPoint)client.RemoteEndPoint!).Address;
        var count = _perAddress.AddOrUpdate(address, 1, (_, n) => n + 1);
        if (count > _options.MaxConnectionsPerAddress)
        {
            Release(address);
            Count(StreamCloseCause.PerAddressLimit);
            LogPerAddressLimit(_logger, address, _options.MaxConnectionsPerAddress);
            client.Dispose();
            return;
        }

        Stream stream = new NetworkStream(client, ownsSocket: false);
        TlsPeerIdentity? peer = null;
        if (_options.Tls is { } tlsOptions)
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(_options.HandshakeTimeout);
                await tls.AuthenticateAsServerAsync(tlsOptions, timeout.Token).ConfigureAwait(false);
                peer = tls.RemoteCertificate is { } cert ? TlsPeerIdentity.From(cert) : null;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException or ObjectDisposedException)
            {
                Count(StreamCloseCause.HandshakeFailed);
                LogHandshakeFailed(_logger, (IPEndPoint)client.RemoteEndPoint!, e.Message);
                await tls.DisposeAsync().ConfigureAwait(false);
                client.Dispose();
                Release(address);
                return;
            }

            stream = tls;
        }

        var connection = Register(client, stream, peer, countedPerAddress: true);
        await connection.RunAsync(handler, stop).ConfigureAwait(false);
    }

    private Connection Register(Socket socket, Stream stream, TlsPeerIdentity? peer, bool countedPerAddress)
    {
        var connection = new Connection(this, _flows.NextConnectionId(), socket, stream, peer) { CountedPerAddress = countedPerAddress };
        _connections[connection.Id] = connection;
        _flows.Add(connection);
        return connection;
    }

    private void Release(IPAddress address)
    {
        while (_perAddress.TryGetValue(address, out var n))
        {
            if (n <= 1 ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, n)) : _perAddress.TryUpdate(address, n - 1, n))
            {
                return;
            }
        }
    }

    private void Count(StreamCloseCause cause) => Interlocked.Increment(ref _closed[(int)cause]);

    private void SweepIdle()
    {
        var now = _options.TimeProvider.GetTimestamp();
        foreach (var c in _connections.Values)
        {
            if (c.IsOpen && _options.TimeProvider.GetElapsedTime(c.LastActivity, now) >= _options.IdleTimeout)
            {
                Count(StreamCloseCause.Idle);
                LogIdle(_logger, c.Remote);
                c.Close();
            }
        }
    }

    /// <summary>
    /// Stops accepting connections (a drain's first step); the open ones stay until <see cref="StopAsync"/> closes them.
    /// </summary>
    public void StopAccepting()
    {
        Volatile.Write(ref _acceptStopped, 1);
        _socket.Dispose();
    }

    public async Task StopAsync()
    {
        if (_idleSweep is not null)
        {
            await _idleSweep.DisposeAsync().ConfigureAwait(false);
        }

        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (var c in _connections.Values)
        {
            c.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping?.Dispose();
    }

    private sealed class Connection : ISipConnection
    {
        private static readonly byte[] Pong = "\r\n"u8.ToArray();

        private readonly TcpSipListener _owner;
        private readonly Socket _socket;
        private readonly Stream _stream;
        private readonly Lock _sendLock = new();
        private int _closed;
        private long _lastActivity;

        public Connection(TcpSipListener owner, long id, Socket socket, Stream stream, TlsPeerIdentity? peer)
        {
            _owner = owner;
            Id = id;
            _socket = socket;
            _stream = stream;
            TlsPeer = peer;
            Remote = (IPEndPoint)socket.RemoteEndPoint!;
            Local = owner.LocalEndPoint;
            _lastActivity = owner._options.TimeProvider.GetTimestamp();
        }

        public long Id { get; }

        public SipTransportKind Transport => _owner.Transport;

        /// <summary>The listener's address: what Via and flow tokens name, also for outbound connections.</summary>
        public IPEndPoint Local { get; }

        public IPEndPoint Remote { get; }

        public TlsPeerIdentity? TlsPeer { get; }

        public bool IsOpen => Volatile.Read(ref _closed) == 0;

        public bool CountedPerAddress { get; init; }

        public long LastActivity => Interlocked.Read(ref _lastActivity);

        public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination)
        {
            lock (_sendLock)
            {
                if (!IsOpen)
                {
                    return false;
                }

                try
                {
                    _stream.Write(message);
                    return true;
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    Close();
                    return false;
                }
            }
        }

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            _owner._flows.Remove(this);
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already reset by the peer; closing below is all that is left to do.
            }

            _socket.Dispose();
        }

        public async Task RunAsync(ISipInboundHandler handler, CancellationToken stop)
        {
            var context = new SipInboundContext(Transport, Local, Remote, this) { ConnectionId = Id, TlsPeer = TlsPeer };
            var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
            try
            {
                var open = true;
                while (open && !stop.IsCancellationRequested)
                {
                    var result = await reader.ReadAsync(stop).ConfigureAwait(false);
                    Interlocked.Exchange(ref _lastActivity, _owner._options.TimeProvider.GetTimestamp());
                    var buffer = result.Buffer;
                    open = Drain(ref buffer, handler, context);
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // Peer reset, idle close or node stopping: the connection simply ends.
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                Close();
                await _stream.DisposeAsync().ConfigureAwait(false);
                _owner._connections.TryRemove(Id, out _);
                if (CountedPerAddress)
                {
                    _owner.Release(Remote.Address);
                }
            }
        }

        private bool Drain(ref ReadOnlySequence<byte> buffer, ISipInboundHandler handler, in SipInboundContext context)
        {
            while (!buffer.IsEmpty)
            {
                var parsed = SipParser.ParseStream(buffer, _owner._options.Parser);
                switch (parsed.Status)
                {
                    case SipParseStatus.NeedMoreData:
                        if (buffer.Length > _owner.MaxMessageBytes)
                        {
                            _owner.Count(StreamCloseCause.Unframeable);
                            LogOversize(_owner._logger, Remote, buffer.Length);
                            return false;
                        }

                        return true;
                    case SipParseStatus.KeepAlive:
                        if (parsed.KeepAlive == SipKeepAlive.Ping)
                        {
                            // RFC 5626 §4.4.1: a double-CRLF ping is answered with a single CRLF pong.
                            Send(Pong, Remote);
                        }

                        buffer = buffer.Slice(parsed.Consumed);
                        break;
                    case SipParseStatus.Message:
                        buffer = buffer.Slice(parsed.Consumed);
                        Deliver(parsed, handler, context);
                        break;
                    default:
                        Deliver(parsed, handler, context);
                        if (parsed.Consumed == 0)
                        {
                            // The framing is lost (e.g. a broken Content-Length): nothing after this can be trusted.
                            _owner.Count(StreamCloseCause.Unframeable);
                            LogUnframeable(_owner._logger, Remote);
                            return false;
                        }

                        buffer = buffer.Slice(parsed.Consumed);
                        break;
                }
            }

            return true;
        }

        private void Deliver(in SipParseResult parsed, ISipInboundHandler handler, in SipInboundContext context)
        {
            try
            {
                handler.OnMessage(parsed, context);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _owner._handlerFaults);
                LogHandlerFault(_owner._logger, e, Remote);
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "SIP {Transport} listening on {LocalEndPoint}")]
    private static partial void LogListening(ILogger logger, SipTransportKind transport, IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "SIP TCP accept error on {LocalEndPoint}: {SocketError}")]
    private static partial void LogAcceptError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "SIP connection from {Remote} closed: stream cannot be framed")]
    private static partial void LogUnframeable(ILogger logger, IPEndPoint remote);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "SIP handler failed on a message from {Remote}")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception, IPEndPoint remote);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "SIP connection from {Remote} closed: {Bytes} unframed bytes exceed the message limit")]
    private static partial void LogOversize(ILogger logger, IPEndPoint remote, long bytes);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Debug, Message = "SIP connection from {Remote} closed: idle")]
    private static partial void LogIdle(ILogger logger, IPEndPoint remote);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "SIP connection from {Address} refused: more than {Limit} connections from that address")]
    private static partial void LogPerAddressLimit(ILogger logger, IPAddress address, int limit);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "TLS handshake with {Remote} failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Information, Message = "SIP connection to {Remote} failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, IPEndPoint remote, string reason);
}
