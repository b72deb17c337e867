using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Routing.Sip.Transport.Tests;

public sealed class StunTests
{
    private static byte[] BindingRequest()
    {
        var request = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(request, 0x0001);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), 0x2112A442);
        for (var i = 8; i < 20; i++)
        {
            request[i] = (byte)(i * 7);
        }

        return request;
    }

    private static IPEndPoint DecodeXorMapped(ReadOnlySpan<byte> response, ReadOnlySpan<byte> request)
    {
        Assert.Equal(0x0101, BinaryPrimitives.ReadUInt16BigEndian(response));
        Assert.True(response.Slice(4, 16).SequenceEqual(request.Slice(4, 16)), "cookie and transaction id echoed");
        var a = response[20..];
        Assert.Equal(0x0020, BinaryPrimitives.ReadUInt16BigEndian(a));
        var port = BinaryPrimitives.ReadUInt16BigEndian(a[6..]) ^ 0x2112;
        var size = a[5] == 1 ? 4 : 16;
        var address = new byte[size];
        for (var i = 0; i < size; i++)
        {
            address[i] = (byte)(a[8 + i] ^ request[4 + i]);
        }

        return new IPEndPoint(new IPAddress(address), port);
    }

    [Fact]
    public void Rfc5389_6_BindingRequest_Recognised_SipIsNot()
    {
        Assert.True(StunKeepAlive.IsBindingRequest(BindingRequest()));
        Assert.False(StunKeepAlive.IsStun("OPTIONS sip:a SIP/2.0\r\n\r\n"u8));
        Assert.False(StunKeepAlive.IsStun("\r\n\r\n"u8));
    }

    [Theory]
    [InlineData("198.51.100.7", 40123)]
    [InlineData("2001:db8::99", 5062)]
    public void Rfc5389_15_2_BindingSuccess_XorMappedAddressIsTheSource(string ip, int port)
    {
        var request = BindingRequest();
        var response = new byte[64];

        var n = StunKeepAlive.WriteBindingSuccess(request, new IPEndPoint(IPAddress.Parse(ip), port), response);

        Assert.Equal(IPAddress.Parse(ip).AddressFamily == AddressFamily.InterNetwork ? 32 : 44, n);
        Assert.Equal(n - 20, BinaryPrimitives.ReadUInt16BigEndian(response.AsSpan(2)));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), DecodeXorMapped(response.AsSpan(0, n), request));
    }

    [Fact]
    public async Task Rfc5626_4_4_2_StunOnTheSipPort_AnsweredAndNotDeliveredAsSip()
    {
        var handler = new RecordingHandler();
        await using var listener = UdpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), 1 << 20, NullLogger.Instance);
        listener.Start(handler);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = BindingRequest();

        await client.SendAsync(request, listener.LocalEndPoint, TestContext.Current.CancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        var reply = await client.ReceiveAsync(cts.Token);

        Assert.Equal((IPEndPoint)client.Client.LocalEndPoint!, DecodeXorMapped(reply.Buffer, request));
        Assert.Equal(1, listener.StunBindings);
        Assert.Empty(handler.Received);
    }
}
