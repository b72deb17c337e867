using System.Net;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transport;
using static Routing.Edge.Tests.Transactions.TransactionHarness;

namespace Routing.Edge.Tests.Transactions;

/// <summary>
/// A draining edge on a fake clock: new transactions are left unanswered (the sender retransmits to the shared address,
/// which another member answers once this one closes), transactions in flight complete, and the wait for them ends
/// when the last one is answered or at its bound.
/// </summary>
public sealed class DrainTests : IDisposable
{
    private static readonly IPEndPoint Next = new(IPAddress.Parse("127.0.0.1"), 5080);
    private readonly HoldingHandler _tu = new(SipMethod.Invite, SipMethod.Register);
    private readonly TransactionHarness _h;

    public DrainTests() => _h = new TransactionHarness(_tu);

    public void Dispose() => _h.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Drain_NewRequestsLeftUnansweredAndCounted_RetransmissionsCancelAndAnswersOfInFlightOnesStillHandled()
    {
        _h.Receive(Request("REGISTER", "sip:example.com", branch: "z9hG4bKreg"));
        _h.Receive(Request("INVITE", "sip:bob@example.com", branch: "z9hG4bKinv", callId: "c2"));
        Assert.Equal(2, _h.Edge.InFlight);
        var sentBefore = _h.Sender.Sent.Count;

        _h.Edge.BeginDrain();

        // New transactions: no answer, nothing created, counted.
        Assert.Equal(EdgeOutcome.Dropped, _h.Receive(Request("OPTIONS", branch: "z9hG4bKnew")));
        Assert.Equal(EdgeOutcome.Dropped, _h.Receive(Request("REGISTER", "sip:example.com", branch: "z9hG4bKreg2", callId: "c3")));
        Assert.Equal(sentBefore, _h.Sender.Sent.Count);
        Assert.Equal(2, _h.Metrics.Drops(SipDropCause.Draining));
        Assert.Equal(2, _tu.Held.Count);

        // The REGISTER in flight: its retransmission is absorbed; the TU's answer goes out.
        Assert.Equal(EdgeOutcome.Absorbed, _h.Receive(Request("REGISTER", "sip:example.com", branch: "z9hG4bKreg")));
        _tu.Held[0].Respond(200);
        _h.Edge.RunPending();
        Assert.StartsWith("SIP/2.0 200 OK\r\n", _h.SentTexts[^1], StringComparison.Ordinal);
        Assert.Equal(1, _h.Edge.InFlight);

        // The INVITE in flight: its CANCEL still matches (RFC 3261 §9.2): 200 to the CANCEL, 487 to the INVITE.
        Assert.Equal(EdgeOutcome.Answered, _h.Receive(Request("CANCEL", "sip:bob@example.com", branch: "z9hG4bKinv", callId: "c2")));
        Assert.Contains(_h.SentTexts, t => t.StartsWith("SIP/2.0 487 ", StringComparison.Ordinal));
        Assert.Equal(0, _h.Edge.InFlight);
        Assert.Equal(2, _h.Metrics.Drops(SipDropCause.Draining));
    }

    [Fact]
    public async Task WaitForInFlight_LastTransactionAnsweredBeforeTheBound_EndsThenWithNoneLeft()
    {
        _h.Receive(Request("REGISTER", "sip:example.com"));
        _h.Edge.BeginDrain();

        var wait = _h.Edge.WaitForInFlightAsync(TimeSpan.FromSeconds(8), Ct);
        _h.Advance(TimeSpan.FromSeconds(3));
        Assert.False(wait.IsCompleted);

        _tu.Held[0].Respond(200);
        _h.Edge.RunPending();
        _h.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal(0, await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.StartsWith("SIP/2.0 200 OK\r\n", _h.SentTexts[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForInFlight_TransactionNeverAnswered_EndsAtTheBoundWithItLeft()
    {
        _h.Receive(Request("INVITE", "sip:bob@example.com"));
        _h.Edge.BeginDrain();

        var wait = _h.Edge.WaitForInFlightAsync(TimeSpan.FromSeconds(8), Ct);
        _h.Advance(TimeSpan.FromSeconds(7.9));
        Assert.False(wait.IsCompleted);
        _h.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal(1, await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public void ClientTransaction_InFlightUntilItsFinalResponse()
    {
        var observer = new RecordingObserver();
        var wire = EdgeHarness.Wire("""
            BYE sip:bob@127.0.0.1:5080 SIP/2.0
            Max-Forwards: 69
            From: <sip:alice@example.com>;tag=uac1
            To: <sip:bob@example.net>;tag=uas1
            Call-ID: out-1
            CSeq: 1 BYE
            Content-Length: 0


            """);
        var started = _h.Edge.Start(new OutboundRequest(wire, SipDestination.To(SipTransportKind.Udp, Next)), observer);
        _h.Edge.RunPending();
        Assert.Equal(1, _h.Edge.InFlight);
        _h.Edge.BeginDrain();

        // A response is no new transaction: it still reaches its client transaction while draining.
        Assert.Equal(EdgeOutcome.Matched, _h.Receive(Response(200, started.Transaction!.Branch, "BYE")));

        Assert.Equal(0, _h.Edge.InFlight);
        Assert.Contains("response 200", observer.Events);
    }
}
