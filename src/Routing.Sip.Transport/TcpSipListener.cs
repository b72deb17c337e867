using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routing.Sip.Message;

namespace Routing.Sip.Transport;

/// <summary>
/// A TCP listening socket for SIP. Each accepted connection is read through a pipe and cut into messages by an
/// <see cref="SipParser.ParseStream(in ReadOnlySequence{byte}, SipParserOptions?)"/> (RFC 3261 §18.3: Content-Length frames the body); responses go back on the same connection (RFC 3261 §18.2.2). Neither the accept
/// loop nor a connection loop throws out.
/// </summary>
public sealed partial class TcpSipListener : IAsyncDisposable
{
    private const int Backlog = 512;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private CancellationTokenSource? _stopping;
    private Task? _acceptLoop;
    private long _nextConnectionId;
    private long _accepted;
    private long _unframeable;
    private long _handlerFaults;

    private readonly SipParserOptions _parserOptions;

    private TcpSipListener(Socket socket, IPEndPoint local, ILogger logger, SipParserOptions parserOptions)
    {
        _socket = socket;
        LocalEndPoint = local;
        _logger = logger;
        _parserOptions = parserOptions;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>A connection whose buffered, unframed bytes exceed the parser's message limit is closed.</summary>
    public int MaxMessageBytes => _parserOptions.MaxMessageSize;

    public int OpenConnections => _connections.Count;

    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    public long UnframeableConnections => Interlocked.Read(ref _unframeable);

    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    /// <summary>Binds and listens. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse) when it cannot.</summary>
    public static TcpSipListener Bind(IPEndPoint endPoint, ILogger logger, SipParserOptions? parserOptions = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(logger);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted node may rebind past TIME_WAIT; a live listener still conflicts (no SO_REUSEPORT).
            SocketReuse.AllowTimeWaitRebind(socket);
            socket.NoDelay = true;
            socket.Bind(endPoint);
            socket.Listen(Backlog);
            return new TcpSipListener(socket, (IPEndPoint)socket.LocalEndPoint!, logger, parserOptions ?? SipParserOptions.Default);
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

        _stopping = new CancellationTokenSource();
        _acceptLoop = Task.Run(() => AcceptLoopAsync(handler, _stopping.Token));
    }

    private async Task AcceptLoopAsync(ISipInboundHandler handler, CancellationToken stop)
    {
        LogListening(_logger, LocalEndPoint);
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
            catch (SocketException e)
            {
                // Aborted handshakes (ECONNABORTED) and fd exhaustion must not stop the listener.
                LogAcceptError(_logger, LocalEndPoint, e.SocketErrorCode);
                continue;
            }

            client.NoDelay = true;
            Interlocked.Increment(ref _accepted);
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new Connection(this, id, client);
            _connections[id] = connection;
            _ = Task.Run(() => connection.RunAsync(handler, stop), CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
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

    private sealed class Connection : ISipSender
    {
        private static readonly byte[] Pong = "\r\n"u8.ToArray();

        private readonly TcpSipListener _owner;
        private readonly long _id;
        private readonly Socket _socket;
        private readonly IPEndPoint _remote;
        private readonly Lock _sendLock = new();

        public Connection(TcpSipListener owner, long id, Socket socket)
        {
            _owner = owner;
            _id = id;
            _socket = socket;
            _remote = (IPEndPoint)socket.RemoteEndPoint!;
        }

        public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination)
        {
            lock (_sendLock)
            {
                try
                {
                    while (!message.IsEmpty)
                    {
                        var n = _socket.Send(message, SocketFlags.None);
                        message = message[n..];
                    }

                    return true;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return false;
                }
            }
        }

        public void Close()
        {
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
            var context = new SipInboundContext(SipTransportKind.Tcp, _owner.LocalEndPoint, _remote, this);
            var stream = new NetworkStream(_socket, ownsSocket: false);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
            try
            {
                var open = true;
                while (open && !stop.IsCancellationRequested)
                {
                    var result = await reader.ReadAsync(stop).ConfigureAwait(false);
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
                // Peer reset or node stopping: the connection simply ends.
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                await stream.DisposeAsync().ConfigureAwait(false);
                Close();
                _owner._connections.TryRemove(_id, out _);
            }
        }

        private bool Drain(ref ReadOnlySequence<byte> buffer, ISipInboundHandler handler, in SipInboundContext context)
        {
            while (!buffer.IsEmpty)
            {
                var parsed = SipParser.ParseStream(buffer, _owner._parserOptions);
                switch (parsed.Status)
                {
                    case SipParseStatus.NeedMoreData:
                        if (buffer.Length > _owner.MaxMessageBytes)
                        {
                            Interlocked.Increment(ref _owner._unframeable);
                            return false;
                        }

                        return true;
                    case SipParseStatus.KeepAlive:
                        if (parsed.KeepAlive == SipKeepAlive.Ping)
                        {
                            // RFC 5626 §4.4.1: a double-CRLF ping is answered with a single CRLF pong.
                            Send(Pong, _remote);
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
                            Interlocked.Increment(ref _owner._unframeable);
                            LogUnframeable(_owner._logger, _remote);
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
                LogHandlerFault(_owner._logger, e, _remote);
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "SIP TCP listening on {LocalEndPoint}")]
    private static partial void LogListening(ILogger logger, IPEndPoint localEndPoint);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "SIP TCP accept error on {LocalEndPoint}: {SocketError}")]
    private static partial void LogAcceptError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "SIP TCP connection from {Remote} closed: stream cannot be framed")]
    private static partial void LogUnframeable(ILogger logger, IPEndPoint remote);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "SIP handler failed on a message from {Remote}")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception, IPEndPoint remote);
}
