using Routing.Sip.Transactions;
using static Routing.Sip.Tests.Transactions.Steps;

namespace Routing.Sip.Tests.Transactions;

public class TransactionTableClientTests
{
    private static readonly ClientTransactionKey InviteKey = new("z9hG4bK-c1", "INVITE");
    private static readonly ClientTransactionKey OptionsKey = new("z9hG4bK-c2", "OPTIONS");

    [Fact]
    public void Rfc3261_17_1_1_2_InviteOverUdpNoAnswer_RetransmitsOnTimerAScheduleThenTimesOutAt32s()
    {
        var h = new TableHarness();
        h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);

        h.RunForSeconds(40);

        Assert.Equal([0], h.Output.SecondsOf(OutputEventKind.Transmit));
        Assert.Equal([0.5, 1.5, 3.5, 7.5, 15.5, 31.5], h.Output.SecondsOf(OutputEventKind.Retransmit));
        var failed = Assert.Single(h.Output.OfKind(OutputEventKind.Failed));
        Assert.Equal(TransactionFailure.Timeout, failed.Failure);
        Assert.Equal(S(32), failed.At);
        Assert.Equal(6, h.Table.Counters.RetransmissionsSent(TransactionKind.InviteClient));
        Assert.Equal(1, h.Table.Counters.Timeouts(TransactionKind.InviteClient));
        Assert.Equal(0, h.Table.LiveCount);
        Assert.Equal(0, h.Table.TimerCount);
    }

    [Fact]
    public void Rfc3261_17_1_2_2_NonInviteOverUdpNoAnswer_TimerECapsAtT2AndTimerFTimesOutAt32s()
    {
        var h = new TableHarness();
        h.Table.StartClient(OptionsKey, new FakeMessage("OPTIONS"), reliable: false);

        h.RunForSeconds(40);

        Assert.Equal(
            [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
            h.Output.SecondsOf(OutputEventKind.Retransmit));
        Assert.Equal([32], h.Output.SecondsOf(OutputEventKind.Failed));
        Assert.Equal(1, h.Table.Counters.Timeouts(TransactionKind.NonInviteClient));
    }

    [Fact]
    public void Rfc3261_17_1_2_2_NonInviteOverTcpNoAnswer_NeverRetransmitsAndTimesOutAt32s()
    {
        var h = new TableHarness();
        h.Table.StartClient(OptionsKey, new FakeMessage("OPTIONS"), reliable: true);

        h.RunForSeconds(40);

        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Equal([32], h.Output.SecondsOf(OutputEventKind.Failed));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_InviteOverTcpNoAnswer_NeverRetransmitsAndTimerBAt32s()
    {
        var h = new TableHarness();
        h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: true);

        h.RunForSeconds(40);

        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Equal([32], h.Output.SecondsOf(OutputEventKind.Failed));
    }

    [Fact]
    public void Advance_CalledLateInOneJump_FiresTheSameRetransmissionsAsSteadyTicks()
    {
        var h = new TableHarness();
        h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);

        h.Time.Advance(S(40));
        h.Table.Advance();

        Assert.Equal(6, h.Output.OfKind(OutputEventKind.Retransmit).Count);
        Assert.Single(h.Output.OfKind(OutputEventKind.Failed));
    }

    [Fact]
    public void Rfc3261_17_1_1_3_InviteNonSuccess_AckSentReAckedOnRetransmissionAndTimerDEnds()
    {
        var h = new TableHarness();
        var tx = h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);
        h.RunForSeconds(0.2);

        Assert.Equal(ClientResponseOutcome.PassedToTu, h.Table.ReceiveResponse(InviteKey, 486, new FakeMessage("486", 486)));
        Assert.Equal(TransactionStateName.Completed, tx.State);
        var ack = Assert.Single(h.Output.OfKind(OutputEventKind.BuildAck));
        Assert.Equal(486, ack.Message!.Status);
        Assert.Contains(h.Output.OfKind(OutputEventKind.Transmit), e => ReferenceEquals(e.Message, ack.Message));

        h.RunForSeconds(1);
        Assert.Equal(ClientResponseOutcome.RetransmissionAbsorbed, h.Table.ReceiveResponse(InviteKey, 486, new FakeMessage("486", 486)));
        Assert.Single(h.Output.OfKind(OutputEventKind.BuildAck));
        var reAck = Assert.Single(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Same(ack.Message, reAck.Message);
        Assert.Single(h.Output.OfKind(OutputEventKind.DeliverResponse));
        Assert.Equal(1, h.Table.Counters.RetransmissionsReceived(TransactionKind.InviteClient));

        h.RunForSeconds(31);
        Assert.Equal([32.2], h.Output.SecondsOf(OutputEventKind.Terminated), new ToleranceComparer());
        Assert.Equal(0, h.Table.LiveCount);
        Assert.Equal(ClientResponseOutcome.NoTransaction, h.Table.ReceiveResponse(InviteKey, 486, new FakeMessage("486", 486)));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_InviteCompletedThenSuccess_DiscardedAndNotCountedAsRetransmission()
    {
        var h = new TableHarness();
        h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);
        h.Table.ReceiveResponse(InviteKey, 486, new FakeMessage("486", 486));

        var outcome = h.Table.ReceiveResponse(InviteKey, 200, new FakeMessage("200", 200));

        Assert.Equal(ClientResponseOutcome.Discarded, outcome);
        Assert.Equal(0, h.Table.Counters.RetransmissionsReceived(TransactionKind.InviteClient));
        Assert.Single(h.Output.OfKind(OutputEventKind.DeliverResponse));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_InviteProvisional_StopsTimerAAndTimerB()
    {
        var h = new TableHarness();
        var tx = h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);
        h.RunForSeconds(0.2);
        h.Table.ReceiveResponse(InviteKey, 180, new FakeMessage("180", 180));

        h.RunForSeconds(120);

        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Empty(h.Output.OfKind(OutputEventKind.Failed));
        Assert.Equal(TransactionStateName.Proceeding, tx.State);
        Assert.Equal(0, h.Table.TimerCount);
    }

    [Fact]
    public void Rfc6026_7_2_InviteSuccess_AcceptedPassesFurther2xxAndTimerMEndsAt64T1()
    {
        var h = new TableHarness();
        var tx = h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);
        h.RunForSeconds(1);
        h.Table.ReceiveResponse(InviteKey, 200, new FakeMessage("200 fork a", 200));
        Assert.Equal(TransactionStateName.Accepted, tx.State);

        h.RunForSeconds(2);
        Assert.Equal(ClientResponseOutcome.PassedToTu, h.Table.ReceiveResponse(InviteKey, 200, new FakeMessage("200 fork b", 200)));

        Assert.Equal(["200 fork a", "200 fork b"], h.Output.OfKind(OutputEventKind.DeliverResponse).ConvertAll(e => e.Message!.Label));
        Assert.Empty(h.Output.OfKind(OutputEventKind.BuildAck));
        h.RunForSeconds(40);
        Assert.Equal([33], h.Output.SecondsOf(OutputEventKind.Terminated), new ToleranceComparer());
    }

    [Fact]
    public void Rfc3261_17_1_2_2_NonInviteFinal_RetransmittedFinalAbsorbedAndTimerKAtT4()
    {
        var h = new TableHarness();
        h.Table.StartClient(OptionsKey, new FakeMessage("OPTIONS"), reliable: false);
        h.RunForSeconds(0.1);
        h.Table.ReceiveResponse(OptionsKey, 200, new FakeMessage("200", 200));

        Assert.Equal(ClientResponseOutcome.RetransmissionAbsorbed, h.Table.ReceiveResponse(OptionsKey, 200, new FakeMessage("200", 200)));
        h.RunForSeconds(10);

        Assert.Single(h.Output.OfKind(OutputEventKind.DeliverResponse));
        Assert.Equal([5.1], h.Output.SecondsOf(OutputEventKind.Terminated), new ToleranceComparer());
        Assert.Equal(1, h.Table.Counters.RetransmissionsReceived(TransactionKind.NonInviteClient));
    }

    [Fact]
    public void Rfc3261_17_1_4_TransportError_ReportedAndTransactionRemoved()
    {
        var h = new TableHarness();
        var tx = h.Table.StartClient(OptionsKey, new FakeMessage("OPTIONS"), reliable: true);

        h.Table.ReportTransportError(tx);

        Assert.Equal(TransactionFailure.TransportError, Assert.Single(h.Output.OfKind(OutputEventKind.Failed)).Failure);
        Assert.Equal(0, h.Table.LiveCount);
        Assert.Equal(0, h.Table.TimerCount);
        Assert.Equal(1, h.Table.Counters.TransportErrors(TransactionKind.NonInviteClient));
    }

    [Fact]
    public void StartClient_TransportFailsSynchronously_NoTimerLeftBehind()
    {
        var h = new TableHarness();
        h.Output.OnTransmit = (tx, _) => h.Table.ReportTransportError(tx);

        h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);

        Assert.Equal(0, h.Table.LiveCount);
        Assert.Equal(0, h.Table.TimerCount);
        Assert.Single(h.Output.OfKind(OutputEventKind.Failed));
    }

    [Fact]
    public void Rfc3261_17_1_3_ResponseWithOtherCSeqMethod_DoesNotMatchInviteTransaction()
    {
        var h = new TableHarness();
        h.Table.StartClient(InviteKey, new FakeMessage("INVITE"), reliable: false);

        var outcome = h.Table.ReceiveResponse(new ClientTransactionKey(InviteKey.Branch, "CANCEL"), 200, new FakeMessage("200", 200));

        Assert.Equal(ClientResponseOutcome.NoTransaction, outcome);
    }

    [Fact]
    public void StartClient_DuplicateKey_Throws()
    {
        var h = new TableHarness();
        h.Table.StartClient(OptionsKey, new FakeMessage("OPTIONS"), reliable: false);

        Assert.Throws<InvalidOperationException>(() => h.Table.StartClient(OptionsKey, new FakeMessage("OPTIONS"), reliable: false));
    }

    [Fact]
    public void StartClient_Ack_Throws()
    {
        var h = new TableHarness();

        Assert.Throws<ArgumentException>(() => h.Table.StartClient(new ClientTransactionKey("z9hG4bK-a", "ACK"), new FakeMessage("ACK"), reliable: false));
    }

    [Fact]
    public void Counters_CreatedAndTerminated_TrackLiveCount()
    {
        var h = new TableHarness();
        for (var i = 0; i < 5; i++)
        {
            h.Table.StartClient(new ClientTransactionKey($"z9hG4bK-{i}", "OPTIONS"), new FakeMessage("OPTIONS"), reliable: true);
        }

        h.Table.ReceiveResponse(new ClientTransactionKey("z9hG4bK-0", "OPTIONS"), 200, new FakeMessage("200", 200));

        Assert.Equal(5, h.Table.Counters.Created(TransactionKind.NonInviteClient));
        Assert.Equal(1, h.Table.Counters.Terminated(TransactionKind.NonInviteClient));
        Assert.Equal(4, h.Table.Counters.Live);
        Assert.Equal(4, h.Table.LiveCount);
    }
}

internal sealed class ToleranceComparer : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) < 0.0001;

    public int GetHashCode(double obj) => 0;
}
