using System.Net;
using System.Text;

namespace Routing.Sip.Transport.Tests;

public sealed class FlowTokenTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("0123456789abcdef-cluster-secret");
    private static readonly FlowTokenCodec Codec = new(Secret, "edge-7");
    private static readonly SipFlowAddress TcpFlow = new(SipTransportKind.Tcp, new IPEndPoint(IPAddress.Parse("10.0.0.1"), 5060),
        new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40123), 4711);

    [Fact]
    public void Rfc5626_5_2_EncodeThenDecode_SameNodeAndFlow()
    {
        var token = Codec.Encode(TcpFlow);

        Assert.Equal(FlowTokenRejection.None, Codec.TryDecode(token, out var content));
        Assert.Equal("edge-7", content.NodeId);
        Assert.Equal(TcpFlow, content.Flow);
    }

    [Fact]
    public void Ipv6UdpFlow_RoundTrips()
    {
        var flow = new SipFlowAddress(SipTransportKind.Udp, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5060),
            new IPEndPoint(IPAddress.Parse("2001:db8::99"), 5062), 0);

        Assert.Equal(FlowTokenRejection.None, Codec.TryDecode(Codec.Encode(flow), out var content));
        Assert.Equal(flow, content.Flow);
    }

    [Fact]
    public void Token_UsesOnlyUriUserCharacters()
    {
        var token = Codec.Encode(TcpFlow);

        Assert.All(token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}'"));
    }

    [Fact]
    public void Rfc5626_5_2_EveryAlteredCharacter_RefusedAsBadSignatureOrMalformed()
    {
        var token = Codec.Encode(TcpFlow);
        for (var i = 0; i < token.Length; i++)
        {
            var altered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            var rejection = Codec.TryDecode(altered, out _);
            Assert.True(rejection is FlowTokenRejection.BadSignature or FlowTokenRejection.Malformed, $"position {i}: {rejection}");
        }
    }

    [Fact]
    public void TokenMadeWithAnotherSecret_BadSignature()
    {
        var forger = new FlowTokenCodec(Encoding.ASCII.GetBytes("not-the-cluster-secret-at-all!!"), "edge-7");

        Assert.Equal(FlowTokenRejection.BadSignature, Codec.TryDecode(forger.Encode(TcpFlow), out _));
    }

    [Fact]
    public void TokenOfAnotherNodeOfTheCluster_OtherNodeWithItsContent()
    {
        var sibling = new FlowTokenCodec(Secret, "edge-9");

        Assert.Equal(FlowTokenRejection.OtherNode, Codec.TryDecode(sibling.Encode(TcpFlow), out var content));
        Assert.Equal("edge-9", content.NodeId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("!!!!not-base64!!!!")]
    public void Garbage_Malformed(string token) =>
        Assert.Equal(FlowTokenRejection.Malformed, Codec.TryDecode(token, out _));

    [Fact]
    public void ShortSecret_Refused() =>
        Assert.Throws<ArgumentException>(() => new FlowTokenCodec("short"u8, "edge-1"));

    [Fact]
    public void FlowTable_SendByTokenForAClosedConnection_FlowGone()
    {
        var table = new SipFlowTable();

        Assert.Equal(FlowSendResult.FlowGone, table.Send(Codec, Codec.Encode(TcpFlow), "x"u8));
        Assert.Equal(FlowSendResult.InvalidToken, table.Send(Codec, "garbage-token", "x"u8));
    }
}
