using System.Buffers;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

public class SipParserEdgeTests
{
    private const string Headers =
        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>\nCall-ID: c1\nCSeq: 1 OPTIONS\n";

    private static byte[] Options(string extra = "", string uri = "sip:b@example.com") =>
        TestMessages.Wire($"OPTIONS {uri} SIP/2.0\n{Headers}{extra}Content-Length: 0\n\n");

    [Fact]
    public void ParseStream_SingleCrlfBeforeMessage_IsAPong()
    {
        var result = SipParser.ParseStream("\r\nOPTIONS"u8);

        Assert.Equal(SipParseStatus.KeepAlive, result.Status);
        Assert.Equal(SipKeepAlive.Pong, result.KeepAlive);
        Assert.Equal(2, result.Consumed);
    }

    [Fact]
    public void ParseStream_LoneCrlf_NeedsMoreData()
    {
        Assert.Equal(SipParseStatus.NeedMoreData, SipParser.ParseStream("\r\n"u8).Status);
    }

    [Fact]
    public void ParseDatagram_OnlyCrlfs_IsAPing()
    {
        var result = SipParser.ParseDatagram("\r\n\r\n"u8);

        Assert.Equal(SipParseStatus.KeepAlive, result.Status);
        Assert.Equal(SipKeepAlive.Ping, result.KeepAlive);
    }

    [Fact]
    public void ParseDatagram_Empty_IsDropped()
    {
        var result = SipParser.ParseDatagram([]);

        Assert.Equal(SipRejectionAction.Drop, result.Rejection.Action);
    }

    [Fact]
    public void ParseDatagram_BareCrInStartLine_IsDropped()
    {
        var result = SipParser.ParseDatagram(Corpus.Load("fuzz/bare-cr-in-start-line.bin"));

        Assert.Equal(SipRejectionReason.InvalidLineTerminator, result.Rejection.Reason);
        Assert.Equal(SipRejectionAction.Drop, result.Rejection.Action);
    }

    [Fact]
    public void ParseDatagram_NulInQuotedPair_IsAccepted()
    {
        var result = SipParser.ParseDatagram(Corpus.Load("fuzz/nul-in-quoted-pair.bin"));

        Assert.Equal(SipParseStatus.Message, result.Status);
        result.Message!.Dispose();
    }

    [Fact]
    public void ParseDatagram_FoldRightAfterStartLine_IsDropped()
    {
        var result = SipParser.ParseDatagram(Corpus.Load("fuzz/fold-after-start-line.bin"));

        Assert.Equal(SipRejectionReason.InvalidHeaderLine, result.Rejection.Reason);
        Assert.Equal(SipRejectionAction.Drop, result.Rejection.Action);
    }

    [Fact]
    public void ParseStream_ContentLengthOverflow_RejectsAndAsksToClose()
    {
        var result = SipParser.ParseStream(Corpus.Load("fuzz/content-length-overflow.bin"));

        Assert.Equal(SipRejectionReason.InvalidContentLength, result.Rejection.Reason);
        Assert.Equal(400, result.Rejection.StatusCode);
        Assert.Equal(0, result.Consumed);
        result.Message?.Dispose();
    }

    [Fact]
    public void ParseStream_HeaderWithoutColon_RejectsButKeepsFraming()
    {
        var bytes = Corpus.Load("fuzz/header-without-colon.bin");
        var result = SipParser.ParseStream(bytes);

        Assert.Equal(SipRejectionReason.InvalidHeaderLine, result.Rejection.Reason);
        Assert.Equal(bytes.Length, result.Consumed);
        result.Message?.Dispose();
    }

    [Fact]
    public void ParseDatagram_ResponseWithoutReasonPhraseSpace_IsAccepted()
    {
        var result = SipParser.ParseDatagram(Corpus.Load("fuzz/status-line-no-space.bin"));

        Assert.Equal(SipParseStatus.Message, result.Status);
        Assert.Equal(200, result.Message!.StatusCode);
        result.Message.Dispose();
    }

    [Fact]
    public void ParseDatagram_ViaWithoutSentBy_IsDropped()
    {
        var result = SipParser.ParseDatagram(Corpus.Load("fuzz/via-only-protocol.bin"));

        Assert.Equal(SipRejectionReason.InvalidVia, result.Rejection.Reason);
        Assert.Equal(SipRejectionAction.Drop, result.Rejection.Action);
    }

    [Fact]
    public void ParseStream_MessageEndingInCr_NeedsMoreData()
    {
        Assert.Equal(SipParseStatus.NeedMoreData, SipParser.ParseStream(Corpus.Load("fuzz/cr-at-end.bin")).Status);
    }

    [Fact]
    public void Limits_TooManyHeaders_Answers513()
    {
        var options = new SipParserOptions { MaxHeaderCount = 6 };
        var result = SipParser.ParseDatagram(Options("Accept: application/sdp\nSupported: path\n"), options);

        Assert.Equal(SipRejectionReason.TooManyHeaders, result.Rejection.Reason);
        Assert.Equal(513, result.Rejection.StatusCode);
        result.Message?.Dispose();
    }

    [Fact]
    public void Limits_LongHeaderLine_Answers513()
    {
        var options = new SipParserOptions { MaxLineLength = 100 };
        var result = SipParser.ParseDatagram(Options("X-Long: " + new string('a', 200) + "\n"), options);

        Assert.Equal(SipRejectionReason.HeaderLineTooLong, result.Rejection.Reason);
        Assert.Equal(513, result.Rejection.StatusCode);
        result.Message?.Dispose();
    }

    [Fact]
    public void Limits_LongRequestUri_Answers414()
    {
        var options = new SipParserOptions { MaxRequestUriLength = 64 };
        var result = SipParser.ParseDatagram(Options(uri: "sip:" + new string('u', 100) + "@example.com"), options);

        Assert.Equal(SipRejectionReason.RequestUriTooLong, result.Rejection.Reason);
        Assert.Equal(414, result.Rejection.StatusCode);
        result.Message?.Dispose();
    }

    [Fact]
    public void Limits_LargeBodyOnStream_Answers413AndAsksToClose()
    {
        var options = new SipParserOptions { MaxBodySize = 10 };
        var bytes = TestMessages.Wire($"MESSAGE sip:b@example.com SIP/2.0\n{Headers.Replace("OPTIONS", "MESSAGE", StringComparison.Ordinal)}Content-Type: text/plain\nContent-Length: 20\n\n").Concat(new byte[20]).ToArray();
        var result = SipParser.ParseStream(bytes, options);

        Assert.Equal(SipRejectionReason.BodyTooLarge, result.Rejection.Reason);
        Assert.Equal(413, result.Rejection.StatusCode);
        Assert.Equal(0, result.Consumed);
        result.Message?.Dispose();
    }

    [Fact]
    public void Limits_UnterminatedHeaderSectionOnStream_StopsAtTheLimit()
    {
        var options = new SipParserOptions { MaxHeaderSectionSize = 512 };
        var bytes = TestMessages.Wire($"OPTIONS sip:b@example.com SIP/2.0\n{Headers}" + string.Concat(Enumerable.Repeat("X-Pad: 0123456789\n", 40)));

        var result = SipParser.ParseStream(bytes, options);

        Assert.Equal(SipRejectionReason.HeaderSectionTooLarge, result.Rejection.Reason);
        result.Message?.Dispose();
    }

    [Fact]
    public void ParseStream_MissingContentLength_Rejects400AndAsksToClose()
    {
        var bytes = TestMessages.Wire($"OPTIONS sip:b@example.com SIP/2.0\n{Headers}\n");
        var result = SipParser.ParseStream(bytes);

        Assert.Equal(SipRejectionReason.MissingContentLength, result.Rejection.Reason);
        Assert.Equal(400, result.Rejection.StatusCode);
        Assert.Equal(0, result.Consumed);
        result.Message!.Dispose();
    }

    [Fact]
    public void ExtraRequestUriSchemes_Urn_AcceptsEmergencyServiceUrn()
    {
        var bytes = Options(uri: "urn:service:sos");

        var strict = SipParser.ParseDatagram(bytes);
        var lenient = SipParser.ParseDatagram(bytes, new SipParserOptions { ExtraRequestUriSchemes = ["urn"] });

        Assert.Equal(416, strict.Rejection.StatusCode);
        Assert.Equal(SipParseStatus.Message, lenient.Status);
        strict.Message?.Dispose();
        lenient.Message?.Dispose();
    }

    [Theory]
    [InlineData("Via:\n", SipRejectionReason.InvalidVia)]
    [InlineData("Contact:\n", SipRejectionReason.InvalidContact)]
    [InlineData("Route:   \n", SipRejectionReason.InvalidRoute)]
    [InlineData("Record-Route: ,\n", SipRejectionReason.InvalidRoute)]
    public void ParseDatagram_EmptyAddressHeader_IsRejected(string line, SipRejectionReason reason)
    {
        var result = SipParser.ParseDatagram(Options(line));

        Assert.Equal(reason, result.Rejection.Reason);
        Assert.Equal(400, result.Rejection.StatusCode);
        result.Message?.Dispose();
    }

    [Fact]
    public void RequireMaxForwards_Enabled_RejectsRequestWithout()
    {
        var result = SipParser.ParseDatagram(Options(), new SipParserOptions { RequireMaxForwards = true });

        Assert.Equal(SipRejectionReason.MissingRequiredHeader, result.Rejection.Reason);
        result.Message?.Dispose();
    }

    [Fact]
    public void ParseStream_LargeMessageInManySegments_MatchesContiguousParse()
    {
        var bytes = Corpus.Load("rfc4475/longreq");
        var sequence = Corpus.OneBytePerSegment(bytes);

        var result = SipParser.ParseStream(sequence);

        Assert.Equal(SipParseStatus.Message, result.Status);
        Assert.True(result.Message!.Span.SequenceEqual(bytes));
        result.Message.Dispose();
    }

    [Fact]
    public void Message_PooledReuse_HoldsOnlyTheNewMessage()
    {
        var first = SipParser.ParseDatagram(Corpus.Load("rfc4475/longreq")).Message!;
        first.Dispose();

        using var second = SipParser.ParseDatagram(Options()).Message!;

        Assert.Equal(5, second.HeaderCount - 1);
        Assert.Equal(-1, second.IndexOf(SipHeaderId.ContentType));
        Assert.Equal(1, second.CountOf(SipHeaderId.Via));
        Assert.Equal("c1", Encoding.ASCII.GetString(second.CallId));
    }

    [Fact]
    public void HeaderTable_CompactAndLongForms_ResolveToTheSameId()
    {
        foreach (var (compact, id) in new[] { ("i", SipHeaderId.CallId), ("m", SipHeaderId.Contact), ("e", SipHeaderId.ContentEncoding), ("l", SipHeaderId.ContentLength), ("c", SipHeaderId.ContentType), ("f", SipHeaderId.From), ("s", SipHeaderId.Subject), ("k", SipHeaderId.Supported), ("t", SipHeaderId.To), ("v", SipHeaderId.Via), ("o", SipHeaderId.Event), ("u", SipHeaderId.AllowEvents), ("r", SipHeaderId.ReferTo), ("b", SipHeaderId.ReferredBy), ("x", SipHeaderId.SessionExpires), ("y", SipHeaderId.Identity), ("a", SipHeaderId.AcceptContact), ("j", SipHeaderId.RejectContact), ("d", SipHeaderId.RequestDisposition) })
        {
            Assert.Equal(id, SipHeaderTable.Lookup(Encoding.ASCII.GetBytes(compact)));
            Assert.Equal(id, SipHeaderTable.Lookup(Encoding.ASCII.GetBytes(compact.ToUpperInvariant())));
            Assert.Equal(id, SipHeaderTable.Lookup(SipHeaderTable.GetName(id)));
            Assert.Equal((byte)compact[0], SipHeaderTable.GetCompactForm(id));
        }

        Assert.Equal(SipHeaderId.CallId, SipHeaderTable.Lookup("cALL-id"u8));
        Assert.Equal(SipHeaderId.Unknown, SipHeaderTable.Lookup("X-Custom"u8));
    }

    [Fact]
    public void EnumerateValues_ValuesAcrossLinesAndCommas_AreReturnedInOrder()
    {
        using var m = SipParser.ParseDatagram(Options("Supported: path, outbound\nk: gruu\nSupported: \"quoted, comma\"\n")).Message!;
        var values = new List<string>();
        foreach (var r in m.EnumerateValues(SipHeaderId.Supported))
        {
            values.Add(m.GetString(r));
        }

        Assert.Equal(["path", "outbound", "gruu", "\"quoted, comma\""], values);
    }

    [Fact]
    public void RejectionReason_Slug_IsLowerCaseHyphenated()
    {
        Assert.Equal("c-seq-method-mismatch", SipRejectionReason.CSeqMethodMismatch.ToSlug());
        Assert.Equal("invalid-request-uri", SipRejectionReason.InvalidRequestUri.ToSlug());
    }
}
