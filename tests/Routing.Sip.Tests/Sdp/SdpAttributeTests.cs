using Routing.Sip.Sdp;
using static Routing.Sip.Tests.Sdp.SdpSamples;

namespace Routing.Sip.Tests.Sdp;

public class SdpAttributeTests
{
    private static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), $"rejected: {error}");
        return session;
    }

    [Fact]
    public void Rfc4568_8_1_CryptoLines_ParsedWithKeysLifetimeMkiAndSessionParams()
    {
        var cryptos = Parse(Rfc4568Offer).Media[0].Cryptos;
        Assert.Equal(2, cryptos.Count);

        var first = cryptos[0];
        Assert.Equal(1, first.Tag);
        Assert.Equal("AES_CM_128_HMAC_SHA1_80", first.Suite);
        var key = Assert.Single(first.Keys);
        Assert.Equal("inline", key.Method);
        Assert.Equal("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", key.KeySalt);
        Assert.Equal("2^20", key.Lifetime);
        Assert.Equal(1UL << 20, key.LifetimePackets);
        Assert.Equal("1", key.Mki);
        Assert.Equal(4, key.MkiLength);
        Assert.Equal(["FEC_ORDER=FEC_SRTP"], first.SessionParameters);

        var second = cryptos[1];
        Assert.Equal(2, second.Tag);
        Assert.Equal("F8_128_HMAC_SHA1_80", second.Suite);
        Assert.Equal(2, second.Keys.Count);
        Assert.Equal("QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5", second.Keys[1].KeySalt);
        Assert.Equal("2", second.Keys[1].Mki);
    }

    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj")]
    [InlineData("3 AES_256_CM_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|1048576")]
    [InlineData("4 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|5:4 UNENCRYPTED_SRTCP KDR=1")]
    public void CryptoTryParse_Valid_FormatRoundTrips(string value)
    {
        Assert.True(SdpCrypto.TryParse(value, out var crypto));
        Assert.Equal(value, crypto.Format());
    }

    [Theory]
    [InlineData("1234567890 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:abc|1:4|2^20")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:abc|1:0")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:ab!c")]
    [InlineData("x AES_CM_128_HMAC_SHA1_80 inline:abc")]
    public void CryptoTryParse_Malformed_ReturnsFalse(string value)
    {
        Assert.False(SdpCrypto.TryParse(value, out _));
    }

    [Fact]
    public void Rfc8839_AppendixA_IceAttributesAndCandidates()
    {
        var session = Parse(Rfc8839Example);
        Assert.Equal("8hhY", session.IceUfrag);
        Assert.Equal("asd88fgpdd777uzjYhagZg", session.IcePwd);
        Assert.Equal(["ice2"], session.IceOptions);
        Assert.False(session.IceLite);
        var media = session.Media[0];
        Assert.Equal("8hhY", media.IceUfrag);
        Assert.Equal([new SdpBandwidth("RS", 0), new SdpBandwidth("RR", 0)], media.Bandwidths);

        var candidates = media.Candidates;
        Assert.Equal(2, candidates.Count);
        var host = candidates[0];
        Assert.Equal(("1", 1, "UDP", 2130706431u, "203.0.113.141", 8998, SdpCandidateType.Host),
            (host.Foundation, host.Component, host.Transport, host.Priority, host.Address, host.Port, host.Type));
        Assert.Null(host.RelatedAddress);
        var srflx = candidates[1];
        Assert.Equal(SdpCandidateType.ServerReflexive, srflx.Type);
        Assert.Equal("203.0.113.141", srflx.RelatedAddress);
        Assert.Equal(8998, srflx.RelatedPort);
        Assert.Equal(1694498815u, srflx.Priority);
    }

    [Theory]
    [InlineData("1 1 UDP 2130706431 203.0.113.141 8998 typ host", SdpCandidateType.Host)]
    [InlineData("2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998", SdpCandidateType.ServerReflexive)]
    [InlineData("3 2 UDP 16777214 2001:db8::5 61000 typ relay raddr 2001:db8::1 rport 50000", SdpCandidateType.Relay)]
    [InlineData("4 1 UDP 1845501695 192.0.2.9 3478 typ prflx raddr 10.0.0.1 rport 5000", SdpCandidateType.PeerReflexive)]
    [InlineData("842163049 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999", SdpCandidateType.ServerReflexive)]
    [InlineData("1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active", SdpCandidateType.Host)]
    [InlineData("1 1 udp 2122260223 4c2b8f9e-1f7c-4a3e-9b1a-0d6e2f3c4b5a.local 54321 typ host", SdpCandidateType.Host)]
    [InlineData("x9+/ 256 UDP 4294967295 192.0.2.1 1 typ newtype", SdpCandidateType.Other)]
    public void CandidateTryParse_Rfc8839Forms_ParseAndFormatRoundTrip(string value, SdpCandidateType type)
    {
        Assert.True(SdpCandidate.TryParse(value, out var candidate));
        Assert.Equal(type, candidate.Type);
        Assert.Equal(value, candidate.Format());
    }

    [Fact]
    public void CandidateTryParse_Extensions_Kept()
    {
        Assert.True(SdpCandidate.TryParse("842163049 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999", out var candidate));
        Assert.Equal("0", candidate.GetExtension("generation"));
        Assert.Equal("999", candidate.GetExtension("network-cost"));
        Assert.Null(candidate.GetExtension("tcptype"));
    }

    [Theory]
    [InlineData("1 0 UDP 2130706431 192.0.2.1 8998 typ host")]
    [InlineData("1 257 UDP 2130706431 192.0.2.1 8998 typ host")]
    [InlineData("1 1 UDP 4294967296 192.0.2.1 8998 typ host")]
    [InlineData("1 1 UDP 2130706431 192.0.2.1 8998 host")]
    [InlineData("1 1 UDP 2130706431 192.0.2.1 8998 type host")]
    [InlineData("1 1 UDP 2130706431 192.0.2.1 70000 typ host")]
    [InlineData("1 1 UDP 2130706431 192.0.2.1 8998 typ host raddr")]
    [InlineData("1 1 UDP 2130706431 192.0.2.1 8998 typ srflx raddr 10.0.0.1 rport x")]
    [InlineData("1 1 UDP 2130706431 192.0.2.1 8998 typ host  generation 0")]
    [InlineData("012345678901234567890123456789012 1 UDP 1 192.0.2.1 1 typ host")]
    public void CandidateTryParse_Malformed_ReturnsFalse(string value)
    {
        Assert.False(SdpCandidate.TryParse(value, out _));
    }

    [Fact]
    public void WebRtcOffer_TypedAttributes()
    {
        var session = Parse(WebRtcOffer);
        var media = session.Media[0];
        Assert.Equal("UDP/TLS/RTP/SAVPF", media.Protocol);
        Assert.True(media.MediaLine.IsRtp);
        Assert.Equal(9, media.Port);
        Assert.Equal(new SdpRtcp(9, new SdpConnection("IN", "IP4", "0.0.0.0")), media.Rtcp);
        Assert.True(media.RtcpMux);
        Assert.Equal("0", media.Mid);
        Assert.Equal(SdpSetup.ActPass, media.Setup);
        Assert.True(media.EndOfCandidates);
        Assert.Equal(["trickle", "renomination"], media.IceOptions);
        Assert.Equal("EsAw", media.IceUfrag);
        Assert.Equal("bP+XJMM09aR8AiX1jdukzR6Y", media.IcePwd);
        var fingerprint = Assert.Single(media.EffectiveFingerprints);
        Assert.Equal("sha-256", fingerprint.HashFunction);
        Assert.Equal(32, fingerprint.GetBytes().Length);
        Assert.Equal(0xD2, fingerprint.GetBytes()[0]);
        Assert.Equal(0x0F, fingerprint.GetBytes()[31]);
        Assert.Equal(
            [new SdpExtmap(1, null, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", null),
             new SdpExtmap(2, SdpDirection.RecvOnly, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", null)],
            media.Extmaps);
        Assert.Equal(
            [new SdpSsrc(3735928559, "cname", "4TOk42mSjXCkVIa6"), new SdpSsrc(3735928559, "msid", "stream track")],
            media.Ssrcs);
        Assert.Equal(new SdpRtpMap(111, "opus", 48000, "2"), media.GetRtpMap(111));
        Assert.Equal("minptime=10;useinbandfec=1", media.GetFmtp("111")!.Parameters);
        Assert.Equal("1", media.GetFmtp("111")!.GetParameter("useinbandfec"));
        Assert.Equal(20m, media.Ptime);
        Assert.Equal(120m, media.MaxPtime);
        Assert.Equal(SdpDirection.SendRecv, media.Direction);
        Assert.Equal(new SdpRtcpFeedback("111", "transport-cc"), Assert.Single(media.RtcpFeedback));
        Assert.Equal(" WMS stream", session.GetAttribute("msid-semantic")!.Value);
        Assert.Equal("BUNDLE 0", session.GetAttribute("group")!.Value);
        Assert.True(session.GetAttribute("group")!.Line.Offset > 0);
    }

    [Fact]
    public void UnknownAttributes_PreservedWithExactText()
    {
        var media = Parse(MobileOffer).Media[0];
        var vendor = media.GetAttribute("X-vendor-thing");
        Assert.NotNull(vendor);
        Assert.Equal("keep me  exactly", vendor.Value);
        Assert.Equal("a=X-vendor-thing:keep me  exactly", vendor.Line.ToString());
        Assert.Null(media.GetAttribute("x-vendor-thing"));
    }

    [Theory]
    [InlineData("53020", 53020, null)]
    [InlineData("53020 IN IP4 126.16.64.4", 53020, "126.16.64.4")]
    [InlineData("53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD", 53020, "2001:2345:6789:ABCD:EF01:2345:6789:ABCD")]
    public void Rfc3605_2_1_RtcpAttribute_PortAndOptionalAddress(string value, int port, string? address)
    {
        Assert.True(SdpRtcp.TryParse(value, out var rtcp));
        Assert.Equal(port, rtcp.Port);
        Assert.Equal(address, rtcp.Connection?.Address);
        Assert.Equal(value, rtcp.Format());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("70000")]
    [InlineData("53020 IN")]
    public void RtcpTryParse_Malformed_ReturnsFalse(string value)
    {
        Assert.False(SdpRtcp.TryParse(value, out _));
    }

    [Theory]
    [InlineData("SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", true)]
    [InlineData("sha-256 d2:fa:0e", true)]
    [InlineData("SHA-1 4A:AD:B9:B1:", false)]
    [InlineData("SHA-1 4AAD", false)]
    [InlineData("SHA-1 4G:AD", false)]
    [InlineData("4A:AD", false)]
    public void Rfc8122_5_FingerprintTryParse(string value, bool valid)
    {
        Assert.Equal(valid, SdpFingerprint.TryParse(value, out var fingerprint));
        if (valid)
        {
            Assert.Equal(value, fingerprint!.Format());
        }
    }

    [Theory]
    [InlineData("active", SdpSetup.Active)]
    [InlineData("passive", SdpSetup.Passive)]
    [InlineData("actpass", SdpSetup.ActPass)]
    [InlineData("holdconn", SdpSetup.HoldConn)]
    public void Rfc4145_4_SetupValues_RoundTrip(string value, SdpSetup expected)
    {
        Assert.True(SdpSetups.TryParse(value, out var setup));
        Assert.Equal(expected, setup);
        Assert.Equal(value, SdpSetups.ToValue(setup));
    }

    [Fact]
    public void SetupTryParse_Unknown_ReturnsFalse()
    {
        Assert.False(SdpSetups.TryParse("both", out _));
        Assert.False(SdpSetups.TryParse(null, out _));
    }

    [Theory]
    [InlineData("0 PCMU/8000", 0, "PCMU", 8000, null)]
    [InlineData("111 opus/48000/2", 111, "opus", 48000, "2")]
    [InlineData("101 telephone-event/8000", 101, "telephone-event", 8000, null)]
    public void RtpMapTryParse_Valid(string value, int pt, string name, int rate, string? parameters)
    {
        Assert.True(SdpRtpMap.TryParse(value, out var map));
        Assert.Equal(new SdpRtpMap(pt, name, rate, parameters), map);
        Assert.Equal(value, map.Format());
    }

    [Theory]
    [InlineData("128 PCMU/8000")]
    [InlineData("0 PCMU")]
    [InlineData("0 /8000")]
    [InlineData("0 PCMU/x")]
    [InlineData("PCMU/8000")]
    public void RtpMapTryParse_Malformed_ReturnsFalse(string value)
    {
        Assert.False(SdpRtpMap.TryParse(value, out _));
    }

    [Theory]
    [InlineData("0", "PCMU")]
    [InlineData("8", "PCMA")]
    [InlineData("9", "G722")]
    [InlineData("18", "G729")]
    public void GetRtpMap_StaticPayloadWithoutRtpmap_FromRfc3551Table(string format, string name)
    {
        var session = Parse(Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", $"m=audio 4000 RTP/AVP {format}"));
        Assert.Equal(name, session.Media[0].GetRtpMap(int.Parse(format, System.Globalization.CultureInfo.InvariantCulture))!.EncodingName);
    }

    [Theory]
    [InlineData("1 urn:ietf:params:rtp-hdrext:toffset", 1, null, null)]
    [InlineData("2/sendrecv http://example.com/082005/ext.htm#xmeta short", 2, SdpDirection.SendRecv, "short")]
    public void Rfc8285_7_ExtmapTryParse(string value, int id, SdpDirection? direction, string? attributes)
    {
        Assert.True(SdpExtmap.TryParse(value, out var extmap));
        Assert.Equal(id, extmap.Id);
        Assert.Equal(direction, extmap.Direction);
        Assert.Equal(attributes, extmap.Attributes);
    }

    [Fact]
    public void MediaLevelDirection_OverridesSessionLevel()
    {
        var session = Parse(Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "a=sendonly",
            "m=audio 4000 RTP/AVP 0", "a=inactive", "m=audio 4002 RTP/AVP 0", "m=audio 4004 RTP/AVP 0"));
        Assert.Equal(SdpDirection.SendOnly, session.Direction);
        Assert.Equal(SdpDirection.Inactive, session.Media[0].EffectiveDirection);
        Assert.Equal(SdpDirection.SendOnly, session.Media[1].EffectiveDirection);
    }

    [Fact]
    public void SessionLevelFingerprintAndSetup_InheritedByMedia()
    {
        var session = Parse(Crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
            "a=fingerprint:SHA-256 AB:CD", "a=setup:passive", "a=ice-lite", "m=audio 4000 UDP/TLS/RTP/SAVP 0"));
        Assert.Equal(SdpSetup.Passive, session.Media[0].Setup);
        Assert.Equal("SHA-256", Assert.Single(session.Media[0].EffectiveFingerprints).HashFunction);
        Assert.Empty(session.Media[0].Fingerprints);
        Assert.True(session.IceLite);
    }
}
