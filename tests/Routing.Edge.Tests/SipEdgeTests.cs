using System.Net;
using Routing.Sip.Message;

namespace Routing.Edge.Tests;

public sealed class SipEdgeTests : IDisposable
{
    private readonly EdgeHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static string Request(string method, string uri, string extra = "", string toTag = "", string via = "SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc1", string cseqMethod = "") =>
        $"""
        {method} {uri} SIP/2.0
        Via: {via}
        Max-Forwards: 70
        From: "Probe" <sip:probe@example.com>;tag=f1
        To: <{uri}>{(toTag.Length > 0 ? ";tag=" + toTag : "")}
        Call-ID: call-1@127.0.0.1
        CSeq: 7 {(cseqMethod.Length > 0 ? cseqMethod : method)}
        {extra}Content-Length: 0


        """;

    [Fact]
    public void Rfc3261_11_2_OptionsToTheNode_200WithCapabilitiesAndEchoedHeaders()
    {
        var outcome = _h.Receive(Request("OPTIONS", "sip:127.0.0.1:5060"));

        Assert.Equal(EdgeOutcome.Answered, outcome);
        var r = _h.LastResponse;
        Assert.StartsWith("SIP/2.0 200 OK\r\n", r, StringComparison.Ordinal);
        Assert.Contains("\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc1\r\n", r, StringComparison.Ordinal);
        Assert.Contains("\r\nFrom: \"Probe\" <sip:probe@example.com>;tag=f1\r\n", r, StringComparison.Ordinal);
        Assert.Matches("\r\nTo: <sip:127.0.0.1:5060>;tag=[0-9a-v]{16}\r\n", r);
        Assert.Contains("\r\nCall-ID: call-1@127.0.0.1\r\n", r, StringComparison.Ordinal);
        Assert.Contains("\r\nCSeq: 7 OPTIONS\r\n", r, StringComparison.Ordinal);
        Assert.Contains("\r\nAllow: OPTIONS, ACK, CANCEL\r\n", r, StringComparison.Ordinal);
        Assert.Contains("\r\nAccept: application/sdp\r\n", r, StringComparison.Ordinal);
        Assert.Contains("\r\nSupported: ", r, StringComparison.Ordinal);
        Assert.EndsWith("Content-Length: 0\r\n\r\n", r, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_11_OptionsResponse_ParsesBackAsAValidResponse()
    {
        _h.Receive(Request("OPTIONS", "sip:127.0.0.1"));

        var reparsed = SipParser.ParseDatagram(EdgeHarness.Wire(_h.LastResponse));

        Assert.Equal(SipParseStatus.Message, reparsed.Status);
        using var m = reparsed.Message!;
        Assert.Equal(200, m.StatusCode);
        Assert.True(m.Contains(SipHeaderId.Supported));
    }

    [Fact]
    public void OptionsWithoutUserPart_ForeignHost_AnsweredByTheNode()
    {
        _h.Receive(Request("OPTIONS", "sip:proxy.elsewhere.net"));

        Assert.StartsWith("SIP/2.0 200 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsForAUserInOurDomain_404WithoutLocationService()
    {
        _h.Receive(Request("OPTIONS", "sip:alice@example.com"));

        Assert.StartsWith("SIP/2.0 404 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsForAUserInAForeignDomain_403NoRelay()
    {
        _h.Receive(Request("OPTIONS", "sip:bob@elsewhere.net"));

        Assert.StartsWith("SIP/2.0 403 Relaying Forbidden\r\n", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_8_2_2_3_OptionsRequiringAnUnknownExtension_420WithUnsupported()
    {
        _h.Receive(Request("OPTIONS", "sip:127.0.0.1", "Require: foo, 100rel\r\n"));

        var r = _h.LastResponse;
        Assert.StartsWith("SIP/2.0 420 ", r, StringComparison.Ordinal);
        Assert.Contains("\r\nUnsupported: foo, 100rel\r\n", r, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_17_2_3_Ack_NeverAnswered()
    {
        var outcome = _h.Receive(Request("ACK", "sip:127.0.0.1"));

        Assert.Equal(EdgeOutcome.Dropped, outcome);
        Assert.Empty(_h.Sender.Sent);
        Assert.Equal(1, _h.Metrics.Drops(SipDropCause.AckWithoutTransaction));
    }

    [Fact]
    public void Rfc3261_9_2_CancelWithoutTransaction_481()
    {
        _h.Receive(Request("CANCEL", "sip:alice@example.com"));

        Assert.StartsWith("SIP/2.0 481 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_12_2_2_RequestWithToTagAndNoDialog_481()
    {
        _h.Receive(Request("OPTIONS", "sip:127.0.0.1", toTag: "t9"));

        Assert.StartsWith("SIP/2.0 481 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_8_2_1_KnownMethodNotServedYet_405WithAllow()
    {
        _h.Receive(Request("REGISTER", "sip:example.com"));

        var r = _h.LastResponse;
        Assert.StartsWith("SIP/2.0 405 ", r, StringComparison.Ordinal);
        Assert.Contains("\r\nAllow: OPTIONS, ACK, CANCEL\r\n", r, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_21_5_2_UnknownMethod_501()
    {
        _h.Receive(Request("FROBNICATE", "sip:127.0.0.1"));

        Assert.StartsWith("SIP/2.0 501 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_16_3_MaxForwardsZeroNotForTheNode_483()
    {
        var text = Request("MESSAGE", "sip:alice@example.com").Replace("Max-Forwards: 70", "Max-Forwards: 0", StringComparison.Ordinal);

        _h.Receive(text);

        Assert.StartsWith("SIP/2.0 483 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_16_3_MaxForwardsZeroOptionsToTheNode_AnsweredAsUas()
    {
        var text = Request("OPTIONS", "sip:127.0.0.1").Replace("Max-Forwards: 70", "Max-Forwards: 0", StringComparison.Ordinal);

        _h.Receive(text);

        Assert.StartsWith("SIP/2.0 200 ", _h.LastResponse, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedRequestWithUsableVia_AnsweredWithTheRejectionStatus()
    {
        // CSeq method differs from the request method: RFC 3261 §8.1.1.5 makes that a bad request.
        var outcome = _h.Receive(Request("OPTIONS", "sip:127.0.0.1", cseqMethod: "INVITE"));

        Assert.Equal(EdgeOutcome.Answered, outcome);
        Assert.StartsWith("SIP/2.0 400 ", _h.LastResponse, StringComparison.Ordinal);
        Assert.Equal(1, _h.Metrics.Rejections(SipRejectionReason.CSeqMethodMismatch));
    }

    [Fact]
    public void Garbage_DroppedAndCountedWithoutAnException()
    {
        var outcome = _h.Receive("\u0001\u0002 not sip at all\r\n\r\n");

        Assert.Equal(EdgeOutcome.Dropped, outcome);
        Assert.Empty(_h.Sender.Sent);
        Assert.Equal(1, _h.Metrics.Drops(SipDropCause.Unanswerable));
    }

    [Fact]
    public void Rfc3261_18_1_2_StrayResponse_Dropped()
    {
        var outcome = _h.Receive("""
            SIP/2.0 200 OK
            Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx
            From: <sip:a@example.com>;tag=1
            To: <sip:b@example.com>;tag=2
            Call-ID: c
            CSeq: 1 OPTIONS
            Content-Length: 0


            """);

        Assert.Equal(EdgeOutcome.Dropped, outcome);
        Assert.Equal(1, _h.Metrics.Drops(SipDropCause.StrayResponse));
    }

    [Fact]
    public void Rfc3261_18_2_1_SentByDiffersFromSource_ReceivedAddedAndResponseSentToSourceAndSentByPort()
    {
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 33333);

        _h.Receive(Request("OPTIONS", "sip:127.0.0.1", via: "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKnat"), remote);

        var (text, destination) = Assert.Single(_h.Sender.Sent);
        Assert.Contains("\r\nVia: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKnat;received=192.0.2.7\r\n", text, StringComparison.Ordinal);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5062), destination);
    }

    [Fact]
    public void Rfc3581_4_Rport_FilledWithSourcePortAndResponseSentToSource()
    {
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 33333);

        _h.Receive(Request("OPTIONS", "sip:127.0.0.1", via: "SIP/2.0/UDP 10.0.0.5:5062;rport;branch=z9hG4bKnat"), remote);

        var (text, destination) = Assert.Single(_h.Sender.Sent);
        Assert.Contains("\r\nVia: SIP/2.0/UDP 10.0.0.5:5062;rport=33333;branch=z9hG4bKnat;received=192.0.2.7\r\n", text, StringComparison.Ordinal);
        Assert.Equal(remote, destination);
    }

    [Fact]
    public void Rfc3581_4_CompactViaWithTwoValuesAfterOtherHeaders_OnlyTheTopValueAnnotatedAndEveryOtherViaCopiedOnce()
    {
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 33333);

        _h.Receive("""
            OPTIONS sip:127.0.0.1 SIP/2.0
            Max-Forwards: 70
            From: "Probe" <sip:probe@example.com>;tag=f1
            v: SIP/2.0/UDP 10.0.0.5:5062;rport;branch=z9hG4bKtop , SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKmid
            To: <sip:127.0.0.1>
            Via: SIP/2.0/TCP 10.0.0.10;branch=z9hG4bKlast
            Call-ID: call-1@127.0.0.1
            CSeq: 7 OPTIONS
            Content-Length: 0


            """, remote);

        var (text, destination) = Assert.Single(_h.Sender.Sent);
        var vias = text.Split("\r\n").Where(l => l.StartsWith("v:", StringComparison.Ordinal) || l.StartsWith("Via:", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "v: SIP/2.0/UDP 10.0.0.5:5062;rport=33333;branch=z9hG4bKtop;received=192.0.2.7 , SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKmid",
            "Via: SIP/2.0/TCP 10.0.0.10;branch=z9hG4bKlast",
        ], vias);
        Assert.Equal(remote, destination);
    }

    [Fact]
    public void Rfc3261_18_2_1_ParseRejectionFromANattedSource_ReceivedAddedToTheTopVia()
    {
        var remote = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 33333);

        // A CSeq without a number: the parser's 400, answered without a transaction (RFC 3261 §8.2.7 / §21.4.1).
        _h.Receive(Request("OPTIONS", "sip:127.0.0.1", via: "SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKnat")
            .Replace("CSeq: 7 OPTIONS", "CSeq: seven OPTIONS", StringComparison.Ordinal), remote);

        var (text, _) = Assert.Single(_h.Sender.Sent);
        Assert.StartsWith("SIP/2.0 400 ", text, StringComparison.Ordinal);
        var vias = text.Split("\r\n").Where(l => l.StartsWith("Via:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKnat;received=192.0.2.7"], vias);
    }

    [Fact]
    public void Rfc3261_18_2_2_SentByEqualsSourceWithoutPort_ResponseGoesToPort5060()
    {
        var remote = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 40001);

        _h.Receive(Request("OPTIONS", "sip:127.0.0.1", via: "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKdef"), remote);

        var (text, destination) = Assert.Single(_h.Sender.Sent);
        Assert.Contains("\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKdef\r\n", text, StringComparison.Ordinal);
        Assert.Equal(5060, destination.Port);
    }

    [Fact]
    public void OnMessage_LoopBehindByMaxQueuedInbound_DropsFurtherMessagesAsOverload()
    {
        // The loop is never started, so nothing is taken off the queue: the bound alone decides.
        using var h = new EdgeHarness(new EdgeOptions { Domains = ["example.com"], MaxQueuedInbound = 2 });
        var context = new Routing.Sip.Transport.SipInboundContext(Routing.Sip.Transport.SipTransportKind.Udp, EdgeHarness.Local,
            new IPEndPoint(IPAddress.Loopback, 40000), h.Sender);

        for (var i = 0; i < 5; i++)
        {
            h.Edge.OnMessage(SipParser.ParseDatagram(EdgeHarness.Wire(Request("OPTIONS", "sip:127.0.0.1"))), context);
        }

        Assert.Equal(3, h.Metrics.Drops(SipDropCause.Overload));
    }

    [Fact]
    public void Metrics_CountRequestsByMethodAndResponsesByStatus()
    {
        _h.Receive(Request("OPTIONS", "sip:127.0.0.1"));
        _h.Receive(Request("OPTIONS", "sip:127.0.0.1"));
        _h.Receive(Request("INVITE", "sip:127.0.0.1"));

        Assert.Equal(2, _h.Metrics.Requests(SipMethod.Options));
        Assert.Equal(1, _h.Metrics.Requests(SipMethod.Invite));
        // The second OPTIONS has the first one's branch: a retransmission, answered by its transaction's last response.
        Assert.Equal(1, _h.Metrics.Responses(SipMethod.Options, 200));
        Assert.Equal(1, _h.Edge.TransactionCounters.RetransmissionsReceived(Routing.Sip.Transactions.TransactionKind.NonInviteServer));
        Assert.Equal(1, _h.Metrics.Responses(SipMethod.Invite, 405));
    }

    [Fact]
    public void SendFailure_CountedAsDropped()
    {
        _h.Sender.Fail = true;

        var outcome = _h.Receive(Request("OPTIONS", "sip:127.0.0.1"));

        Assert.Equal(EdgeOutcome.Dropped, outcome);
        Assert.Equal(1, _h.Metrics.Drops(SipDropCause.SendFailed));
    }
}
