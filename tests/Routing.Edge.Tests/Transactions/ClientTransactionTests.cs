using System.Net;
using System.Text;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;
using static Routing.Edge.Tests.Transactions.TransactionHarness;

namespace Routing.Edge.Tests.Transactions;

/// <summary>The edge's client transactions (the API the proxy uses) on a fake clock.</summary>
public sealed class ClientTransactionTests : IDisposable
{
    private static readonly IPEndPoint Next = new(IPAddress.Parse("127.0.0.1"), 5080);
    private readonly TransactionHarness _h = new();
    private readonly RecordingObserver _observer = new();

    public void Dispose() => _h.Dispose();

    private static byte[] Outgoing(string method, int cseq = 1) => EdgeHarness.Wire($"""
        {method} sip:bob@127.0.0.1:5080 SIP/2.0
        Max-Forwards: 69
        Route: <sip:127.0.0.1:5080;lr>
        From: <sip:alice@example.com>;tag=uac1
        To: <sip:bob@example.net>
        Call-ID: out-1
        CSeq: {cseq} {method}
        Content-Length: 0


        """);

    private ClientTransactionHandle StartOne(string method, SipDestination? destination = null)
    {
        var started = _h.Edge.Start(new OutboundRequest(Outgoing(method), destination ?? SipDestination.To(SipTransportKind.Udp, Next)), _observer);
        Assert.True(started.Started, started.Rejection.ToString());
        _h.Edge.RunPending();
        return started.Transaction!;
    }

    [Fact]
    public void Rfc3261_8_1_1_7_Start_ViaPushedWithMagicCookieBranchAndRport_SentToTheDestination()
    {
        var tx = StartOne("MESSAGE");

        var (text, destination) = Assert.Single(_h.Sender.Sent);
        Assert.Equal(Next, destination);
        Assert.StartsWith("MESSAGE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + tx.Branch + ";rport\r\n", text, StringComparison.Ordinal);
        Assert.StartsWith("z9hG4bK", tx.Branch, StringComparison.Ordinal);
        Assert.Equal(SipTransportKind.Udp, tx.Flow!.Value.Transport);
    }

    [Fact]
    public void Rfc3261_17_1_2_2_TimerE_DoublesToT2ThenStays_TimerF_TimesOutAt64T1()
    {
        StartOne("MESSAGE");

        // Timer E: 0.5, 1, 2, 4, 4, 4 ... s; Timer F at 32 s.
        var sendTimes = new List<double>();
        for (var ms = 0; ms < 33_000; ms += 10)
        {
            var before = _h.Sender.Sent.Count;
            _h.Advance(TimeSpan.FromMilliseconds(10));
            if (_h.Sender.Sent.Count > before)
            {
                sendTimes.Add((ms + 10) / 1000.0);
            }
        }

        Assert.Equal([0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], sendTimes);
        Assert.Equal(["failed Timeout", "ended"], _observer.Events);
        Assert.Equal(10, _h.Edge.TransactionCounters.RetransmissionsSent(TransactionKind.NonInviteClient));
    }

    [Fact]
    public void Rfc3261_17_1_2_2_FinalResponse_DeliveredOnce_RetransmissionAbsorbed_EndsAfterTimerK()
    {
        var tx = StartOne("MESSAGE");

        Assert.Equal(EdgeOutcome.Matched, _h.Receive(Response(200, tx.Branch, "MESSAGE")));
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Response(200, tx.Branch, "MESSAGE")));
        _h.Advance(TimeSpan.FromSeconds(5.1));

        Assert.Equal(["response 200", "ended"], _observer.Events);
        Assert.Contains("\r\nCSeq: 1 MESSAGE\r\n", _observer.Responses[0], StringComparison.Ordinal);
        Assert.Equal(1, _h.Edge.TransactionCounters.RetransmissionsReceived(TransactionKind.NonInviteClient));
    }

    [Fact]
    public void Rfc3261_17_1_1_3_InviteRejected_AckBuiltHopByHopAndResentOnRetransmittedFinal()
    {
        var tx = StartOne("INVITE");

        _h.Receive(Response(486, tx.Branch, "INVITE", toTag: "busy7"));
        _h.Receive(Response(486, tx.Branch, "INVITE", toTag: "busy7"));

        var acks = _h.SentTexts.FindAll(t => t.StartsWith("ACK ", StringComparison.Ordinal));
        Assert.Equal(2, acks.Count);
        var ack = acks[0];
        Assert.StartsWith("ACK sip:bob@127.0.0.1:5080 SIP/2.0\r\n", ack, StringComparison.Ordinal);
        Assert.Contains("\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + tx.Branch + ";rport\r\n", ack, StringComparison.Ordinal);
        Assert.Contains("\r\nTo: <sip:bob@example.net>;tag=busy7\r\n", ack, StringComparison.Ordinal);
        Assert.Contains("\r\nCSeq: 1 ACK\r\n", ack, StringComparison.Ordinal);
        Assert.Contains("\r\nRoute: <sip:127.0.0.1:5080;lr>\r\n", ack, StringComparison.Ordinal);
        Assert.Equal(["response 486"], _observer.Events);
    }

    [Fact]
    public void Rfc3261_17_1_1_2_TimerB_InviteWithoutAnswer_FailsAt64T1()
    {
        StartOne("INVITE");

        _h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Empty(_observer.Events);
        _h.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal(["failed Timeout", "ended"], _observer.Events);
    }

    [Fact]
    public void Rfc3261_9_1_CancelBeforeProvisional_HeldUntil180ThenSentWithTheInvitesViaAndCSeq()
    {
        var tx = StartOne("INVITE");
        _h.Edge.Cancel(tx);
        _h.Edge.RunPending();
        Assert.DoesNotContain(_h.SentTexts, t => t.StartsWith("CANCEL", StringComparison.Ordinal));

        _h.Receive(Response(180, tx.Branch, "INVITE"));

        var cancel = Assert.Single(_h.SentTexts, t => t.StartsWith("CANCEL", StringComparison.Ordinal));
        Assert.StartsWith("CANCEL sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + tx.Branch + ";rport\r\n", cancel, StringComparison.Ordinal);
        Assert.Contains("\r\nTo: <sip:bob@example.net>\r\n", cancel, StringComparison.Ordinal);
        Assert.Contains("\r\nCSeq: 1 CANCEL\r\n", cancel, StringComparison.Ordinal);

        _h.Receive(Response(200, tx.Branch, "CANCEL"));
        _h.Receive(Response(487, tx.Branch, "INVITE"));
        Assert.Equal(["response 180", "response 487"], _observer.Events);
    }

    [Fact]
    public void Rfc3261_9_1_CancelAfterFinal_NothingSent()
    {
        var tx = StartOne("INVITE");
        _h.Receive(Response(180, tx.Branch, "INVITE"));
        _h.Receive(Response(200, tx.Branch, "INVITE"));

        _h.Edge.Cancel(tx);
        _h.Edge.RunPending();

        Assert.DoesNotContain(_h.SentTexts, t => t.StartsWith("CANCEL", StringComparison.Ordinal));
    }

    [Fact]
    public void Rfc6026_7_2_TwoHundredRetransmissionsInAccepted_AllPassedToTheTu()
    {
        var tx = StartOne("INVITE");

        _h.Receive(Response(200, tx.Branch, "INVITE"));
        _h.Receive(Response(200, tx.Branch, "INVITE"));

        Assert.Equal(["response 200", "response 200"], _observer.Events);
        Assert.DoesNotContain(_h.SentTexts, t => t.StartsWith("ACK", StringComparison.Ordinal));
    }

    [Fact]
    public void SendAck_NoTransaction_SentOnceWithAFreshBranch()
    {
        var result = _h.Edge.SendAck(new OutboundRequest(Outgoing("ACK"), SipDestination.To(SipTransportKind.Udp, Next)));
        _h.Edge.RunPending();

        Assert.Equal(ClientStartRejection.None, result);
        Assert.StartsWith("ACK ", Assert.Single(_h.SentTexts), StringComparison.Ordinal);
        _h.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(_h.SentTexts);
        Assert.Equal(0, _h.Edge.LiveTransactions);
    }

    [Fact]
    public void SendAck_GivenBranch_ItsViaCarriesThatBranch()
    {
        var result = _h.Edge.SendAck(new OutboundRequest(Outgoing("ACK"), SipDestination.To(SipTransportKind.Udp, Next), "z9hG4bKrcstateless.s1"));
        _h.Edge.RunPending();

        Assert.Equal(ClientStartRejection.None, result);
        Assert.Contains(";branch=z9hG4bKrcstateless.s1", Assert.Single(_h.SentTexts), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_Ack_Refused()
    {
        var result = _h.Edge.Start(new OutboundRequest(Outgoing("ACK"), SipDestination.To(SipTransportKind.Udp, Next)), _observer);

        Assert.Equal(ClientStartRejection.AckNotAllowed, result.Rejection);
    }

    [Fact]
    public void Start_NotARequest_Malformed()
    {
        var result = _h.Edge.Start(new OutboundRequest(Encoding.ASCII.GetBytes("hello"), SipDestination.To(SipTransportKind.Udp, Next)), _observer);

        Assert.Equal(ClientStartRejection.Malformed, result.Rejection);
    }

    [Fact]
    public void Start_TcpWithoutListenerOrConnection_NoTransport()
    {
        var result = _h.Edge.Start(new OutboundRequest(Outgoing("MESSAGE"), SipDestination.To(SipTransportKind.Tcp, Next)), _observer);

        Assert.Equal(ClientStartRejection.NoTransport, result.Rejection);
    }

    [Fact]
    public void Rfc5626_5_2_ForgedFlowToken_Refused()
    {
        var token = _h.Edge.TokenFor(new SipFlowAddress(SipTransportKind.Udp, Local, Next, 0));
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        var result = _h.Edge.Start(new OutboundRequest(Outgoing("MESSAGE"), SipDestination.OnFlow(forged)), _observer);

        Assert.Equal(ClientStartRejection.InvalidFlowToken, result.Rejection);
    }

    [Fact]
    public void Rfc5626_5_3_FlowTokenForAUdpFlow_SentOnThatSocketToThePeer()
    {
        var token = _h.Edge.TokenFor(new SipFlowAddress(SipTransportKind.Udp, Local, Next, 0));

        StartOne("MESSAGE", SipDestination.OnFlow(token));

        Assert.Equal(Next, Assert.Single(_h.Sender.Sent).Destination);
    }

    [Fact]
    public void Rfc5626_5_3_FlowTokenForAClosedConnection_FailsWithFlowGone()
    {
        var token = _h.Edge.TokenFor(new SipFlowAddress(SipTransportKind.Tcp, Local, Next, 42));

        StartOne("MESSAGE", SipDestination.OnFlow(token));

        Assert.Empty(_h.Sender.Sent);
        Assert.Equal(["failed FlowGone", "ended"], _observer.Events);
    }
}
