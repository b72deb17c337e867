using Akka.Cluster;
using Routing.Cluster.Health;

namespace Routing.Cluster.Tests;

public class ReadinessEvaluatorTests
{
    [Fact]
    public void Evaluate_UpAndJournalAnswers_Ready()
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(MemberStatus.Up, false, JournalProbeStatus.Answered));

        Assert.True(report.Ready);
        Assert.Empty(report.Reasons);
    }

    [Theory]
    [InlineData(MemberStatus.Joining)]
    [InlineData(MemberStatus.WeaklyUp)]
    public void Evaluate_NotYetUp_NotReadyWithNotUp(MemberStatus status)
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(status, false, JournalProbeStatus.Answered));

        Assert.False(report.Ready);
        Assert.Equal([NotReadyReason.NotUp], report.Reasons);
    }

    [Fact]
    public void Evaluate_NoSelfMember_NotReadyWithNotUp()
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(null, false, JournalProbeStatus.Answered));

        Assert.Equal([NotReadyReason.NotUp], report.Reasons);
    }

    [Theory]
    [InlineData(MemberStatus.Leaving)]
    [InlineData(MemberStatus.Exiting)]
    [InlineData(MemberStatus.Down)]
    [InlineData(MemberStatus.Removed)]
    public void Evaluate_LeavingTheCluster_NotReadyEvenThoughItWasUp(MemberStatus status)
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(status, false, JournalProbeStatus.Answered));

        Assert.False(report.Ready);
        Assert.Equal([NotReadyReason.Leaving], report.Reasons);
    }

    [Fact]
    public void Evaluate_ShutdownStartedWhileStillUp_NotReady()
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(MemberStatus.Up, true, JournalProbeStatus.Answered));

        Assert.False(report.Ready);
        Assert.Equal([NotReadyReason.ShuttingDown], report.Reasons);
    }

    [Theory]
    [InlineData(JournalProbeStatus.Failed)]
    [InlineData(JournalProbeStatus.TimedOut)]
    public void Evaluate_JournalDoesNotAnswer_NotReady(JournalProbeStatus journal)
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(MemberStatus.Up, false, journal));

        Assert.False(report.Ready);
        Assert.Equal([NotReadyReason.JournalUnavailable], report.Reasons);
    }

    [Fact]
    public void Evaluate_SeveralProblems_ReportsEveryReason()
    {
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(MemberStatus.Exiting, true, JournalProbeStatus.TimedOut));

        Assert.Equal([NotReadyReason.Leaving, NotReadyReason.ShuttingDown, NotReadyReason.JournalUnavailable], report.Reasons);
    }
}
