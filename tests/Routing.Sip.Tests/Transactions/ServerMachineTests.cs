using Routing.Sip.Transactions;
using static Routing.Sip.Tests.Transactions.Steps;

namespace Routing.Sip.Tests.Transactions;

public class InviteServerMachineTests
{
    private static readonly TransactionTimerValues Udp = TransactionTimerValues.DefaultUnreliable;
    private static readonly TransactionTimerValues Tcp = TransactionTimerValues.DefaultReliable;

    private static TransactionState Proceeding(TransactionTimerValues timers) =>
        InviteServerTransaction.Apply(TransactionState.Create(TransactionKind.InviteServer, timers), TransactionInput.RequestReceived, TimeSpan.Zero).State;

    [Fact]
    public void Rfc3261_17_2_1_Invite_SendsTryingThenPassesUp()
    {
        var step = InviteServerTransaction.Apply(TransactionState.Create(TransactionKind.InviteServer, Udp), TransactionInput.RequestReceived, TimeSpan.Zero);

        Assert.Equal(TransactionStateName.Proceeding, step.State.Name);
        Assert.Equal([TransactionActionKind.SendTrying, TransactionActionKind.PassRequestToTu], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_2_1_ProceedingRetransmission_ResendsLastProvisional()
    {
        var step = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.RequestRetransmission, S(0.5));

        Assert.Equal([TransactionActionKind.RetransmitResponse], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_2_1_NonSuccessUnreliable_StartsTimerGAtT1AndTimerHAt64T1()
    {
        var step = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(486), S(1));

        Assert.Equal(TransactionStateName.Completed, step.State.Name);
        Assert.Equal(S(1.5), StartOf(step, TransactionTimer.G).DueAt);
        Assert.Equal(S(33), StartOf(step, TransactionTimer.H).DueAt);
    }

    [Fact]
    public void Rfc3261_17_2_1_TimerG_DoublesAndCapsAtT2()
    {
        var step = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(486), TimeSpan.Zero);
        var due = StartOf(step, TransactionTimer.G).DueAt;
        var intervals = new List<double> { due.TotalSeconds };
        for (var i = 0; i < 6; i++)
        {
            step = InviteServerTransaction.Apply(step.State, TransactionInput.TimerFired(TransactionTimer.G), due);
            Assert.Equal(TransactionActionKind.RetransmitResponse, step[0].Kind);
            var next = StartOf(step, TransactionTimer.G).DueAt;
            intervals.Add((next - due).TotalSeconds);
            due = next;
        }

        Assert.Equal([0.5, 1, 2, 4, 4, 4, 4], intervals);
    }

    [Fact]
    public void Rfc3261_17_2_1_NonSuccessReliable_StartsNoTimerG()
    {
        var step = InviteServerTransaction.Apply(Proceeding(Tcp), TransactionInput.TuResponse(486), TimeSpan.Zero);

        Assert.False(Starts(step, TransactionTimer.G));
        Assert.Equal(S(32), StartOf(step, TransactionTimer.H).DueAt);
    }

    [Fact]
    public void Rfc3261_17_2_1_AckInCompleted_ConfirmsWithTimerIAtT4()
    {
        var completed = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(486), TimeSpan.Zero).State;

        var step = InviteServerTransaction.Apply(completed, TransactionInput.AckReceived, S(1));

        Assert.Equal(TransactionStateName.Confirmed, step.State.Name);
        Assert.Equal(S(6), StartOf(step, TransactionTimer.I).DueAt);
        Assert.False(Has(step, TransactionActionKind.PassRequestToTu));
    }

    [Fact]
    public void Rfc3261_17_2_1_AckReliable_TimerIIsZeroSoTerminatesAtOnce()
    {
        var completed = InviteServerTransaction.Apply(Proceeding(Tcp), TransactionInput.TuResponse(486), TimeSpan.Zero).State;

        var step = InviteServerTransaction.Apply(completed, TransactionInput.AckReceived, S(1));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
    }

    [Fact]
    public void Rfc3261_17_2_1_TimerH_ReportsTimeout()
    {
        var completed = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(486), TimeSpan.Zero).State;

        var step = InviteServerTransaction.Apply(completed, TransactionInput.TimerFired(TransactionTimer.H), S(32));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.True(Has(step, TransactionActionKind.ReportTimeout));
    }

    [Fact]
    public void Rfc3261_17_2_1_ConfirmedAck_AbsorbedSilently()
    {
        var completed = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(486), TimeSpan.Zero).State;
        var confirmed = InviteServerTransaction.Apply(completed, TransactionInput.AckReceived, S(1)).State;

        var step = InviteServerTransaction.Apply(confirmed, TransactionInput.AckReceived, S(2));

        Assert.True(step.IsIgnored(confirmed));
    }

    [Fact]
    public void Rfc6026_7_1_Success_MovesToAcceptedWithTimerL()
    {
        var step = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(200), S(2));

        Assert.Equal(TransactionStateName.Accepted, step.State.Name);
        Assert.Equal(S(34), StartOf(step, TransactionTimer.L).DueAt);
        Assert.False(Starts(step, TransactionTimer.G));
    }

    [Fact]
    public void Rfc6026_7_1_AcceptedAck_PassedToTuNotAbsorbed()
    {
        var accepted = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(200), S(2)).State;

        var step = InviteServerTransaction.Apply(accepted, TransactionInput.AckReceived, S(3));

        Assert.Equal(TransactionStateName.Accepted, step.State.Name);
        Assert.Equal([TransactionActionKind.PassRequestToTu], Kinds(step));
    }

    [Fact]
    public void Rfc6026_7_1_AcceptedInviteRetransmission_AbsorbedWithoutResponse()
    {
        var accepted = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(200), S(2)).State;

        var step = InviteServerTransaction.Apply(accepted, TransactionInput.RequestRetransmission, S(3));

        Assert.True(step.IsIgnored(accepted));
    }

    [Fact]
    public void Rfc6026_7_1_AcceptedTuSuccessRetransmission_Transmitted()
    {
        var accepted = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(200), S(2)).State;

        var step = InviteServerTransaction.Apply(accepted, TransactionInput.TuResponse(200), S(2.5));

        Assert.Equal([TransactionActionKind.TransmitResponse], Kinds(step));
    }

    [Fact]
    public void Rfc6026_7_1_TimerL_Terminates()
    {
        var accepted = InviteServerTransaction.Apply(Proceeding(Udp), TransactionInput.TuResponse(200), S(2)).State;

        var step = InviteServerTransaction.Apply(accepted, TransactionInput.TimerFired(TransactionTimer.L), S(34));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
    }
}

public class NonInviteServerMachineTests
{
    private static readonly TransactionTimerValues Udp = TransactionTimerValues.DefaultUnreliable;
    private static readonly TransactionTimerValues Tcp = TransactionTimerValues.DefaultReliable;

    private static TransactionState Trying(TransactionTimerValues timers) =>
        NonInviteServerTransaction.Apply(TransactionState.Create(TransactionKind.NonInviteServer, timers), TransactionInput.RequestReceived, TimeSpan.Zero).State;

    [Fact]
    public void Rfc3261_17_2_2_Request_PassedUpInTrying()
    {
        var step = NonInviteServerTransaction.Apply(TransactionState.Create(TransactionKind.NonInviteServer, Udp), TransactionInput.RequestReceived, TimeSpan.Zero);

        Assert.Equal(TransactionStateName.Trying, step.State.Name);
        Assert.Equal([TransactionActionKind.PassRequestToTu], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_2_2_TryingRetransmission_Discarded()
    {
        var trying = Trying(Udp);

        Assert.True(NonInviteServerTransaction.Apply(trying, TransactionInput.RequestRetransmission, S(0.5)).IsIgnored(trying));
    }

    [Fact]
    public void Rfc3261_17_2_2_ProceedingRetransmission_ResendsProvisional()
    {
        var proceeding = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(100), S(0.1)).State;

        var step = NonInviteServerTransaction.Apply(proceeding, TransactionInput.RequestRetransmission, S(0.5));

        Assert.Equal(TransactionStateName.Proceeding, proceeding.Name);
        Assert.Equal([TransactionActionKind.RetransmitResponse], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_2_2_FinalUnreliable_CompletesWithTimerJAt64T1()
    {
        var step = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(200), S(1));

        Assert.Equal(TransactionStateName.Completed, step.State.Name);
        Assert.Equal(S(33), StartOf(step, TransactionTimer.J).DueAt);
    }

    [Fact]
    public void Rfc3261_17_2_2_FinalReliable_TimerJIsZeroSoTerminatesAtOnce()
    {
        var step = NonInviteServerTransaction.Apply(Trying(Tcp), TransactionInput.TuResponse(200), S(1));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.Equal([TransactionActionKind.TransmitResponse, TransactionActionKind.Terminate], Kinds(step));
    }

    [Fact]
    public void Rfc3261_17_2_2_CompletedRetransmission_ResendsFinal()
    {
        var completed = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(200), S(1)).State;

        Assert.Equal([TransactionActionKind.RetransmitResponse], Kinds(NonInviteServerTransaction.Apply(completed, TransactionInput.RequestRetransmission, S(2))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rfc4320_4_2_TuGivesUp_NoResponseAndTimerJKeepsAbsorbingRetransmissions(bool afterProvisional)
    {
        var state = afterProvisional ? NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(100), S(0.1)).State : Trying(Udp);

        var step = NonInviteServerTransaction.Apply(state, TransactionInput.TuAbandon, S(32));

        Assert.Equal(TransactionStateName.Completed, step.State.Name);
        Assert.Equal([TransactionActionKind.StartTimer], Kinds(step));
        Assert.Equal(S(64), StartOf(step, TransactionTimer.J).DueAt);
    }

    [Fact]
    public void Rfc4320_4_2_TuGivesUpOnReliableTransport_TerminatesWithoutAnyResponse()
    {
        var step = NonInviteServerTransaction.Apply(Trying(Tcp), TransactionInput.TuAbandon, S(32));

        Assert.Equal(TransactionStateName.Terminated, step.State.Name);
        Assert.Equal([TransactionActionKind.Terminate], Kinds(step));
    }

    [Fact]
    public void Rfc4320_4_2_TuGivesUpAfterItsFinal_Ignored()
    {
        var completed = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(200), S(1)).State;

        Assert.True(NonInviteServerTransaction.Apply(completed, TransactionInput.TuAbandon, S(2)).IsIgnored(completed));
    }

    [Fact]
    public void Rfc3261_17_2_2_CompletedSecondFinal_Discarded()
    {
        var completed = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(200), S(1)).State;

        Assert.True(NonInviteServerTransaction.Apply(completed, TransactionInput.TuResponse(500), S(2)).IsIgnored(completed));
    }

    [Fact]
    public void Rfc3261_17_2_2_TimerJ_Terminates()
    {
        var completed = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(200), S(1)).State;

        Assert.Equal(TransactionStateName.Terminated, NonInviteServerTransaction.Apply(completed, TransactionInput.TimerFired(TransactionTimer.J), S(33)).State.Name);
    }

    [Fact]
    public void Rfc3261_17_2_2_CompletedTransportError_CancelsJAndReports()
    {
        var completed = NonInviteServerTransaction.Apply(Trying(Udp), TransactionInput.TuResponse(200), S(1)).State;

        var step = NonInviteServerTransaction.Apply(completed, TransactionInput.TransportError, S(2));

        Assert.Equal(
            [TransactionActionKind.CancelTimer, TransactionActionKind.ReportTransportError, TransactionActionKind.Terminate],
            Kinds(step));
    }
}

public class TransactionTimerValuesTests
{
    [Theory]
    [InlineData(false, 32, 32, 32, 32, 5, 32, 5, 32, 32)]
    [InlineData(true, 32, 0, 32, 32, 0, 0, 0, 32, 32)]
    public void Rfc3261_Table4_DefaultValues(bool reliable, double b, double d, double f, double h, double i, double j, double k, double l, double m)
    {
        var timers = reliable ? TransactionTimerValues.DefaultReliable : TransactionTimerValues.DefaultUnreliable;

        Assert.Equal(
            [b, d, f, h, i, j, k, l, m],
            new[] { timers.TimerB, timers.TimerD, timers.TimerF, timers.TimerH, timers.TimerI, timers.TimerJ, timers.TimerK, timers.TimerL, timers.TimerM }
                .Select(t => t.TotalSeconds));
        Assert.Equal(S(0.5), timers.T1);
        Assert.Equal(S(4), timers.T2);
        Assert.Equal(S(5), timers.T4);
    }

    [Fact]
    public void Options_ScaledT1_ScalesSixtyFourT1Timers()
    {
        var timers = TransactionTimerValues.ForUnreliable(new TransactionOptions { T1 = TimeSpan.FromMilliseconds(250), T2 = S(4) });

        Assert.Equal(S(16), timers.TimerB);
        Assert.Equal(S(16), timers.TimerJ);
        Assert.Equal(S(32), timers.TimerD);
    }

    [Fact]
    public void Options_TimerDBelow32Seconds_Rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TransactionOptions { TimerDUnreliable = S(10) }.Validate());

        Assert.Equal(nameof(TransactionOptions.TimerDUnreliable), error.ParamName);
    }
}
