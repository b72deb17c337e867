using Routing.Cluster.Dialogs;
using static Routing.Cluster.Tests.Dialogs.DialogFixtures;

namespace Routing.Cluster.Tests.Dialogs;

public sealed class DialogDeciderTests
{
    [Fact]
    public void Start_Retransmitted_SecondIsDuplicateWithoutEvents()
    {
        var s = Run(DialogState.Empty("c1"), T0, Start());
        var again = DialogDecider.Decide(s, Start(), T0);
        Assert.Empty(again.Events);
        Assert.True(((DialogAck)again.Reply).Duplicate);
        Assert.Equal(DialogPhase.Early, s.Phase);
    }

    [Fact]
    public void CallFlow_StartForkRingAnswer_Confirmed()
    {
        var s = Confirmed();
        Assert.Equal(DialogPhase.Confirmed, s.Phase);
        Assert.Equal("ttag", s.ToTag);
        Assert.Equal(1, s.BranchesTried);
        Assert.Equal(4, s.History.Count);
        Assert.IsType<DialogRinging>(s.History[2]);
    }

    [Fact]
    public void Ringing_SecondProvisional_NotRecordedAgain()
    {
        var s = Run(DialogState.Empty("c1"), T0, Start(), new RecordProvisional("c1", 0, 180, "t"));
        Assert.Empty(DialogDecider.Decide(s, new RecordProvisional("c1", 1, 183, "u"), T0).Events);
    }

    [Fact]
    public void Rfc3261_16_7_SecondTwoHundredFromAnotherBranch_DialogKeepsFirstAnswerAndRecordsTheExtra()
    {
        var s = Confirmed();
        var second = DialogDecider.Decide(s, new RecordAnswer("c1", 1, "other", Bob("10.0.0.3:5060"), null), T0);
        var extra = Assert.IsType<ExtraDialogAnswered>(Assert.Single(second.Events));
        s = s.Evolve(extra);

        Assert.Equal(("other", 1), (extra.ToTag, extra.Branch));
        Assert.Equal(DialogPhase.Confirmed, s.Phase);
        Assert.Equal("ttag", s.ToTag);
        Assert.Equal(Bob(), s.Callee);
        Assert.Equal(Bob("10.0.0.3:5060"), s.Extras["other"]);
        // Retransmitted 2xx responses of either branch record nothing more.
        Assert.Empty(DialogDecider.Decide(s, new RecordAnswer("c1", 1, "other", Bob("10.0.0.3:5060"), null), T0).Events);
        Assert.Empty(DialogDecider.Decide(s, new RecordAnswer("c1", 0, "ttag", Bob(), null), T0).Events);
    }

    [Fact]
    public void Rfc3261_13_2_2_4_AckAndByeOnTheExtraDialog_GoToItsDevice_ByeEndsItAlone()
    {
        var third = Bob("10.0.0.3:5060");
        var s = Run(Confirmed(), T0, new RecordAnswer("c1", 1, "other", third, null));

        var ack = DialogDecider.Decide(s, new RouteInDialog("c1", Key(1, "ACK", "z9hG4bKa2"), "ftag", "other", Alice(), false, null), T0);
        Assert.Empty(ack.Events);
        Assert.Equal((third, DialogSide.Callee, (InDialogRejection?)null), Routed(ack));

        var byeCommand = new RouteInDialog("c1", Key(2, "BYE", "z9hG4bKb2"), "ftag", "other", Alice(), false, null);
        var bye = DialogDecider.Decide(s, byeCommand, T0.AddSeconds(1));
        var ended = Assert.IsType<ExtraDialogEnded>(Assert.Single(bye.Events));
        Assert.Equal(("other", DialogSide.Caller), (ended.ToTag, ended.By));
        Assert.Equal((third, DialogSide.Callee, (InDialogRejection?)null), Routed(bye));
        s = s.Evolve(ended);

        // The call goes on with the first device.
        Assert.Equal(DialogPhase.Confirmed, s.Phase);
        var mainBye = DialogDecider.Decide(s, new RouteInDialog("c1", Key(3, "BYE", "z9hG4bKb3"), "ftag", "ttag", Alice(), false, null), T0);
        Assert.Equal((Bob(), DialogSide.Callee, (InDialogRejection?)null), Routed(mainBye));
        // The extra dialog's BYE retransmitted is routed again; anything new on it is 481.
        var again = DialogDecider.Decide(s, byeCommand, T0.AddSeconds(2));
        Assert.Empty(again.Events);
        Assert.Equal(third, Routed(again).Target);
        var late = DialogDecider.Decide(s, new RouteInDialog("c1", Key(4, "INFO", "z9hG4bKi"), "ftag", "other", Alice(), false, null), T0);
        Assert.Equal(InDialogRejection.Ended, Routed(late).Rejection);
    }

    [Fact]
    public void ExtraDialog_ByeFromTheDeviceThatAnswered_GoesToTheCaller()
    {
        var s = Run(Confirmed(), T0, new RecordAnswer("c1", 1, "other", Bob("10.0.0.3:5060"), null));

        var bye = DialogDecider.Decide(s, new RouteInDialog("c1", Key(1, "BYE", "z9hG4bKc"), "other", "ftag", Bob("10.0.0.3:5060"), false, null), T0);

        Assert.Equal(DialogSide.Callee, Assert.IsType<ExtraDialogEnded>(Assert.Single(bye.Events)).By);
        Assert.Equal((Alice(), DialogSide.Caller, (InDialogRejection?)null), Routed(bye));
    }

    [Fact]
    public void LateTwoHundredAfterTheCallEnded_ItsAckAndByeAreStillRouted()
    {
        var s = Run(Confirmed(), T0,
            new RouteInDialog("c1", Key(2, "BYE", "z9hG4bKb"), "ftag", "ttag", Alice(), false, null),
            new RecordAnswer("c1", 1, "late", Bob("10.0.0.3:5060"), null));

        Assert.Equal(DialogPhase.Terminated, s.Phase);
        var bye = DialogDecider.Decide(s, new RouteInDialog("c1", Key(3, "BYE", "z9hG4bKl"), "ftag", "late", Alice(), false, null), T0);
        Assert.IsType<ExtraDialogEnded>(Assert.Single(bye.Events));
        Assert.Equal(Bob("10.0.0.3:5060"), Routed(bye).Target);
    }

    private static (DialogParty? Target, DialogSide Side, InDialogRejection? Rejection) Routed(DialogDecision d)
    {
        var r = Assert.IsType<InDialogRoute>(d.Reply);
        return (r.Target, r.TargetSide, r.Rejection);
    }

    [Fact]
    public void InDialog_ByeFromCallee_RoutedToCallerAndTerminatedByCallee()
    {
        var s = Confirmed();
        var bye = new RouteInDialog("c1", Key(1, "BYE", "z9hG4bKbye"), "ttag", "ftag", Bob(), false, null);
        var d = DialogDecider.Decide(s, bye, T0.AddSeconds(30));
        var route = (InDialogRoute)d.Reply;
        Assert.Equal(DialogSide.Caller, route.TargetSide);
        Assert.Equal("sip:alice@10.0.0.1:5060", route.Target!.Contact);
        var ended = Assert.IsType<DialogTerminated>(Assert.Single(d.Events));
        Assert.Equal(DialogSide.Callee, ended.By);
        Assert.Equal(TerminationReason.Bye, ended.Reason);
    }

    [Fact]
    public void InDialog_ByeRetransmittedAfterEnd_RoutedAgainWithoutEvents()
    {
        var s = Confirmed();
        var bye = new RouteInDialog("c1", Key(2, "BYE", "z9hG4bKbye"), "ftag", "ttag", Alice(), false, null);
        s = Run(s, T0, bye);
        var again = DialogDecider.Decide(s, bye, T0);
        Assert.Empty(again.Events);
        Assert.Equal(DialogSide.Callee, ((InDialogRoute)again.Reply).TargetSide);
        var other = DialogDecider.Decide(s, bye with { Key = Key(3, "BYE", "z9hG4bKnew") }, T0);
        Assert.Equal(InDialogRejection.Ended, ((InDialogRoute)other.Reply).Rejection);
    }

    [Fact]
    public void Handoff_ReInviteFromNewSource_TargetRefreshedAndOtherSideSeesNewAddress()
    {
        var s = Confirmed();
        var moved = Alice("192.0.2.77:40000", "sip:alice@192.0.2.77:40000");
        var reinvite = new RouteInDialog("c1", Key(2, "INVITE", "z9hG4bKre"), "ftag", "ttag", moved, true, null);
        var d = DialogDecider.Decide(s, reinvite, T0.AddMinutes(1));
        Assert.True(((InDialogRoute)d.Reply).Refreshed);
        var refreshed = Assert.IsType<TargetRefreshed>(Assert.Single(d.Events));
        Assert.Equal(DialogSide.Caller, refreshed.Side);
        s = Run(s, T0.AddMinutes(1), reinvite);
        var bye = new RouteInDialog("c1", Key(1, "BYE", "z9hG4bKb"), "ttag", "ftag", Bob(), false, null);
        Assert.Equal("192.0.2.77:40000", ((InDialogRoute)DialogDecider.Decide(s, bye, T0).Reply).Target!.SourceAddress);
    }

    [Fact]
    public void Rfc4028_RefreshFromSameTarget_OnlySessionRefreshed()
    {
        var s = Confirmed(90);
        var update = new RouteInDialog("c1", Key(2, "UPDATE", "z9hG4bKu"), "ftag", "ttag", Alice(), true, 90);
        Assert.IsType<SessionRefreshed>(Assert.Single(DialogDecider.Decide(s, update, T0).Events));
    }

    [Fact]
    public void Rfc4028_10_NoRefreshWithinInterval_TerminatedByProxyAsSessionExpired()
    {
        var s = Confirmed(90);
        var settings = new DialogSettings();
        Assert.Equal(T0 + TimeSpan.FromSeconds(90) + settings.SessionGrace, DialogDecider.NextDue(s, settings));
        Assert.Empty(DialogDecider.Expire(s, settings, T0.AddSeconds(100)));
        var ended = Assert.IsType<DialogTerminated>(Assert.Single(DialogDecider.Expire(s, settings, T0.AddSeconds(200))));
        Assert.Equal(TerminationReason.SessionExpired, ended.Reason);
        Assert.Equal(DialogSide.Proxy, ended.By);
    }

    [Fact]
    public void Rfc4028_RefreshMovesDeadline()
    {
        var s = Confirmed(90);
        s = Run(s, T0.AddSeconds(60), new RouteInDialog("c1", Key(2, "UPDATE", "z9hG4bKu"), "ftag", "ttag", Alice(), true, 90));
        Assert.Empty(DialogDecider.Expire(s, new DialogSettings(), T0.AddSeconds(150)));
    }

    [Fact]
    public void NoSessionTimer_MaxLifetimeEndsDialog()
    {
        var s = Confirmed();
        var settings = new DialogSettings { MaxLifetime = TimeSpan.FromHours(1) };
        Assert.Equal(TerminationReason.MaxLifetime, ((DialogTerminated)Assert.Single(DialogDecider.Expire(s, settings, T0.AddHours(2)))).Reason);
    }

    [Fact]
    public void Rfc3261_12_2_2_UnknownDialogOrTags_Rejected481()
    {
        var none = DialogDecider.Decide(DialogState.Empty("c9"), new RouteInDialog("c9", Key(1, "BYE"), "a", "b", Alice(), false, null), T0);
        Assert.Equal(InDialogRejection.NoSuchDialog, ((InDialogRoute)none.Reply).Rejection);
        var wrong = DialogDecider.Decide(Confirmed(), new RouteInDialog("c1", Key(1, "BYE"), "x", "y", Alice(), false, null), T0);
        Assert.Equal(InDialogRejection.TagMismatch, ((InDialogRoute)wrong.Reply).Rejection);
    }

    [Fact]
    public void Failure_BeforeAnswer_Failed()
    {
        var s = Run(DialogState.Empty("c1"), T0, Start(), new RecordFailure("c1", 486, DialogSide.Callee));
        Assert.Equal(DialogPhase.Failed, s.Phase);
        Assert.True(s.IsOver);
    }

    [Fact]
    public void Ack_Routed_NoEvent()
    {
        var d = DialogDecider.Decide(Confirmed(), new RouteInDialog("c1", Key(1, "ACK", "z9hG4bKack"), "ftag", "ttag", Alice(), false, null), T0);
        Assert.Empty(d.Events);
        Assert.Equal(DialogSide.Callee, ((InDialogRoute)d.Reply).TargetSide);
    }

    [Fact]
    public void EdgeTimestamp_UsedForEventsInsteadOfEntityClock()
    {
        var seen = T0.AddSeconds(-2);
        var d = DialogDecider.Decide(Run(DialogState.Empty("c1"), T0, Start()), new RecordAnswer("c1", 0, "t", Bob(), null, seen), T0);
        Assert.Equal(seen, Assert.IsType<DialogAnswered>(Assert.Single(d.Events)).At);
    }
}
