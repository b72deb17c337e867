using System.Text;
using Routing.Sip.Sdp;
using static Routing.Sip.Tests.Sdp.SdpSamples;

namespace Routing.Sip.Tests.Sdp;

public class SdpEditTests
{
    private static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), $"rejected: {error}");
        return session;
    }

    private static string Without(string text, params string[] lines)
    {
        foreach (var line in lines)
        {
            Assert.Contains(line + "\r\n", text, StringComparison.Ordinal);
            text = text.Replace(line + "\r\n", string.Empty, StringComparison.Ordinal);
        }

        return text;
    }

    private static string Swap(string text, string from, string to)
    {
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    private static void AssertStillValid(SdpSession session)
    {
        Assert.True(SdpSession.TryParse(session.ToArray(), out _, out var error), $"edited SDP rejected: {error}");
    }

    [Fact]
    public void FilterCodecs_KeepPcmaWithTelephoneEvent_RemovesOthersAndTheirLinesOnly()
    {
        var session = Parse(MobileOffer);
        var removed = session.FilterCodecs(["PCMA"], keepTelephoneEvent: true);
        Assert.Equal(3, removed);
        var expected = Without(
            Swap(MobileOffer, "m=audio 7078 RTP/AVP 96 97 8 0 101", "m=audio 7078 RTP/AVP 8 101"),
            "a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1", "a=rtpmap:97 AMR-WB/16000", "a=fmtp:97 octet-align=1",
            "a=rtcp-fb:96 nack");
        Assert.Equal(expected, session.ToString());
        AssertStillValid(session);
    }

    [Fact]
    public void FilterCodecs_TelephoneEventNotKept_Removed()
    {
        var session = Parse(MobileOffer);
        session.FilterCodecs(["opus", "PCMU"], keepTelephoneEvent: false);
        Assert.Equal(["96", "0"], session.Media[0].Formats);
        Assert.DoesNotContain(session.Media[0].RtpMaps, map => map.PayloadType == 101);
        Assert.DoesNotContain("telephone-event", session.ToString(), StringComparison.Ordinal);
        Assert.Contains("a=rtcp-fb:* trr-int 1000\r\n", session.ToString(), StringComparison.Ordinal);
        Assert.Contains("a=rtcp-fb:96 nack\r\n", session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FilterCodecs_StaticPayloadTypesWithoutRtpmap_UseRfc3551Names()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 0 8 18 3");
        var session = Parse(text);
        Assert.Equal(3, session.FilterCodecs(["g729"]));
        Assert.Equal(Swap(text, "RTP/AVP 0 8 18 3", "RTP/AVP 18"), session.ToString());
    }

    [Fact]
    public void FilterCodecs_NoAllowedCodecLeft_MediaRejectedWithPortZeroFormatsKept()
    {
        var session = Parse(Rfc3264_10_1_Offer);
        session.FilterCodecs(["PCMU"]);
        Assert.False(session.Media[0].IsRejected);
        Assert.True(session.Media[1].IsRejected);
        Assert.True(session.Media[2].IsRejected);
        var expected = Swap(Swap(Rfc3264_10_1_Offer, "m=video 51372 RTP/AVP 31", "m=video 0 RTP/AVP 31"), "m=video 53000 RTP/AVP 32", "m=video 0 RTP/AVP 32");
        Assert.Equal(expected, session.ToString());
    }

    [Fact]
    public void FilterCodecs_OnlyTelephoneEventWouldRemain_MediaRejected()
    {
        var session = Parse(MobileOffer);
        Assert.Equal(0, session.FilterCodecs(["G722"]));
        Assert.Equal(0, session.Media[0].Port);
        Assert.Equal(["96", "97", "8", "0", "101"], session.Media[0].Formats);
    }

    [Fact]
    public void FilterCodecs_RtxFollowsItsAssociatedPayload()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
            "m=video 5000 RTP/AVPF 96 97 98 99",
            "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96",
            "a=rtpmap:98 H264/90000", "a=fmtp:98 profile-level-id=42e01f", "a=rtpmap:99 rtx/90000", "a=fmtp:99 apt=98",
            "a=rtcp-fb:98 nack pli");
        var session = Parse(text);
        Assert.Equal(2, session.FilterCodecs(["VP8", "rtx"]));
        Assert.Equal(
            Without(Swap(text, "RTP/AVPF 96 97 98 99", "RTP/AVPF 96 97"),
                "a=rtpmap:98 H264/90000", "a=fmtp:98 profile-level-id=42e01f", "a=rtpmap:99 rtx/90000", "a=fmtp:99 apt=98", "a=rtcp-fb:98 nack pli"),
            session.ToString());
    }

    [Fact]
    public void FilterCodecs_NonRtpMedia_Untouched()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
            "m=application 5000 UDP/DTLS/SCTP webrtc-datachannel", "a=sctp-port:5000");
        var session = Parse(text);
        Assert.Equal(0, session.FilterCodecs(["PCMA"]));
        Assert.Equal(text, session.ToString());
    }

    [Fact]
    public void RemovePayloadTypes_AllFormats_Refused()
    {
        var session = Parse(Rfc3264_10_2_SecondOffer);
        Assert.Equal(0, session.Media[0].RemovePayloadTypes(["4"]));
        Assert.Equal(Rfc3264_10_2_SecondOffer, session.ToString());
    }

    [Fact]
    public void SetConnectionAddress_RewritesSessionMediaAndRtcpAddressesOnly()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0",
            "m=audio 4000 RTP/AVP 0", "c=IN IP4 10.0.0.2", "a=rtcp:4001 IN IP4 10.0.0.2", "a=x-unknown:10.0.0.2",
            "m=video 4002 RTP/AVP 31", "a=rtcp:4003");
        var session = Parse(text);
        Assert.Equal(3, session.SetConnectionAddress("203.0.113.5"));
        var expected = Swap(Swap(Swap(text,
            "c=IN IP4 10.0.0.1", "c=IN IP4 203.0.113.5"),
            "c=IN IP4 10.0.0.2", "c=IN IP4 203.0.113.5"),
            "a=rtcp:4001 IN IP4 10.0.0.2", "a=rtcp:4001 IN IP4 203.0.113.5");
        Assert.Equal(expected, session.ToString());
        AssertStillValid(session);
    }

    [Fact]
    public void SetConnectionAddress_Ipv6_UsesIp6AddressTypeAndDropsMulticastTtl()
    {
        var session = Parse(Rfc4566Example);
        session.SetConnectionAddress("2001:db8::7");
        Assert.Equal(new SdpConnection("IN", "IP6", "2001:db8::7"), session.Connection);
        Assert.Equal(Swap(Rfc4566Example, "c=IN IP4 224.2.17.12/127", "c=IN IP6 2001:db8::7"), session.ToString());
    }

    [Fact]
    public void SetPort_WithRtcpPort_RewritesMediaLineAndRtcpAttribute()
    {
        var session = Parse(MobileOffer);
        session.Media[0].SetPort(30000, rtcpPort: 30001);
        var expected = Swap(Swap(MobileOffer, "m=audio 7078 RTP/AVP", "m=audio 30000 RTP/AVP"), "a=rtcp:7079", "a=rtcp:30001");
        Assert.Equal(expected, session.ToString());
    }

    [Fact]
    public void SetPort_KeepsPortCount()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=video 49170/2 RTP/AVP 31");
        var session = Parse(text);
        session.Media[0].SetPort(50000);
        Assert.Equal(Swap(text, "49170/2", "50000/2"), session.ToString());
    }

    [Fact]
    public void MediaSetConnectionAddress_NoMediaLevelLine_InsertsAfterMediaAndInformation()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
            "m=audio 4000 RTP/AVP 0", "i=main audio", "a=sendrecv");
        var session = Parse(text);
        session.Media[0].SetConnectionAddress("198.51.100.9");
        Assert.Equal(Swap(text, "i=main audio\r\n", "i=main audio\r\nc=IN IP4 198.51.100.9\r\n"), session.ToString());
        Assert.Equal("198.51.100.9", session.Media[0].EffectiveConnection!.Address);
        AssertStillValid(session);
    }

    [Fact]
    public void Rfc3264_8_IncrementOriginVersion_OnlyOriginChanges()
    {
        var session = Parse(Rfc3264_10_1_Offer);
        session.IncrementOriginVersion();
        Assert.Equal(2890844527UL, session.Origin.SessionVersion);
        Assert.Equal(
            Swap(Rfc3264_10_1_Offer, "o=alice 2890844526 2890844526", "o=alice 2890844526 2890844527"),
            session.ToString());
    }

    [Fact]
    public void SetOriginAddress_RewritesAddressAndType()
    {
        var session = Parse(Rfc3264_10_1_Offer);
        session.SetOriginAddress("2001:db8::1");
        Assert.Equal(new SdpOrigin("alice", "2890844526", 2890844526, "IN", "IP6", "2001:db8::1"), session.Origin);
    }

    [Fact]
    public void MediaSetDirection_ExistingAttribute_ReplacedInPlace()
    {
        var session = Parse(Rfc3264_10_1_SecondOffer);
        session.Media[3].SetDirection(SdpDirection.Inactive);
        Assert.Equal(Swap(Rfc3264_10_1_SecondOffer, "a=recvonly", "a=inactive"), session.ToString());
    }

    [Fact]
    public void MediaSetDirection_NoAttribute_Appended()
    {
        var session = Parse(Rfc3264_10_1_Offer);
        session.Media[0].SetDirection(SdpDirection.SendOnly);
        Assert.Equal(Swap(Rfc3264_10_1_Offer, "a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=sendonly\r\n"), session.ToString());
        Assert.Equal(SdpDirection.SendOnly, session.Media[0].EffectiveDirection);
    }

    [Fact]
    public void MediaSetDirection_DuplicateDirections_CollapsedToOne()
    {
        var text = Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
            "m=audio 4000 RTP/AVP 0", "a=sendrecv", "a=ptime:20", "a=recvonly");
        var session = Parse(text);
        session.Media[0].SetDirection(SdpDirection.Inactive);
        Assert.Equal(Without(Swap(text, "a=sendrecv", "a=inactive"), "a=recvonly"), session.ToString());
    }

    [Fact]
    public void SessionSetDirection_ReplacesSessionLevelOnly()
    {
        var session = Parse(Rfc4566Example);
        session.SetDirection(SdpDirection.SendRecv);
        Assert.Equal(Swap(Rfc4566Example, "a=recvonly", "a=sendrecv"), session.ToString());
    }

    [Fact]
    public void Edit_LfOnlyDescription_NewLinesUseLf()
    {
        var text = Rfc3264_10_1_Offer.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(SdpParser.TryParse(Encoding.ASCII.GetBytes(text), out var session, out _));
        session.Media[2].SetDirection(SdpDirection.RecvOnly);
        Assert.Equal(text + "a=recvonly\n", session.ToString());
    }

    [Fact]
    public void Edit_AppendAfterLastLineWithoutEol_PreviousLineGetsEol()
    {
        var text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0";
        Assert.True(SdpParser.TryParse(Encoding.ASCII.GetBytes(text), out var session, out _));
        session.Media[0].SetDirection(SdpDirection.Inactive);
        Assert.Equal(text + "\r\na=inactive\r\n", session.ToString());
        AssertStillValid(session);
    }

    [Fact]
    public void SetRtcp_Absent_AddsAttribute()
    {
        var session = Parse(Rfc3264_10_2_SecondOffer);
        session.Media[0].SetRtcp(62987, "192.0.2.44");
        Assert.Equal(new SdpRtcp(62987, new SdpConnection("IN", "IP4", "192.0.2.44")), session.Media[0].Rtcp);
        Assert.EndsWith("a=sendrecv\r\na=rtcp:62987 IN IP4 192.0.2.44\r\n", session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SbcRewrite_WebRtcOffer_ChangesOnlyEditedLines()
    {
        var session = Parse(WebRtcOffer);
        session.SetConnectionAddress("203.0.113.10");
        session.Media[0].SetPort(40000, rtcpPort: 40000);
        session.IncrementOriginVersion();
        var expected = WebRtcOffer;
        expected = Swap(expected, "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "o=- 4611731400430051336 3 IN IP4 127.0.0.1");
        expected = Swap(expected, "m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 40000 UDP/TLS/RTP/SAVPF");
        expected = Swap(expected, "c=IN IP4 0.0.0.0", "c=IN IP4 203.0.113.10");
        expected = Swap(expected, "a=rtcp:9 IN IP4 0.0.0.0", "a=rtcp:40000 IN IP4 203.0.113.10");
        Assert.Equal(expected, session.ToString());
        AssertStillValid(session);
    }

    [Theory]
    [InlineData("")]
    [InlineData("192.0.2.1 extra")]
    [InlineData("224.0.0.1/5")]
    [InlineData("a\r\nm=evil 1 RTP/AVP 0")]
    public void SetAddress_NotAnAddress_ThrowsAndLeavesSessionUnchanged(string address)
    {
        var session = Parse(MobileOffer);
        Assert.Throws<ArgumentException>(() => session.SetConnectionAddress(address));
        Assert.Throws<ArgumentException>(() => session.SetOriginAddress(address));
        Assert.Throws<ArgumentException>(() => session.Media[0].SetConnectionAddress(address));
        Assert.Throws<ArgumentException>(() => session.Media[0].SetRtcp(9, address));
        Assert.Equal(MobileOffer, session.ToString());
    }

    [Fact]
    public void SetPort_OutOfRange_Throws()
    {
        var session = Parse(MobileOffer);
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Media[0].SetPort(65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Media[0].SetPort(4000, rtcpPort: -1));
        Assert.Equal(MobileOffer, session.ToString());
    }

    public static TheoryData<string> EditableSamples =>
        [MobileOffer, WebRtcOffer, Rfc8839Example, Rfc4568Offer, Rfc3264_10_1_SecondOffer, Rfc8866Example];

    [Theory]
    [MemberData(nameof(EditableSamples))]
    public void Edits_AllOperations_UnrelatedLinesKeptByteForByteInOrder(string text)
    {
        var session = Parse(text);
        var before = session.ToArray();
        session.FilterCodecs(["PCMU", "PCMA", "opus"], keepTelephoneEvent: true);
        session.SetConnectionAddress("203.0.113.77");
        session.SetOriginAddress("203.0.113.77");
        session.IncrementOriginVersion();
        for (var i = 0; i < session.Media.Count; i++)
        {
            if (!session.Media[i].IsRejected)
            {
                session.Media[i].SetPort(40000 + (2 * i), 40001 + (2 * i));
            }

            session.Media[i].SetDirection(SdpDirection.SendOnly);
        }

        var after = session.ToArray();
        AssertStillValid(session);
        Assert.Equal(Unrelated(before), Unrelated(after));
    }

    // Lines no edit above may touch, with their exact bytes (line ends included).
    private static List<string> Unrelated(byte[] sdp)
    {
        var result = new List<string>();
        var text = Encoding.Latin1.GetString(sdp);
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            var line = text[start..end];
            start = end;
            var touched = line.StartsWith("o=", StringComparison.Ordinal) || line.StartsWith("c=", StringComparison.Ordinal)
                || line.StartsWith("m=", StringComparison.Ordinal) || line.StartsWith("a=rtcp:", StringComparison.Ordinal)
                || line.StartsWith("a=rtpmap:", StringComparison.Ordinal) || line.StartsWith("a=fmtp:", StringComparison.Ordinal)
                || line.StartsWith("a=rtcp-fb:", StringComparison.Ordinal)
                || line.TrimEnd() is "a=sendrecv" or "a=sendonly" or "a=recvonly" or "a=inactive";
            if (!touched)
            {
                result.Add(line);
            }
        }

        return result;
    }

    [Fact]
    public void SrtpToRtpBridge_StripCryptoAndChangeProtocol_OnlyThoseLinesChange()
    {
        var session = Parse(Rfc4568Offer);
        Assert.Equal(2, session.Media[0].RemoveAttributes("crypto"));
        session.Media[0].SetProtocol("RTP/AVP");
        var expected = Without(
            Swap(Rfc4568Offer, "m=audio 49170 RTP/SAVP 0", "m=audio 49170 RTP/AVP 0"),
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP",
            "a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP");
        Assert.Equal(expected, session.ToString());
        AssertStillValid(session);
    }

    [Fact]
    public void IceStrip_RemoveCandidatesAndAddOwn_RestUnchanged()
    {
        var session = Parse(Rfc8839Example);
        Assert.Equal(2, session.Media[0].RemoveAttributes("candidate"));
        Assert.Equal(1, session.RemoveAttributes("ice-pacing"));
        session.Media[0].AddAttribute("candidate", "1 1 UDP 2130706431 203.0.113.9 40000 typ host");
        session.Media[0].AddAttribute("end-of-candidates");
        var expected = Without(Rfc8839Example,
            "a=ice-pacing:50",
            "a=candidate:1 1 UDP 2130706431 203.0.113.141 8998 typ host",
            "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998")
            + "a=candidate:1 1 UDP 2130706431 203.0.113.9 40000 typ host\r\na=end-of-candidates\r\n";
        Assert.Equal(expected, session.ToString());
        Assert.Equal("203.0.113.9", Assert.Single(session.Media[0].Candidates).Address);
        Assert.True(session.Media[0].EndOfCandidates);
    }

    [Fact]
    public void RemoveAttributes_NamePrefixOfOther_OnlyExactNameRemoved()
    {
        var session = Parse(WebRtcOffer);
        Assert.Equal(1, session.Media[0].RemoveAttributes("rtcp"));
        Assert.True(session.Media[0].RtcpMux);
        Assert.NotEmpty(session.Media[0].RtcpFeedback);
        Assert.Null(session.Media[0].Rtcp);
    }

    [Theory]
    [InlineData("bad name", null)]
    [InlineData("x", "")]
    [InlineData("x", "a\r\nm=audio 1 RTP/AVP 0")]
    public void AddAttribute_BreaksLineGrammar_Throws(string name, string? value)
    {
        var session = Parse(MobileOffer);
        Assert.Throws<ArgumentException>(() => session.AddAttribute(name, value));
        Assert.Throws<ArgumentException>(() => session.Media[0].AddAttribute(name, value));
        Assert.Equal(MobileOffer, session.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("RTP//AVP")]
    [InlineData("RTP/AVP 0")]
    public void SetProtocol_NotAProto_Throws(string protocol)
    {
        var session = Parse(MobileOffer);
        Assert.Throws<ArgumentException>(() => session.Media[0].SetProtocol(protocol));
        Assert.Equal(MobileOffer, session.ToString());
    }
}
