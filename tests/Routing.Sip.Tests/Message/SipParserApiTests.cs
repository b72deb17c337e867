using System.Buffers;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

public class SipParserApiTests
{
    [Fact]
    public void ParseDatagram_MobileRegister_ExposesRoutingHeaders()
    {
        var bytes = TestMessages.Wire(TestMessages.Register);
        var result = SipParser.ParseDatagram(bytes);

        Assert.Equal(SipParseStatus.Message, result.Status);
        using var m = result.Message!;
        Assert.True(m.IsRequest);
        Assert.Equal(SipMethod.Register, m.Method);
        Assert.Equal("sip:example.com", Encoding.ASCII.GetString(m.RequestUri));
        Assert.Equal("9f2c7a1e4b6d8f00@10.0.0.7", Encoding.ASCII.GetString(m.CallId));
        Assert.Equal(2, m.CSeqNumber);
        Assert.Equal("REGISTER", Encoding.ASCII.GetString(m.CSeqMethod));
        Assert.Equal(70, m.MaxForwards);
        Assert.Equal(0, m.ContentLength);
        Assert.Equal("8a1b2c3d", Encoding.ASCII.GetString(m.FromTag));
        Assert.True(m.ToTag.IsEmpty);
        Assert.Equal("TCP", Encoding.ASCII.GetString(m.TopViaTransport));
        Assert.Equal("10.0.0.7:50612", Encoding.ASCII.GetString(m.TopViaSentBy));
        Assert.Equal("z9hG4bK-524287-1---7a5e1d5f", Encoding.ASCII.GetString(m.TopViaBranch));
        Assert.Equal(bytes, m.Span.ToArray());
    }

    [Fact]
    public void ParseStream_TwoMessagesBackToBack_FramesEachByContentLength()
    {
        var one = TestMessages.Wire(TestMessages.Register);
        var two = TestMessages.Wire(TestMessages.Options);
        var both = one.Concat(two).ToArray();

        var first = SipParser.ParseStream(new ReadOnlySequence<byte>(both));
        Assert.Equal(SipParseStatus.Message, first.Status);
        Assert.Equal(one.Length, first.Consumed);
        first.Message!.Dispose();

        var second = SipParser.ParseStream(new ReadOnlySequence<byte>(both, one.Length, two.Length));
        Assert.Equal(SipParseStatus.Message, second.Status);
        Assert.Equal(SipMethod.Options, second.Message!.Method);
        second.Message.Dispose();
    }

    [Fact]
    public void ParseStream_DoubleCrlf_ReportsPing()
    {
        var result = SipParser.ParseStream("\r\n\r\nREGISTER"u8);

        Assert.Equal(SipParseStatus.KeepAlive, result.Status);
        Assert.Equal(SipKeepAlive.Ping, result.KeepAlive);
        Assert.Equal(4, result.Consumed);
    }

    [Fact]
    public void ResponseBuilder_OptionsRequest_CopiesViasFromToCallIdCSeqAndAddsToTag()
    {
        using var request = SipParser.ParseDatagram(TestMessages.Wire(TestMessages.Options)).Message!;
        var output = new ArrayBufferWriter<byte>();

        SipResponseBuilder.Write(request, 200, default, "abc123"u8, output, "Allow: INVITE, ACK, OPTIONS\r\n"u8);

        var text = Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.Equal(
            "SIP/2.0 200 OK\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKopt1;rport\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKopt0\r\n" +
            "To: <sip:proxy.example.com>;tag=abc123\r\n" +
            "From: \"Probe\" <sip:probe@example.com>;tag=77aa\r\n" +
            "Call-ID: opt-123@192.0.2.4\r\n" +
            "CSeq: 1 OPTIONS\r\n" +
            "Allow: INVITE, ACK, OPTIONS\r\n" +
            "Content-Length: 0\r\n\r\n",
            text);
        var reparsed = SipParser.ParseStream(output.WrittenSpan);
        Assert.Equal(SipParseStatus.Message, reparsed.Status);
        reparsed.Message!.Dispose();
    }

    [Fact]
    public void ResponseBuilder_Trying_KeepsToWithoutTagAndCopiesTimestamp()
    {
        using var request = SipParser.ParseDatagram(TestMessages.Wire(TestMessages.Options)).Message!;
        var output = new ArrayBufferWriter<byte>();

        SipResponseBuilder.Write(request, 100, default, default, output);

        var text = Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.Contains("\r\nTo: <sip:proxy.example.com>\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nTimestamp: 54\r\n", text, StringComparison.Ordinal);
    }
}
