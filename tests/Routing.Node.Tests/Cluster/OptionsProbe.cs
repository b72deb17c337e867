using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// Sends an OPTIONS to the cluster's shared signalling address every 100 ms, each from a fresh UDP socket so the kernel
/// spreads them over the members, and retransmits it like a UAC (RFC 3261 §17.1.2.2, Timer E from T1 = 500 ms) until a
/// final response or 4 s. Counts requests answered 200 and requests never answered.
/// </summary>
internal sealed class OptionsProbe : IAsyncDisposable
{
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<Task> _inFlight = [];
    private int _sent;
    private int _answered;
    private int _unanswered;
    private int _disposed;

    public OptionsProbe(int port)
    {
        _port = port;
        _loop = Task.Run(RunAsync);
    }

    public int Sent => Volatile.Read(ref _sent);

    public int Answered => Volatile.Read(ref _answered);

    public int Unanswered => Volatile.Read(ref _unanswered);

    /// <summary>Stops sending and waits for the requests still in flight to be answered or to give up.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        Task[] pending;
        lock (_inFlight)
        {
            pending = [.. _inFlight];
        }

        await Task.WhenAll(pending);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await tick.WaitForNextTickAsync(_stop.Token))
            {
                var one = OneAsync();
                lock (_inFlight)
                {
                    _inFlight.Add(one);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task OneAsync()
    {
        Interlocked.Increment(ref _sent);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var local = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var id = Guid.NewGuid().ToString("N");
        var request = Encoding.ASCII.GetBytes(
            $"OPTIONS sip:127.0.0.1:{_port} SIP/2.0\r\n" +
            $"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{id}\r\n" +
            "Max-Forwards: 70\r\n" +
            $"To: <sip:127.0.0.1:{_port}>\r\n" +
            $"From: <sip:probe@127.0.0.1>;tag={id[..8]}\r\n" +
            $"Call-ID: {id}@probe\r\n" +
            "CSeq: 1 OPTIONS\r\n" +
            "Content-Length: 0\r\n\r\n");
        var target = new IPEndPoint(IPAddress.Loopback, _port);
        var buffer = new byte[4096];
        var interval = TimeSpan.FromMilliseconds(500);
        var start = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(start) < TimeSpan.FromSeconds(4))
        {
            await socket.SendToAsync(request, target);
            using var wait = new CancellationTokenSource(interval);
            try
            {
                while (true)
                {
                    var got = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                    var text = Encoding.ASCII.GetString(buffer, 0, got.ReceivedBytes);
                    if (text.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && text.Contains(id, StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref _answered);
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Timer E fired: retransmit with the interval doubled (capped at T2 = 4 s).
                interval = TimeSpan.FromMilliseconds(Math.Min(interval.TotalMilliseconds * 2, 4000));
            }
        }

        Interlocked.Increment(ref _unanswered);
    }
}
