using Routing.Sip.Transactions;
using static Routing.Sip.Tests.Transactions.Steps;

namespace Routing.Sip.Tests.Transactions;

public class InviteClientMachineTests
{
    private static readonly TransactionTimerValues Udp = TransactionTimerValues.DefaultUnreliable;
    private static readonly TransactionTimerValues Tcp = TransactionTimerValues.DefaultReliable;

    private static TransactionStep Start(TransactionTimerValues timers, TimeSpan now) =>
        InviteClientTransaction.Apply(TransactionState.Create(TransactionKind.InviteClient, timers), TransactionInput.SendRequest, now);

    [Fact]
    public void Rfc3261_17_1_1_2_SendRequestUnreliable_TransmitsAndStartsTimerAAtT1AndTimerBAt64T1()
    {
        var step = Start(Udp, S(10));

        Assert.Equal(TransactionStateName.Calling, step.State.Name);
        Assert.Equal(TransactionActionKind.TransmitRequest, step[0].Kind);
        Assert.Equal(S(10.5), StartOf(step, TransactionTimer.A).DueAt);
        Assert.Equal(S(42), StartOf(step, TransactionTimer.B).DueAt);
    }

    [Fact]
    public void Rfc3261_17_1_1_2_SendRequestReliable_StartsNoTimerA()
    {
        var step = Start(Tcp, TimeSpan.Zero);

        Assert.False(Starts(step, TransactionTimer.A));
        Assert.Equal(S(32), StartOf(step, TransactionTimer.B).DueAt);
    }

    [Fact]
    public void Rfc3261_17_1_1_2_TimerA_DoublesFromT1WithoutCap()
    {
        var step = Start(Udp, TimeSpan.Zero);
        var intervals = new List<double>();
        var due = StartOf(step, TransactionTimer.A).DueAt;
        intervals.Add(due.TotalSeconds);
        for (var i = 0; i < 6; i++)
        {
            var fired = InviteClientTransaction.Apply(step.State, TransactionInput.TimerFired(TransactionTimer.A), due);
            Assert.Equal(TransactionActionKind.RetransmitRequest, fired[0].Kind);
            var next = StartOf(fired, TransactionTimer.A).DueAt;
            intervals.Add((next - due).TotalSeconds);
            due = next;
            step = fired;
        }

        Assert.Equal([0.5, 1, 2, 4, 8, 16, 32], intervals);
    }

    [Fact]
    public void Rfc3261_17_1_1_2_TimerB_ReportsTimeoutAndTerminates()
    {
        var step = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.TimerFired(TransactionTimer.B), S(32));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.Equal([TransactionActionKind.CancelTimer, TransactionActionKind.ReportTimeout, TransactionActionKind.Terminate], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_Provisional_MovesToProceedingCancelsTimersAndPassesUp()
    {
        var step = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(180), S(0.2));

        Assert.Equal(TransactionStateName.Proceeding, step.State.Name);
        Assert.Equal(
            [TransactionActionKind.CancelTimer, TransactionActionKind.CancelTimer, TransactionActionKind.PassResponseToTu],
            Kinds(step));
        var stale = InviteClientTransaction.Apply(step.State, TransactionInput.TimerFired(TransactionTimer.A), S(0.5));
        Assert.True(stale.IsIgnored(step.State));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_NonSuccessFinal_SendsAckPassesUpAndStartsTimerD32s()
    {
        var proceeding = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(180), S(1)).State;

        var step = InviteClientTransaction.Apply(proceeding, TransactionInput.Response(486), S(3));

        Assert.Equal(TransactionStateName.Completed, step.State.Name);
        Assert.Equal(TransactionActionKind.SendAck, step[0].Kind);
        Assert.Equal(486, step[0].StatusCode);
        Assert.True(Has(step, TransactionActionKind.PassResponseToTu));
        Assert.Equal(S(35), StartOf(step, TransactionTimer.D).DueAt);
    }

    [Fact]
    public void Rfc3261_17_1_1_2_NonSuccessFinalReliable_TimerDIsZeroSoTerminatesAtOnce()
    {
        var step = InviteClientTransaction.Apply(Start(Tcp, TimeSpan.Zero).State, TransactionInput.Response(603), S(1));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.Equal(
            [TransactionActionKind.CancelTimer, TransactionActionKind.SendAck, TransactionActionKind.PassResponseToTu, TransactionActionKind.Terminate],
            Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_CompletedRetransmittedFinal_IsAckedAgainAndNotPassedUp()
    {
        var completed = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(404), S(1)).State;

        var step = InviteClientTransaction.Apply(completed, TransactionInput.Response(404), S(2));

        Assert.Equal(TransactionStateName.Completed, step.State.Name);
        Assert.Equal([TransactionActionKind.SendAck], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_1_1_2_TimerDFired_Terminates()
    {
        var completed = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(404), S(1)).State;

        var step = InviteClientTransaction.Apply(completed, TransactionInput.TimerFired(TransactionTimer.D), S(33));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.Equal([TransactionActionKind.Terminate], Kinds(step));
    }

    [Fact]
    public void Rfc6026_7_2_SuccessResponse_MovesToAcceptedAndStartsTimerM()
    {
        var step = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(200), S(2));

        Assert.Equal(TransactionStateName.Accepted, step.State.Name);
        Assert.True(Has(step, TransactionActionKind.PassResponseToTu));
        Assert.False(Has(step, TransactionActionKind.SendAck));
        Assert.Equal(S(34), StartOf(step, TransactionTimer.M).DueAt);
    }

    [Fact]
    public void Rfc6026_7_2_AcceptedFurtherSuccess_PassedToTu()
    {
        var accepted = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(200), S(2)).State;

        var step = InviteClientTransaction.Apply(accepted, TransactionInput.Response(200), S(3));

        Assert.Equal(TransactionStateName.Accepted, step.State.Name);
        Assert.Equal([TransactionActionKind.PassResponseToTu], Kinds(step));
    }

    [Theory]
    [InlineData(180)]
    [InlineData(486)]
    public void Rfc6026_7_2_AcceptedOtherResponse_Discarded(int status)
    {
        var accepted = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.Response(200), S(2)).State;

        var step = InviteClientTransaction.Apply(accepted, TransactionInput.Response(status), S(3));

        Assert.True(step.IsIgnored(accepted));
    }

    [Fact]
    public void Rfc6026_7_2_TimerMFired_Terminates()
    {
        var accepted = InviteClientTransaction.Apply(Start(Tcp, TimeSpan.Zero).State, TransactionInput.Response(200), S(2)).State;

        var step = InviteClientTransaction.Apply(accepted, TransactionInput.TimerFired(TransactionTimer.M), S(34));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
    }

    [Fact]
    public void Rfc3261_17_1_1_2_TransportErrorInCalling_ReportsAndTerminates()
    {
        var step = InviteClientTransaction.Apply(Start(Udp, TimeSpan.Zero).State, TransactionInput.TransportError, S(0.1));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.True(Has(step, TransactionActionKind.ReportTransportError));
        Assert.Equal(TransactionActionKind.Terminate, step[step.Count - 1].Kind);
    }
}

public class NonInviteClientMachineTests
{
    private static readonly TransactionTimerValues Udp = TransactionTimerValues.DefaultUnreliable;
    private static readonly TransactionTimerValues Tcp = TransactionTimerValues.DefaultReliable;

    private static TransactionStep Start(TransactionTimerValues timers) =>
        NonInviteClientTransaction.Apply(TransactionState.Create(TransactionKind.NonInviteClient, timers), TransactionInput.SendRequest, TimeSpan.Zero);

    [Fact]
    public void Rfc3261_17_1_2_2_TimerE_DoublesAndCapsAtT2InTrying()
    {
        var step = Start(Udp);
        var due = StartOf(step, TransactionTimer.E).DueAt;
        var intervals = new List<double> { due.TotalSeconds };
        for (var i = 0; i < 6; i++)
        {
            step = NonInviteClientTransaction.Apply(step.State, TransactionInput.TimerFired(TransactionTimer.E), due);
            Assert.Equal(TransactionActionKind.RetransmitRequest, step[0].Kind);
            var next = StartOf(step, TransactionTimer.E).DueAt;
            intervals.Add((next - due).TotalSeconds);
            due = next;
        }

        Assert.Equal([0.5, 1, 2, 4, 4, 4, 4], intervals);
    }

    [Fact]
    public void Rfc3261_17_1_2_2_TimerEInProceeding_UsesT2()
    {
        var proceeding = NonInviteClientTransaction.Apply(Start(Udp).State, TransactionInput.Response(100), S(0.1)).State;

        var step = NonInviteClientTransaction.Apply(proceeding, TransactionInput.TimerFired(TransactionTimer.E), S(0.5));

        Assert.Equal(TransactionStateName.Proceeding, step.State.Name);
        Assert.Equal(S(4.5), StartOf(step, TransactionTimer.E).DueAt);
    }

    [Fact]
    public void Rfc3261_17_1_2_2_Reliable_StartsOnlyTimerF()
    {
        var step = Start(Tcp);

        Assert.False(Starts(step, TransactionTimer.E));
        Assert.Equal(S(32), StartOf(step, TransactionTimer.F).DueAt);
    }

    [Fact]
    public void Rfc3261_17_1_2_2_TimerF_ReportsTimeout()
    {
        var step = NonInviteClientTransaction.Apply(Start(Udp).State, TransactionInput.TimerFired(TransactionTimer.F), S(32));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.True(Has(step, TransactionActionKind.ReportTimeout));
    }

    [Fact]
    public void Rfc3261_17_1_2_2_FinalUnreliable_CompletesWithTimerKAtT4()
    {
        var step = NonInviteClientTransaction.Apply(Start(Udp).State, TransactionInput.Response(200), S(1));

        Assert.Equal(TransactionStateName.Completed, step.State.Name);
        Assert.Equal(S(6), StartOf(step, TransactionTimer.K).DueAt);
        Assert.True(Has(step, TransactionActionKind.PassResponseToTu));
    }

    [Fact]
    public void Rfc3261_17_1_2_2_FinalReliable_TimerKIsZeroSoTerminatesAtOnce()
    {
        var step = NonInviteClientTransaction.Apply(Start(Tcp).State, TransactionInput.Response(404), S(1));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.True(Has(step, TransactionActionKind.PassResponseToTu));
    }

    [Fact]
    public void Rfc3261_17_1_2_2_CompletedResponse_Absorbed()
    {
        var completed = NonInviteClientTransaction.Apply(Start(Udp).State, TransactionInput.Response(200), S(1)).State;

        var step = NonInviteClientTransaction.Apply(completed, TransactionInput.Response(200), S(2));

        Assert.True(step.IsIgnored(completed));
    }

    [Fact]
    public void Rfc3261_17_1_2_2_TransportError_ReportsAndTerminates()
    {
        var step = NonInviteClientTransaction.Apply(Start(Udp).State, TransactionInput.TransportError, S(1));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.True(Has(step, TransactionActionKind.ReportTransportError));
    }
}
