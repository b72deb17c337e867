using System.Text;
using Routing.Sip.Sdp;
using static Routing.Sip.Tests.Sdp.SdpSamples;

namespace Routing.Sip.Tests.Sdp;

public class SdpParserTests
{
    private static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), $"rejected: {error}");
        return session;
    }

    private static SdpParseError Reject(string text)
    {
        Assert.False(SdpSession.TryParse(text, out var session, out var error));
        Assert.Null(session);
        return error;
    }

    public static TheoryData<string> AllSamples =>
    [
        Rfc8866Example, Rfc4566Example, Rfc3264_10_1_Offer, Rfc3264_10_1_Answer, Rfc3264_10_1_SecondOffer,
        Rfc3264_10_1_SecondAnswer, Rfc3264_10_2_Offer, Rfc3264_10_2_Answer, Rfc3264_10_2_SecondOffer,
        Rfc3264_10_2_SecondAnswer, Rfc8839Example, Rfc4568Offer, MobileOffer, WebRtcOffer,
    ];

    [Fact]
    public void Rfc8866_5_Example_ParsesEveryField()
    {
        var session = Parse(Rfc8866Example);
        Assert.Equal(new SdpOrigin("jdoe", "3724394400", 3724394405, "IN", "IP4", "198.51.100.1"), session.Origin);
        Assert.Equal("Call to John Smith", session.SessionName);
        Assert.Equal("SDP Offer #1", session.Information);
        Assert.Equal("http://www.jdoe.example.com/home.html", session.Uri);
        Assert.Equal(["Jane Doe <jane@jdoe.example.com>"], session.Emails);
        Assert.Equal(["+1 617 555-6011"], session.Phones);
        Assert.Equal(new SdpConnection("IN", "IP4", "198.51.100.1"), session.Connection);
        Assert.Equal([new SdpTiming(0, 0)], session.Timings);
        Assert.Equal(3, session.Media.Count);
        Assert.Equal(49180, session.Media[1].Port);
        Assert.Equal(new SdpConnection("IN", "IP6", "2001:db8::2"), session.Media[2].EffectiveConnection);
        Assert.Equal(new SdpConnection("IN", "IP4", "198.51.100.1"), session.Media[0].EffectiveConnection);
        Assert.Equal(new SdpRtpMap(99, "h263-1998", 90000), session.Media[2].GetRtpMap(99));
    }

    [Fact]
    public void Rfc4566_5_Example_MulticastTtlAndSessionDirection()
    {
        var session = Parse(Rfc4566Example);
        Assert.Equal(new SdpConnection("IN", "IP4", "224.2.17.12", 127), session.Connection);
        Assert.Equal(SdpDirection.RecvOnly, session.Direction);
        Assert.Null(session.Media[0].Direction);
        Assert.Equal(SdpDirection.RecvOnly, session.Media[0].EffectiveDirection);
        Assert.Equal(new SdpTiming(2873397496, 2873404696), session.Timings[0]);
    }

    [Fact]
    public void Rfc3264_10_1_BasicExchange_AnswerRejectsFirstVideo()
    {
        var offer = Parse(Rfc3264_10_1_Offer);
        var answer = Parse(Rfc3264_10_1_Answer);
        Assert.Equal(offer.Media.Count, answer.Media.Count);
        Assert.False(answer.Media[0].IsRejected);
        Assert.True(answer.Media[1].IsRejected);
        Assert.Equal(["31"], answer.Media[1].Formats);
        Assert.Equal(string.Empty, offer.SessionName);
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000), offer.Media[0].RtpMaps[0]);
    }

    [Fact]
    public void Rfc3264_10_1_SecondExchange_VersionBumpedAndDirectionsMirror()
    {
        var firstAnswer = Parse(Rfc3264_10_1_Answer);
        var offer = Parse(Rfc3264_10_1_SecondOffer);
        var answer = Parse(Rfc3264_10_1_SecondAnswer);
        Assert.Equal(firstAnswer.Origin.SessionVersion + 1, offer.Origin.SessionVersion);
        Assert.Equal(firstAnswer.Origin.SessionId, offer.Origin.SessionId);
        Assert.Equal(65422, offer.Media[0].Port);
        Assert.Equal(SdpDirection.RecvOnly, offer.Media[3].EffectiveDirection);
        Assert.Equal(SdpDirection.SendOnly, answer.Media[3].EffectiveDirection);
        Assert.Equal(SdpDirections.Reverse(offer.Media[3].EffectiveDirection), answer.Media[3].EffectiveDirection);
        Assert.Equal("telephone-events", answer.Media[3].GetRtpMap(110)!.EncodingName);
    }

    [Fact]
    public void Rfc3264_10_2_OneOfN_InactiveThenSendRecvSingleCodec()
    {
        var offer = Parse(Rfc3264_10_2_Offer);
        Assert.Equal(["0", "4", "18"], offer.Media[0].Formats);
        Assert.Equal(SdpDirection.Inactive, offer.Media[0].EffectiveDirection);
        Assert.Equal(SdpDirection.Inactive, Parse(Rfc3264_10_2_Answer).Media[0].EffectiveDirection);
        var second = Parse(Rfc3264_10_2_SecondOffer);
        Assert.Equal(["4"], second.Media[0].Formats);
        Assert.Equal(SdpDirection.SendRecv, second.Media[0].Direction);
        var final = Parse(Rfc3264_10_2_SecondAnswer);
        Assert.Equal(2890844732UL, final.Origin.SessionVersion);
        Assert.Equal("G723", final.Media[0].GetRtpMap(4)!.EncodingName);
    }

    [Fact]
    public void Rfc3264_9_CapabilityExample_TimingBeforeConnection_RejectedOutOfOrder()
    {
        var error = Reject(Rfc3264_9_Capabilities);
        var offset = Rfc3264_9_Capabilities.IndexOf("c=IN", StringComparison.Ordinal);
        Assert.Equal(new SdpParseError(SdpParseErrorReason.LineOutOfOrder, offset, 5), error);
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void RoundTrip_Untouched_ByteIdentical(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.True(SdpParser.TryParse(bytes, out var session, out _));
        Assert.Equal(bytes, session.ToArray());
        Assert.Equal(bytes.Length, session.GetByteCount());
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void RoundTrip_LfLineEnds_ByteIdentical(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.True(SdpParser.TryParse(bytes, out var session, out _));
        Assert.Equal(SdpLineEnding.Lf, session.Lines[0].Ending);
        Assert.Equal(bytes, session.ToArray());
    }

    [Fact]
    public void RoundTrip_MixedEndingsNoFinalEolAndTrailer_ByteIdentical()
    {
        foreach (var text in new[]
        {
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\ns=-\r\nc=IN IP4 192.0.2.1\nt=0 0\r\nm=audio 4000 RTP/AVP 0",
            Rfc3264_10_2_SecondOffer + "\r\n\r\n",
            Rfc3264_10_2_SecondOffer + "\n",
        })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Assert.True(SdpParser.TryParse(bytes, out var session, out var error), error.ToString());
            Assert.Equal(bytes, session.ToArray());
        }
    }

    [Fact]
    public void RoundTrip_WriteToBufferWriter_SameAsToArray()
    {
        var session = Parse(WebRtcOffer);
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        session.WriteTo(writer);
        Assert.Equal(Encoding.UTF8.GetBytes(WebRtcOffer), writer.WrittenSpan.ToArray());
        Assert.Equal(WebRtcOffer, session.ToString());
    }

    [Fact]
    public void Parse_InputBufferReused_SessionUnaffected()
    {
        var bytes = Encoding.UTF8.GetBytes(Rfc3264_10_1_Offer);
        Assert.True(SdpParser.TryParse(bytes, out var session, out _));
        Array.Fill(bytes, (byte)'x');
        Assert.Equal(Rfc3264_10_1_Offer, session.ToString());
    }

    [Fact]
    public void Parse_Ip6MulticastCountAndIp4TtlCount_Parsed()
    {
        var session = Parse(Crlf(
            "v=0", "o=- 1 1 IN IP6 2001:db8::1", "s=-", "t=0 0",
            "m=audio 4000/2 RTP/AVP 0", "c=IN IP6 ff15::101/3",
            "m=video 5000 RTP/AVP 31", "c=IN IP4 233.252.0.1/127/3"));
        Assert.Equal(new SdpConnection("IN", "IP6", "ff15::101", null, 3), session.Media[0].Connections[0]);
        Assert.Equal(2, session.Media[0].MediaLine.PortCount);
        Assert.Equal(new SdpConnection("IN", "IP4", "233.252.0.1", 127, 3), session.Media[1].Connections[0]);
    }

    [Fact]
    public void Parse_RepeatAndZoneLines_Accepted()
    {
        var session = Parse(Crlf(
            "v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=Seminar", "c=IN IP4 192.0.2.1",
            "t=3034423619 3042462419", "r=7d 1h 0 25h", "r=604800 3600 0 90000", "z=2882844526 -1h 2898848070 0",
            "t=0 0", "k=prompt", "a=tool:test", "m=audio 4000 RTP/AVP 0"));
        Assert.Equal(2, session.Timings.Count);
    }

    // Each row: description, reason, line number, offset (-1: start of that line, -2: end of the text).
    public static TheoryData<string, SdpParseErrorReason, int, int> Rejections => new()
    {
        { "", SdpParseErrorReason.Empty, 1, -1 },
        { "\r\n", SdpParseErrorReason.Empty, 1, -1 },
        { "o=- 1 1 IN IP4 192.0.2.1\r\n", SdpParseErrorReason.MissingVersion, 1, -1 },
        { "v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n", SdpParseErrorReason.UnsupportedVersion, 1, -1 },
        { "v=0\r\ns=-\r\n", SdpParseErrorReason.MissingOrigin, 2, -1 },
        { "v=0\r\nv=0\r\n", SdpParseErrorReason.DuplicateLine, 2, -1 },
        { "v=0\r\n", SdpParseErrorReason.MissingOrigin, 1, -2 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n", SdpParseErrorReason.MissingSessionName, 2, -2 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n", SdpParseErrorReason.MissingSessionName, 3, -1 },
        { "v=0\r\no=- x 1 IN IP4 192.0.2.1\r\ns=-\r\n", SdpParseErrorReason.MalformedOrigin, 2, -1 },
        { "v=0\r\no=- 1 1  IN IP4 192.0.2.1\r\ns=-\r\n", SdpParseErrorReason.MalformedOrigin, 2, -1 },
        { "v=0\r\no=- 1 99999999999999999999 IN IP4 192.0.2.1\r\ns=-\r\n", SdpParseErrorReason.MalformedOrigin, 2, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n", SdpParseErrorReason.MissingTiming, 4, -2 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nm=audio 1 RTP/AVP 0\r\n", SdpParseErrorReason.MissingTiming, 5, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\ns=x\r\n", SdpParseErrorReason.LineOutOfOrder, 7, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\na=x\r\nc=IN IP4 192.0.2.1\r\n", SdpParseErrorReason.LineOutOfOrder, 8, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\ni=a\r\ni=b\r\n", SdpParseErrorReason.DuplicateLine, 8, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n", SdpParseErrorReason.DuplicateLine, 5, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\ns=again\r\n", SdpParseErrorReason.DuplicateLine, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\na=x\r\nt=0 0\r\n", SdpParseErrorReason.LineOutOfOrder, 5, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nr=7d 1h 0\r\n", SdpParseErrorReason.LineOutOfOrder, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nz=0 0\r\nr=7d 1h 0\r\n", SdpParseErrorReason.LineOutOfOrder, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nz=0 0\r\nz=1 0\r\n", SdpParseErrorReason.DuplicateLine, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nr=7d 1h\r\n", SdpParseErrorReason.MalformedRepeat, 5, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nz=1 1x\r\n", SdpParseErrorReason.MalformedTimeZone, 5, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0\r\n", SdpParseErrorReason.MalformedTiming, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4\r\n", SdpParseErrorReason.MalformedConnection, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 300.1.1.1\r\n", SdpParseErrorReason.MalformedConnection, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 224.2.1.1/256\r\n", SdpParseErrorReason.MalformedConnection, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP6 ff15::1/3/2\r\n", SdpParseErrorReason.MalformedConnection, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nb=AS\r\n", SdpParseErrorReason.MalformedBandwidth, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", SdpParseErrorReason.MalformedMedia, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP\r\n", SdpParseErrorReason.MalformedMedia, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP//AVP 0\r\n", SdpParseErrorReason.MalformedMedia, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=bad name\r\n", SdpParseErrorReason.MalformedAttribute, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=:x\r\n", SdpParseErrorReason.MalformedAttribute, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=x:\r\n", SdpParseErrorReason.MalformedAttribute, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nx=unknown\r\n", SdpParseErrorReason.UnknownLineType, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na = x\r\n", SdpParseErrorReason.MalformedLine, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nA=x\r\n", SdpParseErrorReason.MalformedLine, 6, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n\r\nt=0 0\r\n", SdpParseErrorReason.EmptyLine, 4, -1 },
        { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\ni=\r\n", SdpParseErrorReason.MalformedLine, 4, -1 },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void TryParse_Malformed_RejectsWithReasonLineAndOffset(string text, SdpParseErrorReason reason, int line, int offset)
    {
        var expectedOffset = offset;
        if (offset == -2)
        {
            expectedOffset = text.Length;
        }
        else if (offset == -1)
        {
            expectedOffset = 0;
            for (var i = 1; i < line; i++)
            {
                expectedOffset = text.IndexOf('\n', expectedOffset) + 1;
            }
        }

        Assert.Equal(new SdpParseError(reason, expectedOffset, line), Reject(text));
    }

    [Fact]
    public void TryParse_MediaWithoutConnection_OffsetIsThatMediaLine()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0",
            "m=audio 4000 RTP/AVP 0", "c=IN IP4 192.0.2.1", "m=video 4002 RTP/AVP 31");
        var error = Reject(text);
        Assert.Equal(new SdpParseError(SdpParseErrorReason.MissingConnection, text.IndexOf("m=video", StringComparison.Ordinal), 7), error);
    }

    [Theory]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=a\rb\r\n", 34)]
    [InlineData("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=a\0b\r\n", 34)]
    [InlineData("v=0\r\r\n", 3)]
    public void TryParse_BareCrOrNul_InvalidCharacterAtByte(string text, int offset)
    {
        var error = Reject(text);
        Assert.Equal(SdpParseErrorReason.InvalidCharacter, error.Reason);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void TryParse_TooManyLines_Rejected()
    {
        var builder = new StringBuilder(Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0"));
        for (var i = 0; i < 20; i++)
        {
            builder.Append("a=x").Append(i).Append("\r\n");
        }

        Assert.False(SdpParser.TryParse(Encoding.ASCII.GetBytes(builder.ToString()), out _, out var error, maxLines: 10));
        Assert.Equal(SdpParseErrorReason.TooManyLines, error.Reason);
        Assert.Equal(11, error.Line);
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void TryParse_EveryPrefix_NeverThrows(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i <= bytes.Length; i++)
        {
            var ok = SdpParser.TryParse(bytes.AsSpan(0, i), out var session, out _);
            Assert.Equal(ok, session is not null);
            if (ok)
            {
                Assert.Equal(bytes.AsSpan(0, i).ToArray(), session!.ToArray());
            }
        }
    }

    [Fact]
    public void TryParse_RandomMutations_NeverThrowAndAcceptedOnesRoundTrip()
    {
        var random = new Random(8866);
        var samples = new[] { WebRtcOffer, MobileOffer, Rfc4568Offer, Rfc8839Example };
        var alphabet = "\r\n =:/a0v9-.\0\u00ff"u8.ToArray();
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var bytes = Encoding.UTF8.GetBytes(samples[iteration % samples.Length]);
            var edits = 1 + random.Next(4);
            for (var e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = random.Next(2) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            if (SdpParser.TryParse(bytes, out var session, out _))
            {
                Assert.Equal(bytes, session.ToArray());
                foreach (var media in session.Media)
                {
                    _ = media.Candidates;
                    _ = media.Cryptos;
                    _ = media.RtpMaps;
                    _ = media.Fingerprints;
                    _ = media.Rtcp;
                    _ = media.Extmaps;
                    _ = media.Ssrcs;
                }
            }
        }
    }
}
