using Routing.Edge.Proxy;

namespace Routing.Edge.Tests.Proxy;

public sealed class ResponseContextTests
{
    private static ProxyTarget T(string uri, int? q = null) => new(uri, q, null, [], "10.0.0.9:5060", "udp");

    [Fact]
    public void ForkPlan_EqualQParallel_GroupsByDescendingQ()
    {
        var plan = ForkPlan.Build([T("sip:mobile@1", 500), T("sip:desk1@1", 1000), T("sip:desk2@1", 1000)]);
        Assert.Equal(2, plan.GroupCount);
        Assert.Equal("sip:desk1@1", plan.Targets[0].ContactUri);
        Assert.Equal("sip:desk2@1", plan.Targets[1].ContactUri);
        Assert.Equal(new Range(0, 2), plan.BranchesOf(0));
        Assert.Equal(1, plan.GroupOf(2));
    }

    [Fact]
    public void Rfc3261_16_7_Step10_TwoHundredOnOneBranch_OthersCancelled()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1"), T("sip:b@1")]));
        Assert.Equal([0, 1], ctx.Start().Start);
        Assert.True(ctx.OnResponse(1, 180).ForwardResponse);
        var step = ctx.OnResponse(0, 200);
        Assert.True(step.ForwardResponse);
        Assert.Equal([1], step.Cancel);
        Assert.False(ctx.OnResponse(1, 487).ForwardResponse);
        Assert.True(ctx.Answered);
    }

    [Fact]
    public void Rfc3261_16_7_Step5_SecondTwoHundred_AlsoForwarded()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1"), T("sip:b@1")]));
        ctx.Start();
        ctx.OnResponse(0, 200);
        var second = ctx.OnResponse(1, 200);
        Assert.True(second.ForwardResponse);
        Assert.Empty(second.Cancel);
    }

    [Fact]
    public void Rfc3261_16_7_Step5_SixHundred_EndsForkingAndCancelsPending()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1"), T("sip:b@1"), T("sip:c@1", 100)]));
        ctx.Start();
        var step = ctx.OnResponse(0, 603);
        Assert.True(step.ForwardResponse);
        Assert.Equal([1], step.Cancel);
        Assert.Equal(BranchState.Skipped, ctx.StateOf(2));
    }

    [Fact]
    public void Rfc3261_16_7_Step6_BestResponse_PrefersResubmissionInfoAnd503Becomes500()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1"), T("sip:b@1")]));
        ctx.Start();
        ctx.OnResponse(0, 486);
        var step = ctx.OnResponse(1, 484);
        Assert.Equal(484, step.Final!.StatusCode);
        Assert.Equal(1, step.Final.Branch);

        var other = new ResponseContext(ForkPlan.Build([T("sip:a@1")]));
        other.Start();
        var fin = other.OnResponse(0, 503).Final!;
        Assert.Equal(500, fin.StatusCode);
        Assert.Equal(-1, fin.Branch);
    }

    [Fact]
    public void Rfc3261_16_7_Step7_ChallengesAggregatedAs407()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1"), T("sip:b@1"), T("sip:c@1")]));
        ctx.Start();
        ctx.OnResponse(0, 401);
        ctx.OnResponse(1, 486);
        var fin = ctx.OnResponse(2, 407).Final!;
        Assert.Equal(407, fin.StatusCode);
        Assert.Equal([0, 2], fin.ChallengeBranches);
    }

    [Fact]
    public void SequentialFork_FirstGroupTimesOut_CancelledAndNextGroupStarted()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:desk@1", 1000), T("sip:mobile@1", 500)]));
        Assert.Equal(0, ctx.Start().ArmGroupTimer);
        var step = ctx.OnGroupTimeout(0);
        Assert.Equal([0], step.Cancel);
        Assert.Equal([1], step.Start);
        Assert.Equal(1, step.ArmGroupTimer);
        ctx.OnResponse(0, 487);
        Assert.True(ctx.OnResponse(1, 200).ForwardResponse);
    }

    [Fact]
    public void SequentialFork_AllGroupsTimeOut_408()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:desk@1", 1000), T("sip:mobile@1", 500)]));
        ctx.Start();
        ctx.OnGroupTimeout(0);
        Assert.Equal([1], ctx.OnGroupTimeout(1).Cancel);
        ctx.OnResponse(0, 487);
        var fin = ctx.OnResponse(1, 487).Final!;
        Assert.Equal(408, fin.StatusCode);
        Assert.Equal(-1, fin.Branch);
    }

    [Fact]
    public void Rfc3261_16_10_CallerCancel_PendingCancelledNoNextGroupAnd487()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:desk@1", 1000), T("sip:mobile@1", 500)]));
        ctx.Start();
        ctx.OnResponse(0, 180);
        var step = ctx.OnCallerCancel();
        Assert.Equal([0], step.Cancel);
        var fin = ctx.OnResponse(0, 487).Final!;
        Assert.Equal(487, fin.StatusCode);
        Assert.Equal(0, fin.Branch);
        Assert.Equal(BranchState.Skipped, ctx.StateOf(1));
    }

    [Fact]
    public void Rfc3261_16_7_NoBranchAnswers_408()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1")]));
        ctx.Start();
        var fin = ctx.OnBranchTimeout(0).Final!;
        Assert.Equal(408, fin.StatusCode);
        Assert.Equal(-1, fin.Branch);
    }

    [Fact]
    public void Rfc3261_16_7_Step5_HundredTrying_NotForwarded()
    {
        var ctx = new ResponseContext(ForkPlan.Build([T("sip:a@1")]));
        ctx.Start();
        Assert.False(ctx.OnResponse(0, 100).ForwardResponse);
        Assert.True(ctx.OnResponse(0, 183).ForwardResponse);
    }
}
