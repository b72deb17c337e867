using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using static Routing.Edge.Tests.Transactions.TransactionHarness;

namespace Routing.Edge.Tests.Transactions;

/// <summary>The edge's server transactions on a fake clock: retransmissions, timers, CANCEL, merged requests, async TUs.</summary>
public sealed class ServerTransactionTests : IDisposable
{
    private readonly HoldingHandler _tu = new(SipMethod.Invite, SipMethod.Register);
    private readonly TransactionHarness _h;

    public ServerTransactionTests() => _h = new TransactionHarness(_tu);

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Rfc3261_17_2_2_RetransmittedOptions_LastResponseResentAndCounted()
    {
        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS")));
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("OPTIONS")));

        Assert.Equal(2, _h.Sender.Sent.Count);
        Assert.Equal(_h.Sender.Sent[0].Text, _h.Sender.Sent[1].Text);
        Assert.Equal(1, _h.Edge.TransactionCounters.RetransmissionsReceived(TransactionKind.NonInviteServer));
        Assert.Equal(1, _h.Edge.TransactionCounters.RetransmissionsSent(TransactionKind.NonInviteServer));
        Assert.Equal(1, _h.Metrics.Requests(SipMethod.Options) - 1);
        Assert.Equal(1, _h.Metrics.Responses(SipMethod.Options, 200));
    }

    [Fact]
    public void Rfc3261_17_2_2_TimerJ_UnreliableTransactionLives64T1ThenANewRequestMakesANewTransaction()
    {
        _h.Receive(Request("OPTIONS"));
        Assert.Equal(1, _h.Edge.LiveTransactions);

        _h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Equal(1, _h.Edge.LiveTransactions);
        _h.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, _h.Edge.LiveTransactions);

        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS")));
        Assert.Equal(2, _h.Edge.TransactionCounters.Created(TransactionKind.NonInviteServer));
    }

    [Fact]
    public void Rfc3261_17_2_2_TimerJ_ZeroOnReliableTransport()
    {
        _h.Receive(Request("OPTIONS", via: "SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bKtcp"), Routing.Sip.Transport.SipTransportKind.Tcp);

        _h.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal(0, _h.Edge.LiveTransactions);
    }

    [Fact]
    public void Rfc3261_17_2_1_InviteHeldByTu_100TryingAtOnceAndRetransmittedInviteResendsIt()
    {
        Assert.Equal(EdgeOutcome.Pending, _h.Receive(Request("INVITE", "sip:bob@example.com")));
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("INVITE", "sip:bob@example.com")));

        Assert.Equal(2, _h.Sender.Sent.Count);
        Assert.All(_h.SentTexts, t => Assert.StartsWith("SIP/2.0 100 Trying\r\n", t, StringComparison.Ordinal));
        Assert.DoesNotContain(";tag=", _h.SentTexts[0].Split("\r\nTo:")[1].Split("\r\n")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_17_2_1_TimerG_NonSuccessFinalRetransmittedWithDoublingCappedAtT2_UntilAck()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        _tu.Held[0].Respond(486);
        _h.Edge.RunPending();
        Assert.Equal(2, _h.Sender.Sent.Count);

        // Timer G: 0.5, 1, 2, 4, 4 s (T2 cap) after the 486.
        var expectedAt = new[] { 0.5, 1.5, 3.5, 7.5, 11.5 };
        var elapsed = 0.0;
        foreach (var at in expectedAt)
        {
            _h.Advance(TimeSpan.FromSeconds(at - elapsed - 0.05));
            var before = _h.Sender.Sent.Count;
            _h.Advance(TimeSpan.FromSeconds(0.1));
            Assert.Equal(before + 1, _h.Sender.Sent.Count);
            elapsed = at + 0.05;
        }

        Assert.All(_h.SentTexts.Skip(1), t => Assert.StartsWith("SIP/2.0 486 ", t, StringComparison.Ordinal));
        var toTag = _h.SentTexts[1].Split("\r\nTo: ")[1].Split("tag=")[1].Split("\r\n")[0];

        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("ACK", "sip:bob@example.com", toTag: toTag)));
        var afterAck = _h.Sender.Sent.Count;
        _h.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(afterAck, _h.Sender.Sent.Count);
        // Timer I (T4 = 5 s) ended the Confirmed transaction.
        Assert.Equal(0, _h.Edge.LiveTransactions);
    }

    [Fact]
    public void Rfc3261_17_2_1_TimerH_NoAckFor64T1_TransactionEnds()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        _tu.Held[0].Respond(603);
        _h.Edge.RunPending();

        _h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Equal(1, _h.Edge.LiveTransactions);
        _h.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal(0, _h.Edge.LiveTransactions);
        Assert.Equal(1, _h.Edge.TransactionCounters.Timeouts(TransactionKind.InviteServer));
    }

    [Fact]
    public void Rfc3261_9_2_CancelOfPendingInvite_200ToCancelAnd487ToInvite()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        var invite = _tu.Held[0];

        _h.Receive(Request("CANCEL", "sip:bob@example.com"));

        var texts = _h.SentTexts;
        Assert.Equal(3, texts.Count);
        Assert.StartsWith("SIP/2.0 200 ", texts[1], StringComparison.Ordinal);
        Assert.Contains("\r\nCSeq: 1 CANCEL\r\n", texts[1], StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 487 ", texts[2], StringComparison.Ordinal);
        Assert.Contains("\r\nCSeq: 1 INVITE\r\n", texts[2], StringComparison.Ordinal);
        Assert.True(invite.Cancelled.IsCancellationRequested);
        Assert.Equal(ServerRespondResult.AlreadyFinal, invite.Respond(200));
    }

    [Fact]
    public void Rfc3261_16_7_Step5_SecondForwarded2xxOfAFork_SentToo_ButNoFinalOtherThan2xxAfterIt()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        var invite = _tu.Held[0];
        static ReadOnlyMemory<byte> Ok(string tag) => System.Text.Encoding.ASCII.GetBytes(
            "SIP/2.0 200 OK\r\nTo: <sip:bob@example.com>;tag=" + tag + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(ServerRespondResult.Accepted, invite.Forward(200, Ok("phone")));
        Assert.Equal(ServerRespondResult.Accepted, invite.Forward(200, Ok("tablet")));
        Assert.Equal(ServerRespondResult.AlreadyFinal, invite.Forward(486, Ok("late")));
        _h.Edge.RunPending();

        var finals = _h.SentTexts.Where(t => t.StartsWith("SIP/2.0 200 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, finals.Count);
        Assert.Contains(";tag=phone\r\n", finals[0], StringComparison.Ordinal);
        Assert.Contains(";tag=tablet\r\n", finals[1], StringComparison.Ordinal);
        Assert.DoesNotContain(_h.SentTexts, t => t.StartsWith("SIP/2.0 486", StringComparison.Ordinal));
    }

    [Fact]
    public void Rfc3261_16_7_Step5_2xxAfterANonSuccessFinal_Refused()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        var invite = _tu.Held[0];

        Assert.Equal(ServerRespondResult.Accepted, invite.Respond(486));
        Assert.Equal(ServerRespondResult.AlreadyFinal, invite.Forward(200, System.Text.Encoding.ASCII.GetBytes("SIP/2.0 200 OK\r\n\r\n")));
    }

    [Fact]
    public void Rfc3261_9_2_CancelAfterFinalResponse_200ToCancelOnly()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        _tu.Held[0].Respond(486);
        _h.Edge.RunPending();

        _h.Receive(Request("CANCEL", "sip:bob@example.com"));

        var texts = _h.SentTexts;
        Assert.Equal(3, texts.Count);
        Assert.StartsWith("SIP/2.0 200 ", texts[2], StringComparison.Ordinal);
        Assert.Contains("\r\nCSeq: 1 CANCEL\r\n", texts[2], StringComparison.Ordinal);
        Assert.DoesNotContain(texts, t => t.StartsWith("SIP/2.0 487", StringComparison.Ordinal));
    }

    [Fact]
    public void Rfc3261_9_2_CancelForAProxyTu_NoAutomatic487_TuIsSignalled()
    {
        var proxyTu = new HoldingHandler(SipMethod.Invite) { HandlesCancel = true };
        using var h = new TransactionHarness(proxyTu);
        h.Receive(Request("INVITE", "sip:bob@example.com"));

        h.Receive(Request("CANCEL", "sip:bob@example.com"));

        Assert.Equal(2, h.Sender.Sent.Count);
        Assert.StartsWith("SIP/2.0 200 ", h.SentTexts[1], StringComparison.Ordinal);
        Assert.True(proxyTu.Held[0].Cancelled.IsCancellationRequested);
        Assert.False(proxyTu.Held[0].Answered);
    }

    [Fact]
    public void Rfc3261_9_2_CancelMatchingNothing_481()
    {
        _h.Receive(Request("CANCEL", "sip:bob@example.com", branch: "z9hG4bKnone"));

        Assert.StartsWith("SIP/2.0 481 ", Assert.Single(_h.SentTexts), StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_8_2_2_2_MergedRequest_482Statelessly()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com", branch: "z9hG4bKpath1"));

        var outcome = _h.Receive(Request("INVITE", "sip:bob@example.com", branch: "z9hG4bKpath2"));

        Assert.Equal(EdgeOutcome.Answered, outcome);
        Assert.StartsWith("SIP/2.0 482 ", _h.SentTexts[^1], StringComparison.Ordinal);
        Assert.Single(_tu.Held);
        Assert.Equal(1, _h.Edge.LiveTransactions);
    }

    [Fact]
    public void Rfc3261_8_2_2_2_MergedCopyOfACompletedOptions_482WhileTimerJRuns_ThenANewTransaction()
    {
        // The completed transaction is kept by the edge as bytes; it still holds its merge key for Timer J.
        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS", branch: "z9hG4bKpath1")));

        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS", branch: "z9hG4bKpath2")));
        Assert.StartsWith("SIP/2.0 482 ", _h.SentTexts[^1], StringComparison.Ordinal);
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("OPTIONS", branch: "z9hG4bKpath1")));
        Assert.StartsWith("SIP/2.0 200 ", _h.SentTexts[^1], StringComparison.Ordinal);

        _h.Advance(TimeSpan.FromSeconds(32.1));
        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS", branch: "z9hG4bKpath2")));
        Assert.StartsWith("SIP/2.0 200 ", _h.SentTexts[^1], StringComparison.Ordinal);
        Assert.Equal(2, _h.Edge.TransactionCounters.Created(TransactionKind.NonInviteServer));
    }

    [Fact]
    public void Rfc3261_17_2_3_CompletedTransaction_MatchedByBranchSentByAndMethod_HostCaseInsensitive()
    {
        _h.Receive(Request("OPTIONS", branch: "z9hG4bKsame"));

        // Same branch, another sent-by: another transaction, and its own retransmission is absorbed by it.
        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS", via: "SIP/2.0/UDP 127.0.0.2:40000;branch=z9hG4bKsame", callId: "c2")));
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("OPTIONS", via: "SIP/2.0/UDP 127.0.0.2:40000;branch=z9hG4bKsame", callId: "c2")));

        // Same branch and sent-by, another method: another transaction.
        Assert.NotEqual(EdgeOutcome.Absorbed, _h.Receive(Request("MESSAGE", branch: "z9hG4bKsame", callId: "c3")));

        // A retransmission whose sent-by host differs only in case is the same transaction.
        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("OPTIONS", via: "SIP/2.0/UDP PEER.example.com:40000;branch=z9hG4bKcase", callId: "c4")));
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("OPTIONS", via: "SIP/2.0/UDP peer.example.com:40000;branch=z9hG4bKcase", callId: "c4")));

        Assert.Equal(4, _h.Edge.TransactionCounters.Created(TransactionKind.NonInviteServer));
        Assert.Equal(2, _h.Edge.TransactionCounters.RetransmissionsReceived(TransactionKind.NonInviteServer));
    }

    [Fact]
    public void Rfc3261_17_2_3_Rfc2543RequestWithoutMagicCookie_RetransmissionMatchedByFallback()
    {
        var legacy = Request("OPTIONS", via: "SIP/2.0/UDP 127.0.0.1:40000;branch=old1");
        _h.Receive(legacy);

        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(legacy));
        Assert.Equal(1, _h.Edge.TransactionCounters.Created(TransactionKind.NonInviteServer));
    }

    [Fact]
    public void MessageToAUserOfTheNode_404UntilAProxyRoutesIt()
    {
        _h.Receive(Request("MESSAGE", "sip:bob@example.com"));

        Assert.StartsWith("SIP/2.0 404 ", Assert.Single(_h.SentTexts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TuAnswersFromAnotherThread_QueuedAndSentByTheOwner()
    {
        _h.Receive(Request("REGISTER", "sip:example.com"));
        var register = Assert.Single(_tu.Held);

        var result = await Task.Run(() => register.Respond(200, extraHeaders: "Contact: <sip:alice@127.0.0.1:40000>;expires=60\r\n"),
            TestContext.Current.CancellationToken);
        Assert.Equal(ServerRespondResult.Accepted, result);
        Assert.Empty(_h.Sender.Sent);

        Assert.Equal(1, _h.Edge.RunPending());

        var sent = Assert.Single(_h.SentTexts);
        Assert.StartsWith("SIP/2.0 200 OK\r\n", sent, StringComparison.Ordinal);
        Assert.Contains("\r\nContact: <sip:alice@127.0.0.1:40000>;expires=60\r\n", sent, StringComparison.Ordinal);
        Assert.Contains(";tag=" + register.ToTag, sent, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_17_2_4_SendFailure_TransactionEndsAtOnce()
    {
        _h.Sender.Fail = true;

        _h.Receive(Request("OPTIONS"));

        Assert.Equal(0, _h.Edge.LiveTransactions);
        Assert.Equal(1, _h.Edge.TransactionCounters.TransportErrors(TransactionKind.NonInviteServer));
    }

    [Fact]
    public void Rfc4320_4_2_NonInviteLeftUnansweredByItsTu_EndedAfter64T1WithoutA408()
    {
        _h.Receive(Request("REGISTER", "sip:example.com"));
        Assert.Equal(1, _h.Edge.LiveTransactions);

        _h.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Equal(1, _h.Edge.LiveTransactions);
        _h.Advance(TimeSpan.FromSeconds(0.2));

        // RFC 4320 §4.2: no 408 to a non-INVITE request. The transaction waits Timer J as after a final response, so a
        // retransmission is absorbed (no response, not passed to the TU again); then it is gone.
        Assert.Empty(_h.Sender.Sent);
        Assert.Equal(1, _h.Metrics.Drops(SipDropCause.TuNoAnswer));
        Assert.Equal(1, _h.Edge.LiveTransactions);
        _h.Receive(Request("REGISTER", "sip:example.com"));
        Assert.Empty(_h.Sender.Sent);
        Assert.Single(_tu.Held);
        _h.Advance(TimeSpan.FromSeconds(32.1));
        Assert.Equal(0, _h.Edge.LiveTransactions);
        Assert.Empty(_h.Sender.Sent);
    }

    private sealed class AckTaker : IEdgeRequestHandler, IEdgeAckHandler
    {
        public List<string> Acks { get; } = [];

        public bool TryHandle(EdgeServerRequest request, RequestTarget target) => false;

        public bool TryHandleAck(SipMessage ack, in Routing.Sip.Transport.SipInboundContext source, RequestTarget target)
        {
            Acks.Add(ack.ToString());
            return true;
        }
    }

    [Fact]
    public void Rfc3261_17_1_1_3_AckForA2xx_NoTransaction_OfferedToTheAckHandlerNeverAnswered()
    {
        var taker = new AckTaker();
        using var h = new TransactionHarness(taker);

        var outcome = h.Receive(Request("ACK", "sip:bob@example.com", branch: "z9hG4bKack2xx", toTag: "uas9"));

        Assert.Equal(EdgeOutcome.Absorbed, outcome);
        Assert.Contains("branch=z9hG4bKack2xx", Assert.Single(taker.Acks), StringComparison.Ordinal);
        Assert.Empty(h.Sender.Sent);
    }
}
