using System.Buffers;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

public class SipBuilderTests
{
    [Fact]
    public void RequestBuilder_Invite_WritesAParseableRequestWithMandatoryHeaders()
    {
        var output = new ArrayBufferWriter<byte>();
        var sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"u8;

        SipRequestBuilder.Write(
            new SipRequestParts
            {
                Method = "INVITE"u8,
                RequestUri = "sip:bob@biloxi.example.com"u8,
                ViaTransport = "UDP"u8,
                ViaSentBy = "192.0.2.1:5060"u8,
                ViaParameters = "rport"u8,
                From = "\"Alice\" <sip:alice@atlanta.example.com>"u8,
                To = "<sip:bob@biloxi.example.com>"u8,
                CallId = "a84b4c76e66710@pc33.atlanta.example.com"u8,
                CSeq = 314159,
                Contact = "<sip:alice@192.0.2.1:5060>"u8,
                Route = "<sip:p1.example.com;lr>"u8,
                ContentType = "application/sdp"u8,
                Body = sdp,
            },
            output);

        var result = SipParser.ParseStream(output.WrittenSpan);
        Assert.True(result.Status == SipParseStatus.Message, result.ToString());
        using var m = result.Message!;
        Assert.Equal(SipMethod.Invite, m.Method);
        Assert.Equal(70, m.MaxForwards);
        Assert.Equal(314159, m.CSeqNumber);
        Assert.Equal(SipTag.Length, m.FromTag.Length);
        Assert.True(m.ToTag.IsEmpty);
        Assert.StartsWith("z9hG4bK", Encoding.ASCII.GetString(m.TopViaBranch), StringComparison.Ordinal);
        Assert.Equal(sdp.ToArray(), m.Body.ToArray());
        Assert.Equal(1, m.CountOf(SipHeaderId.Route));
    }

    [Fact]
    public void RequestBuilder_CSeqTooLarge_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SipRequestBuilder.Write(
            new SipRequestParts
            {
                Method = "OPTIONS"u8,
                RequestUri = "sip:a@b"u8,
                ViaTransport = "UDP"u8,
                ViaSentBy = "h"u8,
                From = "<sip:a@b>"u8,
                To = "<sip:a@b>"u8,
                CallId = "c"u8,
                CSeq = 1L << 31,
            },
            new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void ResponseBuilder_RequestWithToTag_KeepsTheExistingTag()
    {
        using var request = SipParser.ParseDatagram(Corpus.Load("rfc3665/invite-f15-bye")).Message!;
        var output = new ArrayBufferWriter<byte>();

        SipResponseBuilder.Write(request, 200, default, "other"u8, output);

        var text = Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.Contains("\r\nTo: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("other", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ResponseBuilder_FoldedVias_CopiedByteForByte()
    {
        using var request = SipParser.ParseDatagram(Corpus.Load("rfc4475/wsinv")).Message!;
        var output = new ArrayBufferWriter<byte>();

        SipResponseBuilder.Write(request, 486, default, "t1"u8, output);

        var result = SipParser.ParseStream(output.WrittenSpan);
        Assert.True(result.Status == SipParseStatus.Message, result.ToString());
        using var response = result.Message!;
        Assert.Equal(486, response.StatusCode);
        Assert.Equal(request.TopViaBranch.ToArray(), response.TopViaBranch.ToArray());
        Assert.Equal(2, response.CountOf(SipHeaderId.Via));
        Assert.Equal("1918181833n"u8.ToArray(), response.ToTag.ToArray());
        Assert.Equal(request.CallId.ToArray(), response.CallId.ToArray());
    }

    [Fact]
    public void ResponseBuilder_RandomTag_IsSixteenTokenCharacters()
    {
        using var request = SipParser.ParseDatagram(TestMessages.Wire(TestMessages.Options)).Message!;
        var output = new ArrayBufferWriter<byte>();

        SipResponseBuilder.Write(request, 200, default, default, output);

        using var response = SipParser.ParseStream(output.WrittenSpan).Message!;
        Assert.Equal(SipTag.Length, response.ToTag.Length);
    }

    [Fact]
    public void Rfc4475_3_3_5_ProxyRequire_UnsupportedTagsListedFor420()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/bext01")).Message!;
        var unsupported = new ArrayBufferWriter<byte>();

        var found = SipMessageChecks.TryFindUnsupportedOptions(m, SipHeaderId.ProxyRequire, new HashSet<string>(StringComparer.Ordinal) { "path", "outbound" }, unsupported);

        Assert.True(found);
        Assert.Equal("noProxiesSupportThis, norDoAnyProxiesSupportThis", Encoding.ASCII.GetString(unsupported.WrittenSpan));
        Assert.Equal(420, SipRejectionReason.BadExtension.ToStatusCode());
    }

    [Fact]
    public void CheckOptions_AllSupported_FindsNone()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/bext01")).Message!;

        var found = SipMessageChecks.TryFindUnsupportedOptions(m, SipHeaderId.Require, new HashSet<string>(StringComparer.Ordinal) { "nothingSupportsThis", "nothingSupportsThisEither" }, new ArrayBufferWriter<byte>());

        Assert.False(found);
    }
}

public class SipPooledBufferWriterTests
{
    [Fact]
    public void PooledWriter_GrowsPastInitialCapacity_KeepsEverythingWritten()
    {
        using var writer = new SipPooledBufferWriter(16);
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/longreq")).Message!;
        using var editor = new SipMessageEditor();

        editor.Begin(m).WriteTo(writer);

        Assert.True(writer.WrittenSpan.SequenceEqual(m.Span));
        writer.Reset();
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Options_HeaderCountAboveIndexRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipParserOptions { MaxHeaderCount = 40_000 });
    }
}
