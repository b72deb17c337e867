using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Routing.Sip.Message;

namespace Routing.Sip.Transport;

/// <summary>
/// One UDP socket for SIP. The socket is bound by <see cref="Bind"/> (so a port clash is found before anything else
/// starts) and read by <see cref="Start"/> until <see cref="StopAsync"/>. The receive loop never throws out: socket
/// errors are logged and counted, handler faults are counted.
/// </summary>
public sealed partial class UdpSipListener : IAsyncDisposable, ISipSender
{
    // RFC 3261 §18.1.1 allows datagrams up to the IP limit; a UDP payload cannot exceed 65 507 bytes on IPv4.
    private const int MaxDatagram = 65_535;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private CancellationTokenSource? _stopping;
    private Task? _loop;
    private long _datagramsReceived;
    private long _receiveErrors;
    private long _handlerFaults;
    private long _sendErrors;
    private long _keepAlives;
    private long _stunBindings;

    private readonly SipParserOptions _parserOptions;

    private UdpSipListener(Socket socket, IPEndPoint local, ILogger logger, SipParserOptions parserOptions)
    {
        _socket = socket;
        LocalEndPoint = local;
        _logger = logger;
        _parserOptions = parserOptions;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Receive buffer the kernel granted (Linux reports double the request, capped by net.core.rmem_max).</summary>
    public int ReceiveBufferSize => _socket.ReceiveBufferSize;

    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    public long HandlerFaults => Interlocked.Read(ref _handlerFaults);

    public long SendErrors => Interlocked.Read(ref _sendErrors);

    public long KeepAlives => Interlocked.Read(ref _keepAlives);

    /// <summary>STUN Binding requests answered (RFC 5626 §4.4.2).</summary>
    public long StunBindings => Interlocked.Read(ref _stunBindings);

    /// <summary>Binds the socket. Throws <see cref="SocketException"/> (e.g. AddressAlreadyInUse) when it cannot.</summary>
    /// <param name="reusePort">
    /// Sets SO_REUSEPORT so several edge processes can bind the same signalling address and the kernel spreads
    /// datagrams among them by source (Linux). Off by default: it also hides a second node started by mistake.
    /// </param>
    public static UdpSipListener Bind(IPEndPoint endPoint, int receiveBufferBytes, ILogger logger, SipParserOptions? parserOptions = null, bool reusePort = false)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(logger);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            // A large buffer absorbs bursts (REGISTER storms after an outage) while the loop catches up.
            socket.ReceiveBufferSize = receiveBufferBytes;
            if (reusePort)
            {
                SocketReuse.SharePort(socket);
            }

            socket.Bind(endPoint);
            return new UdpSipListener(socket, (IPEndPoint)socket.LocalEndPoint!, logger, parserOptions ?? SipParserOptions.Default);
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
        if (_loop is not null)
        {
            throw new InvalidOperationException("The listener is already started.");
        }

        _stopping = new CancellationTokenSource();

        // A thread of its own with blocking receives: an async loop's continuation waited in the thread pool's queue
        // behind actor and proxy work, and under load the kernel dropped datagrams while it did. On Linux disposing the
        // socket wakes a blocked receive (.NET shuts it down first); elsewhere a receive timeout lets the loop see the
        // stop flag (not on Linux: each timeout is a thrown exception, counted by the runtime's exception metric).
        if (!OperatingSystem.IsLinux())
        {
            _socket.ReceiveTimeout = (int)ReceivePoll.TotalMilliseconds;
        }

        var stop = _stopping.Token;
        _loop = Task.Factory.StartNew(() => ReceiveLoop(handler, stop), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination)
    {
        try
        {
            _socket.SendTo(message, SocketFlags.None, destination);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _sendErrors);
            return false;
        }
    }

    /// <summary>How often a receive with nothing to read wakes up to look at the stop flag.</summary>
    private static readonly TimeSpan ReceivePoll = TimeSpan.FromMilliseconds(250);

    private void ReceiveLoop(ISipInboundHandler handler, CancellationToken stop)
    {
        Thread.CurrentThread.Name = "sip-udp-receive";
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
        var address = new SocketAddress(_socket.AddressFamily);
        LogListening(_logger, LocalEndPoint, _socket.ReceiveBufferSize);
        while (!stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown
                                            && stop.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e)
            {
                // ICMP port-unreachable from an earlier send surfaces here on some stacks; the socket stays usable.
                Interlocked.Increment(ref _receiveErrors);
                LogReceiveError(_logger, LocalEndPoint, e.SocketErrorCode);
                continue;
            }

            Interlocked.Increment(ref _datagramsReceived);
            IPEndPoint remote;
            try
            {
                remote = (IPEndPoint)LocalEndPoint.Create(address);
            }
            catch (ArgumentException)
            {
                Interlocked.Increment(ref _receiveErrors);
                continue;
            }

            try
            {
                var datagram = buffer.AsSpan(0, length);
                if (StunKeepAlive.IsStun(datagram))
                {
                    AnswerStun(datagram, remote);
                    continue;
                }

                var parsed = SipParser.ParseDatagram(datagram, _parserOptions);
                if (parsed.Status == SipParseStatus.KeepAlive)
                {
                    // RFC 5626 §4.4.1 uses STUN on UDP; a CRLF datagram only refreshes the NAT binding and needs no answer.
                    Interlocked.Increment(ref _keepAlives);
                    continue;
                }

                handler.OnMessage(parsed, new SipInboundContext(SipTransportKind.Udp, LocalEndPoint, remote, this));
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _handlerFaults);
                LogHandlerFault(_logger, e, remote);
            }
        }
    }

    private void AnswerStun(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        Interlocked.Increment(ref _keepAlives);
        if (!StunKeepAlive.IsBindingRequest(datagram))
        {
            // Indications and responses need no answer (RFC 5389 §7.3).
            return;
        }

        Interlocked.Increment(ref _stunBindings);
        Span<byte> reply = stackalloc byte[64];
        var n = StunKeepAlive.WriteBindingSuccess(datagram, remote, reply);
        Send(reply[..n], remote);
    }

    public async Task StopAsync()
    {
        if (_stopping is null)
        {
            _socket.Dispose();
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping?.Dispose();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "SIP UDP listening on {LocalEndPoint} (receive buffer {ReceiveBufferBytes} bytes)")]
    private static partial void LogListening(ILogger logger, IPEndPoint localEndPoint, int receiveBufferBytes);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "SIP UDP receive error on {LocalEndPoint}: {SocketError}")]
    private static partial void LogReceiveError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "SIP handler failed on a datagram from {Remote}")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception, IPEndPoint remote);
}
