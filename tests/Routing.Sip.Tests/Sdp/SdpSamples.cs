namespace Routing.Sip.Tests.Sdp;

/// <summary>Session descriptions transcribed from the RFCs, plus captured-style mobile and WebRTC offers.</summary>
internal static class SdpSamples
{
    public static string Crlf(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    // RFC 8866 §5 example.
    public static readonly string Rfc8866Example = Crlf(
        "v=0",
        "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1",
        "s=Call to John Smith",
        "i=SDP Offer #1",
        "u=http://www.jdoe.example.com/home.html",
        "e=Jane Doe <jane@jdoe.example.com>",
        "p=+1 617 555-6011",
        "c=IN IP4 198.51.100.1",
        "t=0 0",
        "m=audio 49170 RTP/AVP 0",
        "m=audio 49180 RTP/AVP 0",
        "m=video 51372 RTP/AVP 99",
        "c=IN IP6 2001:db8::2",
        "a=rtpmap:99 h263-1998/90000");

    // RFC 4566 §5 example (multicast, session-level recvonly).
    public static readonly string Rfc4566Example = Crlf(
        "v=0",
        "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5",
        "s=SDP Seminar",
        "i=A Seminar on the session description protocol",
        "u=http://www.example.com/seminars/sdp.pdf",
        "e=j.doe@example.com (Jane Doe)",
        "c=IN IP4 224.2.17.12/127",
        "t=2873397496 2873404696",
        "a=recvonly",
        "m=audio 49170 RTP/AVP 0",
        "m=video 51372 RTP/AVP 99",
        "a=rtpmap:99 h263-1998/90000");

    // RFC 3264 §10.1: offer, answer, second offer (Bob), second answer (Alice).
    public static readonly string Rfc3264_10_1_Offer = Crlf(
        "v=0",
        "o=alice 2890844526 2890844526 IN IP4 host.anywhere.com",
        "s=",
        "c=IN IP4 host.anywhere.com",
        "t=0 0",
        "m=audio 49170 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
        "m=video 51372 RTP/AVP 31",
        "a=rtpmap:31 H261/90000",
        "m=video 53000 RTP/AVP 32",
        "a=rtpmap:32 MPV/90000");

    public static readonly string Rfc3264_10_1_Answer = Crlf(
        "v=0",
        "o=bob 2890844730 2890844730 IN IP4 host.example.com",
        "s=",
        "c=IN IP4 host.example.com",
        "t=0 0",
        "m=audio 49920 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
        "m=video 0 RTP/AVP 31",
        "m=video 53000 RTP/AVP 32",
        "a=rtpmap:32 MPV/90000");

    public static readonly string Rfc3264_10_1_SecondOffer = Crlf(
        "v=0",
        "o=bob 2890844730 2890844731 IN IP4 host.example.com",
        "s=",
        "c=IN IP4 host.example.com",
        "t=0 0",
        "m=audio 65422 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
        "m=video 0 RTP/AVP 31",
        "m=video 53000 RTP/AVP 32",
        "a=rtpmap:32 MPV/90000",
        "m=audio 51434 RTP/AVP 110",
        "a=rtpmap:110 telephone-events/8000",
        "a=recvonly");

    public static readonly string Rfc3264_10_1_SecondAnswer = Crlf(
        "v=0",
        "o=alice 2890844526 2890844527 IN IP4 host.anywhere.com",
        "s=",
        "c=IN IP4 host.anywhere.com",
        "t=0 0",
        "m=audio 49170 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
        "m=video 0 RTP/AVP 31",
        "a=rtpmap:31 H261/90000",
        "m=video 53000 RTP/AVP 32",
        "a=rtpmap:32 MPV/90000",
        "m=audio 53122 RTP/AVP 110",
        "a=rtpmap:110 telephone-events/8000",
        "a=sendonly");

    // RFC 3264 §10.2: one-of-N codec selection.
    public static readonly string Rfc3264_10_2_Offer = Crlf(
        "v=0",
        "o=alice 2890844526 2890844526 IN IP4 host.anywhere.com",
        "s=",
        "c=IN IP4 host.anywhere.com",
        "t=0 0",
        "m=audio 62986 RTP/AVP 0 4 18",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:4 G723/8000",
        "a=rtpmap:18 G729/8000",
        "a=inactive");

    public static readonly string Rfc3264_10_2_Answer = Crlf(
        "v=0",
        "o=bob 2890844730 2890844731 IN IP4 host.example.com",
        "s=",
        "c=IN IP4 host.example.com",
        "t=0 0",
        "m=audio 54344 RTP/AVP 0 4",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:4 G723/8000",
        "a=inactive");

    public static readonly string Rfc3264_10_2_SecondOffer = Crlf(
        "v=0",
        "o=alice 2890844526 2890844527 IN IP4 host.anywhere.com",
        "s=",
        "c=IN IP4 host.anywhere.com",
        "t=0 0",
        "m=audio 62986 RTP/AVP 4",
        "a=rtpmap:4 G723/8000",
        "a=sendrecv");

    public static readonly string Rfc3264_10_2_SecondAnswer = Crlf(
        "v=0",
        "o=bob 2890844730 2890844732 IN IP4 host.example.com",
        "s=",
        "c=IN IP4 host.example.com",
        "t=0 0",
        "m=audio 54344 RTP/AVP 4",
        "a=rtpmap:4 G723/8000",
        "a=sendrecv");

    // RFC 3264 §9 Figure 1: t= comes before c=, which the RFC 8866 §5 order forbids.
    public static readonly string Rfc3264_9_Capabilities = Crlf(
        "v=0",
        "o=carol 28908764872 28908764872 IN IP4 100.3.6.6",
        "s=-",
        "t=0 0",
        "c=IN IP4 192.0.2.4",
        "m=audio 0 RTP/AVP 0 1 3",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:1 1016/8000",
        "a=rtpmap:3 GSM/8000",
        "m=video 0 RTP/AVP 31 34",
        "a=rtpmap:31 H261/90000",
        "a=rtpmap:34 H263/90000");

    // RFC 8839 Appendix A.
    public static readonly string Rfc8839Example = Crlf(
        "v=0",
        "o=jdoe 2890844526 2890842807 IN IP4 203.0.113.141",
        "s=",
        "c=IN IP4 192.0.2.3",
        "t=0 0",
        "a=ice-options:ice2",
        "a=ice-pacing:50",
        "a=ice-pwd:asd88fgpdd777uzjYhagZg",
        "a=ice-ufrag:8hhY",
        "m=audio 45664 RTP/AVP 0",
        "b=RS:0",
        "b=RR:0",
        "a=rtpmap:0 PCMU/8000",
        "a=candidate:1 1 UDP 2130706431 203.0.113.141 8998 typ host",
        "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998");

    // RFC 4568 §8.1 style SDES offer (two crypto lines, one with two keys and a session parameter).
    public static readonly string Rfc4568Offer = Crlf(
        "v=0",
        "o=sam 2890844526 2890842807 IN IP4 10.47.16.5",
        "s=SRTP Discussion",
        "i=A discussion of Secure RTP",
        "u=http://www.example.com/seminars/srtp.pdf",
        "e=marge@example.com (Marge Simpson)",
        "c=IN IP4 168.2.17.12",
        "t=2873397496 2873404696",
        "m=audio 49170 RTP/SAVP 0",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP",
        "a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP");

    // A mobile client's INVITE offer: opus, AMR-WB, PCMA, PCMU, telephone-event, RTCP attribute, vendor lines.
    public static readonly string MobileOffer = Crlf(
        "v=0",
        "o=- 3912345678 3912345678 IN IP4 10.20.30.40",
        "s=Talk",
        "c=IN IP4 10.20.30.40",
        "t=0 0",
        "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
        "a=record:off",
        "m=audio 7078 RTP/AVP 96 97 8 0 101",
        "a=rtpmap:96 opus/48000/2",
        "a=fmtp:96 useinbandfec=1",
        "a=rtpmap:97 AMR-WB/16000",
        "a=fmtp:97 octet-align=1",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=rtcp:7079",
        "a=rtcp-fb:96 nack",
        "a=rtcp-fb:* trr-int 1000",
        "a=X-vendor-thing:keep me  exactly",
        "a=sendrecv");

    // A WebRTC-style offer (RFC 8829 shape) with DTLS-SRTP, ICE, BUNDLE, RTX.
    public static readonly string WebRtcOffer = Crlf(
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS stream",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 110 126",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=candidate:842163049 1 udp 1677729535 198.51.100.7 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0 network-cost 999",
        "a=candidate:1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active",
        "a=end-of-candidates",
        "a=ice-ufrag:EsAw",
        "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y",
        "a=ice-options:trickle renomination",
        "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
        "a=setup:actpass",
        "a=mid:0",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=extmap:2/recvonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        "a=sendrecv",
        "a=msid:stream track",
        "a=rtcp-mux",
        "a=rtpmap:111 opus/48000/2",
        "a=rtcp-fb:111 transport-cc",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:63 red/48000/2",
        "a=fmtp:63 111/111",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:110 telephone-event/48000",
        "a=rtpmap:126 telephone-event/8000",
        "a=ptime:20",
        "a=maxptime:120",
        "a=ssrc:3735928559 cname:4TOk42mSjXCkVIa6",
        "a=ssrc:3735928559 msid:stream track");
}
