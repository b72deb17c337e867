using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Routing.Sip.Message;

namespace Routing.Benchmarks.Parsing;

/// <summary>
/// Message-layer throughput: parse a mobile REGISTER, an INVITE with a 20-line SDP and a 200 OK, and forward an
/// INVITE with the usual proxy edits (RFC 3261 §16.6). Goal: at least 1 M REGISTER parses per second on one core
/// and no allocation per parse beyond the pooled message.
/// </summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    private const string Register =
        "REGISTER sip:sip.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 10.84.21.7:50612;branch=z9hG4bK-524287-1---7a5e1d5fbd2c4e11;rport;alias\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:alice@10.84.21.7:50612;transport=tcp;ob;pn-provider=apns;pn-prid=3D4F8A1B9C2E7D6F5A4B3C2D1E0F9A8B;pn-param=ABCD1234.com.example.softphone.voip>;+sip.instance=\"<urn:uuid:6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b>\";reg-id=1;expires=600\r\n" +
        "To: \"Alice\" <sip:alice@sip.example.com>\r\n" +
        "From: \"Alice\" <sip:alice@sip.example.com>;tag=8a1b2c3d\r\n" +
        "Call-ID: 9f2c7a1e4b6d8f00a1b2c3d4e5f60718\r\n" +
        "CSeq: 2 REGISTER\r\n" +
        "Supported: path, outbound, gruu\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK\r\n" +
        "User-Agent: ExampleSoftphone/5.2.1 (iOS 17.4; iPhone15,2)\r\n" +
        "Authorization: Digest username=\"alice\", realm=\"sip.example.com\", nonce=\"ZmRlYjE0YzQ6MTcwMDAwMDAwMA==\", uri=\"sip:sip.example.com\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001\r\n" +
        "Expires: 600\r\n" +
        "Content-Length: 0\r\n\r\n";

    private const string Sdp =
        "v=0\r\n" +
        "o=- 3912340987 3912340988 IN IP4 10.84.21.7\r\n" +
        "s=ExampleSoftphone\r\n" +
        "c=IN IP4 10.84.21.7\r\n" +
        "t=0 0\r\n" +
        "a=ice-ufrag:Fq3x\r\n" +
        "a=ice-pwd:6Rb2XkTq9LpZ4mNw8sYv1cHd\r\n" +
        "m=audio 52000 RTP/SAVP 96 0 8 101\r\n" +
        "a=rtpmap:96 opus/48000/2\r\n" +
        "a=fmtp:96 useinbandfec=1;usedtx=1;maxaveragebitrate=24000\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-16\r\n" +
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32\r\n" +
        "a=candidate:1 1 UDP 2130706431 10.84.21.7 52000 typ host\r\n" +
        "a=candidate:2 1 UDP 1694498815 203.0.113.45 61234 typ srflx raddr 10.84.21.7 rport 52000\r\n" +
        "a=rtcp-mux\r\n" +
        "a=ptime:20\r\n" +
        "a=sendrecv\r\n";

    private static readonly string Invite =
        "INVITE sip:+14155550199@sip.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 10.84.21.7:50612;branch=z9hG4bK-524287-1---c0ffee00babe0001;rport;alias\r\n" +
        "Max-Forwards: 70\r\n" +
        "Contact: <sip:alice@10.84.21.7:50612;transport=tcp;ob>;+sip.instance=\"<urn:uuid:6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b>\"\r\n" +
        "To: <sip:+14155550199@sip.example.com>\r\n" +
        "From: \"Alice\" <sip:alice@sip.example.com>;tag=1d2e3f40\r\n" +
        "Call-ID: 5c6d7e8f90a1b2c3d4e5f6a7b8c9d0e1\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Route: <sip:edge1.sip.example.com;transport=tcp;lr>\r\n" +
        "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK\r\n" +
        "Supported: replaces, outbound, timer, 100rel\r\n" +
        "Session-Expires: 1800\r\n" +
        "Min-SE: 90\r\n" +
        "User-Agent: ExampleSoftphone/5.2.1 (iOS 17.4; iPhone15,2)\r\n" +
        "P-Preferred-Identity: <sip:alice@sip.example.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        $"Content-Length: {Encoding.ASCII.GetByteCount(Sdp)}\r\n\r\n" + Sdp;

    private const string Ok =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/TCP 10.84.21.7:50612;branch=z9hG4bK-524287-1---c0ffee00babe0001;rport=50612;received=203.0.113.45;alias\r\n" +
        "Record-Route: <sip:edge1.sip.example.com;transport=tcp;lr;did=5c6.1d2>\r\n" +
        "Contact: <sip:+14155550199@198.51.100.20:5060;transport=udp>\r\n" +
        "To: <sip:+14155550199@sip.example.com>;tag=as5f2c91a2\r\n" +
        "From: \"Alice\" <sip:alice@sip.example.com>;tag=1d2e3f40\r\n" +
        "Call-ID: 5c6d7e8f90a1b2c3d4e5f6a7b8c9d0e1\r\n" +
        "CSeq: 1 INVITE\r\n" +
        "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r\n" +
        "Supported: replaces, timer\r\n" +
        "Session-Expires: 1800;refresher=uac\r\n" +
        "Server: ExampleGateway 18.2\r\n" +
        "Content-Length: 0\r\n\r\n";

    private readonly byte[] _register = Encoding.ASCII.GetBytes(Register);
    private readonly byte[] _invite = Encoding.ASCII.GetBytes(Invite);
    private readonly byte[] _ok = Encoding.ASCII.GetBytes(Ok);
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly SipMessageEditor _editor = new();
    private ReadOnlySequence<byte> _registerSequence;

    [GlobalSetup]
    public void Setup()
    {
        _registerSequence = new ReadOnlySequence<byte>(_register);
        foreach (var bytes in new[] { _register, _invite, _ok })
        {
            var result = SipParser.ParseDatagram(bytes);
            if (result.Status != SipParseStatus.Message)
            {
                throw new InvalidOperationException($"benchmark input does not parse: {result}");
            }

            result.Message!.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public int ParseRegisterDatagram()
    {
        var result = SipParser.ParseDatagram(_register);
        using var m = result.Message!;
        return m.HeaderCount;
    }

    [Benchmark]
    public int ParseRegisterStream()
    {
        var result = SipParser.ParseStream(_registerSequence);
        using var m = result.Message!;
        return m.HeaderCount;
    }

    [Benchmark]
    public int ParseInviteWithSdp()
    {
        var result = SipParser.ParseDatagram(_invite);
        using var m = result.Message!;
        return m.BodyRange.Length;
    }

    [Benchmark]
    public int Parse200Ok()
    {
        var result = SipParser.ParseDatagram(_ok);
        using var m = result.Message!;
        return m.StatusCode;
    }

    [Benchmark]
    public int ForwardInviteWithEdits()
    {
        var result = SipParser.ParseDatagram(_invite);
        using var m = result.Message!;
        _output.ResetWrittenCount();
        _editor.Begin(m);
        _editor.PopRoute();
        _editor.DecrementMaxForwards();
        _editor.PushVia("SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK.proxy.0a1b2c3d4e5f"u8);
        _editor.InsertRecordRoute("<sip:edge1.sip.example.com;transport=tcp;lr;did=5c6.1d2>"u8);
        _editor.WriteTo(_output);
        return _output.WrittenCount;
    }
}
