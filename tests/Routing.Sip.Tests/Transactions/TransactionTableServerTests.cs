using Routing.Sip.Transactions;
using static Routing.Sip.Tests.Transactions.Steps;

namespace Routing.Sip.Tests.Transactions;

public class TransactionTableServerTests
{
    [Fact]
    public void Rfc3261_17_2_1_Invite_TryingSentBeforeTuSeesRequest()
    {
        var h = new TableHarness();
        h.Output.OnDeliverRequest = (tx, _) => h.Table.SendResponse(tx, 200, new FakeMessage("200", 200), "to-1");

        var result = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false);

        Assert.Equal(ServerRequestOutcome.Created, result.Outcome);
        Assert.Equal(["100 Trying", "200"], h.Output.OfKind(OutputEventKind.Transmit).ConvertAll(e => e.Message!.Label));
        Assert.Equal(TransactionStateName.Accepted, result.Transaction!.State);
    }

    [Fact]
    public void Rfc3261_17_2_1_TryingDisabled_NoTryingUntilTuSendsOneAndRetransmissionResendsNothingBefore()
    {
        var h = new TableHarness(new TransactionOptions { SendTryingForInvite = false });
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false);

        Assert.Empty(h.Output.OfKind(OutputEventKind.BuildTrying));
        Assert.Empty(h.Output.OfKind(OutputEventKind.Transmit));
        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Equal(ServerResponseOutcome.Sent, h.Table.SendResponse(tx, 100, new FakeMessage("100 from TU", 100)));
        Assert.Equal("100 from TU", Assert.Single(h.Output.OfKind(OutputEventKind.Transmit)).Message!.Label);
    }

    [Fact]
    public void Rfc3261_17_2_1_InviteRetransmissionInProceeding_LastProvisionalResentAndCounted()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 180, new FakeMessage("180", 180), "to-1");

        var result = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false);

        Assert.Equal(ServerRequestOutcome.Retransmission, result.Outcome);
        Assert.Same(tx, result.Transaction);
        Assert.Equal("180", Assert.Single(h.Output.OfKind(OutputEventKind.Retransmit)).Message!.Label);
        Assert.Single(h.Output.OfKind(OutputEventKind.DeliverRequest));
        Assert.Equal(1, h.Table.Counters.RetransmissionsReceived(TransactionKind.InviteServer));
        Assert.Equal(1, h.Table.Counters.RetransmissionsSent(TransactionKind.InviteServer));
    }

    [Fact]
    public void Rfc3261_17_2_1_InviteNonSuccessNoAck_TimerGScheduleThenTimerHTimeout()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 486, new FakeMessage("486", 486), "to-1");

        h.RunForSeconds(40);

        Assert.Equal(
            [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
            h.Output.SecondsOf(OutputEventKind.Retransmit));
        Assert.All(h.Output.OfKind(OutputEventKind.Retransmit), e => Assert.Equal("486", e.Message!.Label));
        var failed = Assert.Single(h.Output.OfKind(OutputEventKind.Failed));
        Assert.Equal(TransactionFailure.Timeout, failed.Failure);
        Assert.Equal(S(32), failed.At);
        Assert.Equal(1, h.Table.Counters.Timeouts(TransactionKind.InviteServer));
    }

    [Fact]
    public void Rfc3261_17_2_1_InviteNonSuccessAcked_ConfirmedAbsorbsAcksThenTimerIAtT4()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 486, new FakeMessage("486", 486), "to-1");
        h.RunForSeconds(1);

        Assert.Equal(ServerRequestOutcome.AckAbsorbed, h.Table.ReceiveRequest(Requests.Info("ACK", toTag: "to-1"), new FakeMessage("ACK"), false).Outcome);
        Assert.Equal(TransactionStateName.Confirmed, tx.State);
        Assert.Equal(ServerRequestOutcome.AckAbsorbed, h.Table.ReceiveRequest(Requests.Info("ACK", toTag: "to-1"), new FakeMessage("ACK"), false).Outcome);
        Assert.Equal(ServerRequestOutcome.Retransmission, h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), false).Outcome);
        var retransmitsBefore = h.Output.OfKind(OutputEventKind.Retransmit).Count;
        h.RunForSeconds(10);

        Assert.Equal(retransmitsBefore, h.Output.OfKind(OutputEventKind.Retransmit).Count);
        Assert.Equal([6], h.Output.SecondsOf(OutputEventKind.Terminated), new ToleranceComparer());
        Assert.Empty(h.Output.OfKind(OutputEventKind.DeliverRequest).FindAll(e => e.Message!.Label == "ACK"));
        Assert.Equal(2, h.Table.Counters.RetransmissionsReceived(TransactionKind.InviteServer));
    }

    [Fact]
    public void Rfc3261_17_2_1_InviteNonSuccessOverTcp_NoTimerGAndAckTerminatesAtOnce()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: true).Transaction!;
        h.Table.SendResponse(tx, 486, new FakeMessage("486", 486), "to-1");
        h.RunForSeconds(2);

        h.Table.ReceiveRequest(Requests.Info("ACK", toTag: "to-1"), new FakeMessage("ACK"), true);

        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Equal(TransactionStateName.Terminated, tx.State);
        Assert.Equal(0, h.Table.LiveCount);
    }

    [Fact]
    public void Rfc6026_7_1_InviteSuccess_AcceptedPassesAckToTuAbsorbsInviteAndTimerLEnds()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.RunForSeconds(1);
        Assert.Equal(ServerResponseOutcome.Sent, h.Table.SendResponse(tx, 200, new FakeMessage("200", 200), "to-1"));
        Assert.Equal(TransactionStateName.Accepted, tx.State);

        var retransmission = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), false);
        var ack = h.Table.ReceiveRequest(Requests.Info("ACK", toTag: "to-1"), new FakeMessage("ACK"), false);

        Assert.Equal(ServerRequestOutcome.Retransmission, retransmission.Outcome);
        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Equal(ServerRequestOutcome.AckPassedToTu, ack.Outcome);
        Assert.Equal(["INVITE", "ACK"], h.Output.OfKind(OutputEventKind.DeliverRequest).ConvertAll(e => e.Message!.Label));

        h.Table.SendResponse(tx, 200, new FakeMessage("200", 200), "to-1");
        Assert.Single(h.Output.OfKind(OutputEventKind.Retransmit));
        Assert.Equal(1, h.Table.Counters.RetransmissionsSent(TransactionKind.InviteServer));

        h.RunForSeconds(40);
        Assert.Equal([33], h.Output.SecondsOf(OutputEventKind.Terminated), new ToleranceComparer());
        Assert.Empty(h.Output.OfKind(OutputEventKind.Failed));
    }

    [Fact]
    public void Rfc3261_17_AckForSuccessWithNewBranch_HasNoTransactionAndIsNotAbsorbed()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 200, new FakeMessage("200", 200), "to-1");

        var ack = h.Table.ReceiveRequest(Requests.Info("ACK", branch: "z9hG4bK-ack-new", toTag: "to-1"), new FakeMessage("ACK"), false);

        Assert.Equal(ServerRequestOutcome.AckWithoutTransaction, ack.Outcome);
        Assert.Null(ack.Transaction);
        Assert.Equal(1, h.Table.LiveCount);
    }

    [Fact]
    public void Rfc3261_17_2_2_NonInviteRetransmission_FinalResentCountedAndTimerJEnds()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("OPTIONS"), new FakeMessage("OPTIONS"), reliable: false).Transaction!;
        Assert.Equal(ServerRequestOutcome.Retransmission, h.Table.ReceiveRequest(Requests.Info("OPTIONS"), new FakeMessage("OPTIONS"), false).Outcome);
        Assert.Empty(h.Output.OfKind(OutputEventKind.Retransmit));
        h.Table.SendResponse(tx, 200, new FakeMessage("200", 200), "to-1");
        h.RunForSeconds(3);

        h.Table.ReceiveRequest(Requests.Info("OPTIONS"), new FakeMessage("OPTIONS"), false);

        Assert.Equal("200", Assert.Single(h.Output.OfKind(OutputEventKind.Retransmit)).Message!.Label);
        Assert.Equal(2, h.Table.Counters.RetransmissionsReceived(TransactionKind.NonInviteServer));
        Assert.Equal(1, h.Table.Counters.RetransmissionsSent(TransactionKind.NonInviteServer));
        Assert.Single(h.Output.OfKind(OutputEventKind.DeliverRequest));
        h.RunForSeconds(40);
        Assert.Equal([32], h.Output.SecondsOf(OutputEventKind.Terminated), new ToleranceComparer());
    }

    [Fact]
    public void Rfc3261_17_2_2_NonInviteOverTcp_TerminatesWhenFinalSent()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("MESSAGE"), new FakeMessage("MESSAGE"), reliable: true).Transaction!;

        h.Table.SendResponse(tx, 202, new FakeMessage("202", 202));

        Assert.Equal(0, h.Table.LiveCount);
        Assert.Single(h.Output.OfKind(OutputEventKind.Terminated));
        Assert.Equal(ServerRequestOutcome.Created, h.Table.ReceiveRequest(Requests.Info("MESSAGE"), new FakeMessage("MESSAGE"), true).Outcome);
    }

    [Fact]
    public void Rfc3261_17_2_2_SecondFinalFromTu_Discarded()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("OPTIONS"), new FakeMessage("OPTIONS"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 200, new FakeMessage("200", 200));

        Assert.Equal(ServerResponseOutcome.Discarded, h.Table.SendResponse(tx, 500, new FakeMessage("500", 500)));
        Assert.Equal(200, tx.LastStatusCode);
    }

    [Fact]
    public void Rfc3261_17_2_3_SameBranchDifferentSentBy_IsANewTransaction()
    {
        var h = new TableHarness();
        h.Table.ReceiveRequest(Requests.Info("OPTIONS"), new FakeMessage("OPTIONS"), reliable: false);

        var other = h.Table.ReceiveRequest(Requests.Info("OPTIONS", host: "other.example.com", fromTag: "from-2"), new FakeMessage("OPTIONS"), false);

        Assert.Equal(ServerRequestOutcome.Created, other.Outcome);
        Assert.Equal(2, h.Table.LiveCount);
    }

    [Fact]
    public void Rfc3261_9_2_CancelAfterSuccessSent_CancelAnsweredOkInviteUnaffectedNo487()
    {
        var h = new TableHarness();
        var invite = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.SendResponse(invite, 200, new FakeMessage("200 INVITE", 200), "to-1");

        var cancelInfo = Requests.Info("CANCEL");
        var cancel = h.Table.ReceiveRequest(cancelInfo, new FakeMessage("CANCEL"), false);
        var match = h.Table.FindCancelTarget(cancelInfo);
        h.Table.SendResponse(cancel.Transaction!, CancelMatching.CancelResponseStatus(match.Outcome), new FakeMessage("200 CANCEL", 200), "to-1");

        Assert.Equal(ServerRequestOutcome.Created, cancel.Outcome);
        Assert.NotSame(invite, cancel.Transaction);
        Assert.Equal(TransactionKind.NonInviteServer, cancel.Transaction!.Kind);
        Assert.Equal(CancelOutcome.AlreadyAnswered, match.Outcome);
        Assert.Same(invite, match.Invite);
        Assert.Equal(TransactionStateName.Accepted, invite.State);
        Assert.Equal(["100 Trying", "200 INVITE", "200 CANCEL"], h.Output.OfKind(OutputEventKind.Transmit).ConvertAll(e => e.Message!.Label));
        Assert.DoesNotContain(h.Output.Events, e => e.Message?.Status == 487);
    }

    [Fact]
    public void Rfc3261_9_2_CancelBeforeFinal_TargetsPendingInvite()
    {
        var h = new TableHarness();
        var invite = h.Table.ReceiveRequest(Requests.Info("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        var cancelInfo = Requests.Info("CANCEL");
        h.Table.ReceiveRequest(cancelInfo, new FakeMessage("CANCEL"), false);

        var match = h.Table.FindCancelTarget(cancelInfo);

        Assert.Equal(CancelOutcome.CancelPending, match.Outcome);
        Assert.Same(invite, match.Invite);
        Assert.Equal(200, CancelMatching.CancelResponseStatus(match.Outcome));
    }

    [Fact]
    public void Rfc3261_9_2_CancelWithoutInvite_NoMatch481()
    {
        var h = new TableHarness();
        var cancelInfo = Requests.Info("CANCEL", branch: "z9hG4bK-unknown");

        var match = h.Table.FindCancelTarget(cancelInfo);

        Assert.Equal(CancelOutcome.NoMatchingTransaction, match.Outcome);
        Assert.Equal(481, CancelMatching.CancelResponseStatus(match.Outcome));
    }

    [Theory]
    [InlineData(TransactionStateName.Proceeding, CancelOutcome.CancelPending)]
    [InlineData(TransactionStateName.Completed, CancelOutcome.AlreadyAnswered)]
    [InlineData(TransactionStateName.Confirmed, CancelOutcome.AlreadyAnswered)]
    [InlineData(TransactionStateName.Accepted, CancelOutcome.AlreadyAnswered)]
    [InlineData(TransactionStateName.Terminated, CancelOutcome.NoMatchingTransaction)]
    public void Rfc3261_9_2_CancelDecision_FollowsInviteState(TransactionStateName state, CancelOutcome expected)
    {
        Assert.Equal(expected, CancelMatching.Decide(state));
    }

    [Fact]
    public void Rfc3261_8_2_2_2_MergedRequest_SecondPathGets482()
    {
        var h = new TableHarness();
        var first = h.Table.ReceiveRequest(Requests.Info("INVITE", branch: "z9hG4bK-path-a"), new FakeMessage("INVITE a"), reliable: false);

        var second = h.Table.ReceiveRequest(Requests.Info("INVITE", branch: "z9hG4bK-path-b", host: "proxy-b.example.com"), new FakeMessage("INVITE b"), false);
        var decision = StatelessReject.Decide("INVITE", StatelessRejectReason.LoopDetected, canBuildResponse: true);

        Assert.Equal(ServerRequestOutcome.MergedRequest, second.Outcome);
        Assert.Same(first.Transaction, second.Transaction);
        Assert.Equal(1, h.Table.LiveCount);
        Assert.Single(h.Output.OfKind(OutputEventKind.DeliverRequest));
        Assert.Equal(482, decision.StatusCode);
        Assert.Equal("Loop Detected", decision.ReasonPhrase);
    }

    [Fact]
    public void Rfc3261_8_2_2_2_SameValuesWithToTag_NotMerged()
    {
        var h = new TableHarness();
        h.Table.ReceiveRequest(Requests.Info("INFO", branch: "z9hG4bK-path-a", toTag: "dlg"), new FakeMessage("INFO"), reliable: false);

        var second = h.Table.ReceiveRequest(Requests.Info("INFO", branch: "z9hG4bK-path-b", toTag: "dlg"), new FakeMessage("INFO"), false);

        Assert.Equal(ServerRequestOutcome.Created, second.Outcome);
    }

    [Fact]
    public void Rfc3261_8_2_2_2_AfterOriginalTerminates_SameValuesCreateTransaction()
    {
        var h = new TableHarness();
        var first = h.Table.ReceiveRequest(Requests.Info("MESSAGE", branch: "z9hG4bK-a"), new FakeMessage("MESSAGE"), reliable: true).Transaction!;
        h.Table.SendResponse(first, 200, new FakeMessage("200", 200));

        var second = h.Table.ReceiveRequest(Requests.Info("MESSAGE", branch: "z9hG4bK-b"), new FakeMessage("MESSAGE"), true);

        Assert.Equal(ServerRequestOutcome.Created, second.Outcome);
    }

    [Fact]
    public void MergedRequestDetection_Disabled_CreatesSecondTransaction()
    {
        var h = new TableHarness(new TransactionOptions { DetectMergedRequests = false });
        h.Table.ReceiveRequest(Requests.Info("INVITE", branch: "z9hG4bK-a"), new FakeMessage("INVITE"), reliable: false);

        var second = h.Table.ReceiveRequest(Requests.Info("INVITE", branch: "z9hG4bK-b"), new FakeMessage("INVITE"), false);

        Assert.Equal(ServerRequestOutcome.Created, second.Outcome);
    }

    [Fact]
    public void Rfc3261_17_2_4_TransportErrorInProceeding_ReportedAndRemoved()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Requests.Info("OPTIONS"), new FakeMessage("OPTIONS"), reliable: true).Transaction!;
        h.Table.SendResponse(tx, 100, new FakeMessage("100", 100));

        h.Table.ReportTransportError(tx);

        Assert.Equal(TransactionFailure.TransportError, Assert.Single(h.Output.OfKind(OutputEventKind.Failed)).Failure);
        Assert.Equal(0, h.Table.LiveCount);
    }

    [Fact]
    public void SendResponse_OnClientTransaction_Throws()
    {
        var h = new TableHarness();
        var tx = h.Table.StartClient(new ClientTransactionKey("z9hG4bK-x", "OPTIONS"), new FakeMessage("OPTIONS"), reliable: true);

        Assert.Throws<ArgumentException>(() => h.Table.SendResponse(tx, 200, new FakeMessage("200", 200)));
    }
}

public class Rfc2543MatchingTests
{
    private static ServerRequestInfo Legacy(string method, string? toTag = null, string via = "SIP/2.0/UDP old.example.com", uint cseq = 7, string uri = "sip:bob@example.com") =>
        new(method, uri, null, new SentBy("old.example.com", 0), via, "legacy-call", "legacy-from", toTag, cseq, method == "ACK" ? "ACK" : method);

    [Fact]
    public void Rfc3261_17_2_3_Rfc2543InviteRetransmission_MatchesByUriTagsCallIdCSeqAndVia()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Legacy("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;

        var retransmission = h.Table.ReceiveRequest(Legacy("INVITE"), new FakeMessage("INVITE"), false);

        Assert.Equal(ServerRequestOutcome.Retransmission, retransmission.Outcome);
        Assert.Same(tx, retransmission.Transaction);
        Assert.Null(tx.ServerKey);
        Assert.NotNull(tx.Rfc2543Key);
    }

    [Theory]
    [InlineData("sip:carol@example.com", 7, "SIP/2.0/UDP old.example.com")]
    [InlineData("sip:bob@example.com", 8, "SIP/2.0/UDP old.example.com")]
    [InlineData("sip:bob@example.com", 7, "SIP/2.0/UDP other.example.com")]
    public void Rfc3261_17_2_3_Rfc2543DifferentUriCSeqOrVia_IsNotARetransmission(string uri, uint cseq, string via)
    {
        var h = new TableHarness(new TransactionOptions { DetectMergedRequests = false });
        h.Table.ReceiveRequest(Legacy("INVITE"), new FakeMessage("INVITE"), reliable: false);

        var other = h.Table.ReceiveRequest(Legacy("INVITE", uri: uri, cseq: cseq, via: via), new FakeMessage("INVITE"), false);

        Assert.Equal(ServerRequestOutcome.Created, other.Outcome);
    }

    [Fact]
    public void Rfc3261_17_2_3_Rfc2543AckWithResponseToTag_MatchesInviteTransaction()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Legacy("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 486, new FakeMessage("486", 486), "uas-tag");

        var wrongTag = h.Table.ReceiveRequest(Legacy("ACK", toTag: "other-tag"), new FakeMessage("ACK"), false);
        var ack = h.Table.ReceiveRequest(Legacy("ACK", toTag: "uas-tag"), new FakeMessage("ACK"), false);

        Assert.Equal(ServerRequestOutcome.AckWithoutTransaction, wrongTag.Outcome);
        Assert.Equal(ServerRequestOutcome.AckAbsorbed, ack.Outcome);
        Assert.Equal(TransactionStateName.Confirmed, tx.State);
    }

    [Fact]
    public void Rfc3261_9_2_Rfc2543Cancel_FindsInviteByFallbackKey()
    {
        var h = new TableHarness();
        var invite = h.Table.ReceiveRequest(Legacy("INVITE"), new FakeMessage("INVITE"), reliable: false).Transaction!;
        var cancel = Legacy("CANCEL");
        var cancelTx = h.Table.ReceiveRequest(cancel, new FakeMessage("CANCEL"), false);

        var match = h.Table.FindCancelTarget(cancel);

        Assert.Equal(ServerRequestOutcome.Created, cancelTx.Outcome);
        Assert.Equal(CancelOutcome.CancelPending, match.Outcome);
        Assert.Same(invite, match.Invite);
    }

    [Fact]
    public void Rfc3261_17_2_3_Rfc2543NonInviteRetransmission_AbsorbedAndFinalResent()
    {
        var h = new TableHarness();
        var tx = h.Table.ReceiveRequest(Legacy("OPTIONS"), new FakeMessage("OPTIONS"), reliable: false).Transaction!;
        h.Table.SendResponse(tx, 200, new FakeMessage("200", 200), "uas-tag");

        var retransmission = h.Table.ReceiveRequest(Legacy("OPTIONS"), new FakeMessage("OPTIONS"), false);

        Assert.Equal(ServerRequestOutcome.Retransmission, retransmission.Outcome);
        Assert.Single(h.Output.OfKind(OutputEventKind.Retransmit));
    }
}

public class TransactionKeyTests
{
    private static readonly SentBy Client = new("client.example.com", 5060);

    [Fact]
    public void Rfc3261_17_2_3_AckKey_EqualsInviteKey()
    {
        Assert.Equal(new ServerTransactionKey("z9hG4bK-1", Client, "INVITE"), new ServerTransactionKey("z9hG4bK-1", Client, "ACK"));
    }

    [Fact]
    public void Rfc3261_17_2_3_CancelKey_DiffersFromInviteKey()
    {
        Assert.NotEqual(new ServerTransactionKey("z9hG4bK-1", Client, "INVITE"), new ServerTransactionKey("z9hG4bK-1", Client, "CANCEL"));
    }

    [Fact]
    public void SentBy_HostCaseInsensitivePortSignificant()
    {
        Assert.Equal(new SentBy("Client.Example.COM", 5060), Client);
        Assert.Equal(new SentBy("Client.Example.COM", 5060).GetHashCode(), Client.GetHashCode());
        Assert.NotEqual(new SentBy("client.example.com", 5061), Client);
    }

    [Fact]
    public void ServerKey_BranchCaseSensitive()
    {
        Assert.NotEqual(new ServerTransactionKey("z9hG4bK-abc", Client, "OPTIONS"), new ServerTransactionKey("z9hG4bK-ABC", Client, "OPTIONS"));
    }

    [Fact]
    public void Rfc3261_17_1_3_ClientKey_MethodDistinguishesCancelFromInvite()
    {
        Assert.NotEqual(new ClientTransactionKey("z9hG4bK-1", "INVITE"), new ClientTransactionKey("z9hG4bK-1", "CANCEL"));
        Assert.Equal(new ClientTransactionKey("z9hG4bK-1", "INVITE"), new ClientTransactionKey(new string("z9hG4bK-1".AsSpan()), new string("INVITE".AsSpan())));
    }

    [Theory]
    [InlineData("z9hG4bK776asdhds", true)]
    [InlineData("z9hg4bk776asdhds", false)]
    [InlineData("776asdhds", false)]
    [InlineData(null, false)]
    public void Rfc3261_8_1_1_7_MagicCookie_DetectedCaseSensitively(string? branch, bool expected)
    {
        Assert.Equal(expected, TransactionMethods.HasMagicCookie(branch));
    }
}
