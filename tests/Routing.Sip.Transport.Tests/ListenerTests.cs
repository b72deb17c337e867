using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Sip.Message;

namespace Routing.Sip.Transport.Tests;

/// <summary>Collects what a listener delivers; can be told to throw or to echo a fixed reply.</summary>
internal sealed class RecordingHandler : ISipInboundHandler
{
    private readonly bool _throwOnFirst;
    private int _calls;

    public RecordingHandler(bool throwOnFirst = false) => _throwOnFirst = throwOnFirst;

    public BlockingCollection<(SipParseStatus Status, string? CallId, SipRejectionReason Reason, SipInboundContext Context)> Received { get; } = [];

    public byte[]? Reply { get; init; }

    public void OnMessage(in SipParseResult parsed, in SipInboundContext context)
    {
        using var message = parsed.Message;
        if (_throwOnFirst && Interlocked.Increment(ref _calls) == 1)
        {
            throw new InvalidOperationException("handler fault on purpose");
        }

        var callId = message is null ? null : Encoding.ASCII.GetString(message.CallId);
        Received.Add((parsed.Status, callId, parsed.Rejection.Reason, context));
        if (Reply is not null)
        {
            context.Sender.Send(Reply, context.Remote);
        }
    }
}

internal static class Wire
{
    public static byte[] Options(string callId) => Encoding.ASCII.GetBytes(
        "OPTIONS sip:127.0.0.1 SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bK" + callId + "\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: <sip:a@example.com>;tag=1\r\n" +
        "To: <sip:127.0.0.1>\r\n" +
        "Call-ID: " + callId + "\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Content-Length: 0\r\n\r\n");

    public static TimeSpan Timeout => TimeSpan.FromSeconds(5 * Factor);

    private static double Factor => double.TryParse(Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR"),
        System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1;
}

public sealed class UdpSipListenerTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    [Fact]
    public async Task Datagram_Parsed_DeliveredWithSourceAndAnsweredOnTheSameSocket()
    {
        var handler = new RecordingHandler { Reply = "pong"u8.ToArray() };
        await using var listener = UdpSipListener.Bind(AnyLoopback, 1 << 20, NullLogger.Instance);
        listener.Start(handler);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync(Wire.Options("udp-1"), listener.LocalEndPoint, TestContext.Current.CancellationToken);

        Assert.True(handler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Equal(SipParseStatus.Message, got.Status);
        Assert.Equal("udp-1", got.CallId);
        Assert.Equal(SipTransportKind.Udp, got.Context.Transport);
        Assert.Equal(((IPEndPoint)client.Client.LocalEndPoint!).Port, got.Context.Remote.Port);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        var reply = await client.ReceiveAsync(cts.Token);
        Assert.Equal("pong", Encoding.ASCII.GetString(reply.Buffer));
        Assert.Equal(listener.LocalEndPoint, reply.RemoteEndPoint);
    }

    [Fact]
    public async Task Garbage_DeliveredAsRejection_AndLoopKeepsReceiving()
    {
        var handler = new RecordingHandler();
        await using var listener = UdpSipListener.Bind(AnyLoopback, 1 << 20, NullLogger.Instance);
        listener.Start(handler);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync("GARBAGE\r\n\r\n"u8.ToArray(), listener.LocalEndPoint, TestContext.Current.CancellationToken);
        await client.SendAsync(Wire.Options("after-garbage"), listener.LocalEndPoint, TestContext.Current.CancellationToken);

        Assert.True(handler.Received.TryTake(out var first, Wire.Timeout));
        Assert.Equal(SipParseStatus.Rejected, first.Status);
        Assert.True(handler.Received.TryTake(out var second, Wire.Timeout));
        Assert.Equal("after-garbage", second.CallId);
    }

    [Fact]
    public async Task HandlerThrows_FaultCounted_AndNextDatagramStillDelivered()
    {
        var handler = new RecordingHandler(throwOnFirst: true);
        await using var listener = UdpSipListener.Bind(AnyLoopback, 1 << 20, NullLogger.Instance);
        listener.Start(handler);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await client.SendAsync(Wire.Options("boom"), listener.LocalEndPoint, TestContext.Current.CancellationToken);
        await client.SendAsync(Wire.Options("survivor"), listener.LocalEndPoint, TestContext.Current.CancellationToken);

        Assert.True(handler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Equal("survivor", got.CallId);
        Assert.Equal(1, listener.HandlerFaults);
    }

    [Fact]
    public async Task Bind_PortAlreadyInUse_ThrowsAddressAlreadyInUse()
    {
        await using var first = UdpSipListener.Bind(AnyLoopback, 1 << 20, NullLogger.Instance);

        var e = Assert.Throws<SocketException>(() => UdpSipListener.Bind(first.LocalEndPoint, 1 << 20, NullLogger.Instance));

        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }

    [Fact]
    public async Task Bind_LargeReceiveBuffer_KernelGrantsMoreThanTheDefault()
    {
        await using var listener = UdpSipListener.Bind(AnyLoopback, 4 << 20, NullLogger.Instance);
        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        Assert.True(listener.ReceiveBufferSize > plain.ReceiveBufferSize);
    }
}

public sealed class TcpSipListenerTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);

    private static async Task<Socket> ConnectAsync(TcpSipListener listener)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        return socket;
    }

    [Fact]
    public async Task Rfc3261_18_3_TwoMessagesInOneSegment_FramedByContentLength()
    {
        var handler = new RecordingHandler();
        await using var listener = TcpSipListener.Bind(AnyLoopback, NullLogger.Instance);
        listener.Start(handler);
        using var socket = await ConnectAsync(listener);

        await socket.SendAsync(Wire.Options("t-1").Concat(Wire.Options("t-2")).ToArray(), TestContext.Current.CancellationToken);

        Assert.True(handler.Received.TryTake(out var a, Wire.Timeout));
        Assert.True(handler.Received.TryTake(out var b, Wire.Timeout));
        Assert.Equal("t-1", a.CallId);
        Assert.Equal("t-2", b.CallId);
        Assert.Equal(SipTransportKind.Tcp, a.Context.Transport);
    }

    [Fact]
    public async Task MessageSplitAcrossSegments_DeliveredOnceWhole()
    {
        var handler = new RecordingHandler();
        await using var listener = TcpSipListener.Bind(AnyLoopback, NullLogger.Instance);
        listener.Start(handler);
        using var socket = await ConnectAsync(listener);
        var bytes = Wire.Options("split");

        await socket.SendAsync(bytes.AsMemory(0, 40), TestContext.Current.CancellationToken);
        Assert.False(handler.Received.TryTake(out _, TimeSpan.FromMilliseconds(200)));
        await socket.SendAsync(bytes.AsMemory(40), TestContext.Current.CancellationToken);

        Assert.True(handler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Equal("split", got.CallId);
    }

    [Fact]
    public async Task Rfc5626_4_4_1_DoubleCrlfPing_AnsweredWithCrlfPong()
    {
        var handler = new RecordingHandler();
        await using var listener = TcpSipListener.Bind(AnyLoopback, NullLogger.Instance);
        listener.Start(handler);
        using var socket = await ConnectAsync(listener);

        await socket.SendAsync("\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        var buffer = new byte[8];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        var n = await socket.ReceiveAsync(buffer, cts.Token);

        Assert.Equal("\r\n", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Empty(handler.Received);
    }

    [Fact]
    public async Task Reply_WrittenOnTheSameConnection()
    {
        var handler = new RecordingHandler { Reply = "SIP/2.0 200 OK\r\n\r\n"u8.ToArray() };
        await using var listener = TcpSipListener.Bind(AnyLoopback, NullLogger.Instance);
        listener.Start(handler);
        using var socket = await ConnectAsync(listener);

        await socket.SendAsync(Wire.Options("reply"), TestContext.Current.CancellationToken);
        var buffer = new byte[64];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        var n = await socket.ReceiveAsync(buffer, cts.Token);

        Assert.Equal("SIP/2.0 200 OK\r\n\r\n", Encoding.ASCII.GetString(buffer, 0, n));
    }

    [Fact]
    public async Task UnframeableStream_ConnectionClosed_ListenerKeepsAccepting()
    {
        var handler = new RecordingHandler();
        await using var listener = TcpSipListener.Bind(AnyLoopback, NullLogger.Instance);
        listener.Start(handler);
        using var bad = await ConnectAsync(listener);

        // A header section that never ends and outgrows the message limit cannot be framed.
        var junk = Encoding.ASCII.GetBytes("OPTIONS sip:x SIP/2.0\r\nX-Pad: " + new string('a', 70_000));
        await bad.SendAsync(junk, TestContext.Current.CancellationToken);
        var buffer = new byte[16];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        int n;
        try
        {
            n = await bad.ReceiveAsync(buffer, cts.Token);
        }
        catch (SocketException)
        {
            n = 0;
        }

        Assert.Equal(0, n);
        Assert.True(handler.Received.TryTake(out var rejected, Wire.Timeout));
        Assert.Equal(SipParseStatus.Rejected, rejected.Status);
        Assert.Equal(1, listener.UnframeableConnections);
        using var good = await ConnectAsync(listener);
        await good.SendAsync(Wire.Options("still-open"), TestContext.Current.CancellationToken);
        Assert.True(handler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Equal("still-open", got.CallId);
    }

    [Fact]
    public async Task Bind_PortAlreadyListening_ThrowsAddressAlreadyInUse()
    {
        await using var first = TcpSipListener.Bind(AnyLoopback, NullLogger.Instance);

        var e = Assert.Throws<SocketException>(() => TcpSipListener.Bind(first.LocalEndPoint, NullLogger.Instance));

        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }
}
