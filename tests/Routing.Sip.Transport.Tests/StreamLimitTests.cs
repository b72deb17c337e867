using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Message;

namespace Routing.Sip.Transport.Tests;

public sealed class StreamLimitTests
{
    private static async Task<bool> ClosedByServerAsync(NetworkStream stream)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        try
        {
            var buffer = new byte[64];
            return await stream.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public async Task IdleConnection_ClosedAfterTheIdleTimeoutOnTheFakeClock()
    {
        var clock = new FakeTimeProvider();
        await using var listener = TcpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance,
            new StreamListenerOptions { IdleTimeout = TimeSpan.FromSeconds(60), TimeProvider = clock });
        var handler = new RecordingHandler();
        listener.Start(handler);
        using var client = new TcpClient();
        await client.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        await client.GetStream().WriteAsync(Wire.Options("idle-1"), TestContext.Current.CancellationToken);
        Assert.True(handler.Received.TryTake(out _, Wire.Timeout));

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, listener.Closed(StreamCloseCause.Idle));
        clock.Advance(TimeSpan.FromSeconds(46));

        Assert.True(await ClosedByServerAsync(client.GetStream()));
        Assert.Equal(1, listener.Closed(StreamCloseCause.Idle));
    }

    [Fact]
    public async Task PerAddressLimit_ConnectionBeyondTheLimitClosed()
    {
        await using var listener = TcpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance,
            new StreamListenerOptions { MaxConnectionsPerAddress = 2 });
        var handler = new RecordingHandler();
        listener.Start(handler);
        using var a = new TcpClient();
        using var b = new TcpClient();
        using var c = new TcpClient();
        await a.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        await a.GetStream().WriteAsync(Wire.Options("a"), TestContext.Current.CancellationToken);
        Assert.True(handler.Received.TryTake(out _, Wire.Timeout));
        await b.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        await b.GetStream().WriteAsync(Wire.Options("b"), TestContext.Current.CancellationToken);
        Assert.True(handler.Received.TryTake(out _, Wire.Timeout));

        await c.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);

        Assert.True(await ClosedByServerAsync(c.GetStream()));
        Assert.Equal(1, listener.Closed(StreamCloseCause.PerAddressLimit));
        Assert.Equal(2, listener.OpenConnections);
    }

    [Fact]
    public async Task OversizeUnframedBytes_ConnectionClosed()
    {
        await using var listener = TcpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance,
            new StreamListenerOptions { Parser = new SipParserOptions { MaxMessageSize = 4096 } });
        listener.Start(new RecordingHandler());
        using var client = new TcpClient();
        await client.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        var header = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nX-Pad: "u8.ToArray();
        var pad = new byte[8192];
        Array.Fill(pad, (byte)'a');

        try
        {
            await client.GetStream().WriteAsync(header, TestContext.Current.CancellationToken);
            await client.GetStream().WriteAsync(pad, TestContext.Current.CancellationToken);
        }
        catch (IOException)
        {
            // The server may already have closed while the padding was on its way.
        }

        Assert.True(await ClosedByServerAsync(client.GetStream()));
        Assert.Equal(1, listener.Closed(StreamCloseCause.Unframeable));
    }

    [Fact]
    public async Task ReusePort_TwoUdpListenersShareOneAddress()
    {
        await using var first = UdpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), 1 << 16, NullLogger.Instance, reusePort: true);

        await using var second = UdpSipListener.Bind(first.LocalEndPoint, 1 << 16, NullLogger.Instance, reusePort: true);

        Assert.Equal(first.LocalEndPoint, second.LocalEndPoint);
    }
}
