using Routing.Cluster.Cdr;
using Routing.Cluster.Dialogs;
using static Routing.Cluster.Tests.Dialogs.DialogFixtures;

namespace Routing.Cluster.Tests.Cdr;

public sealed class CdrRecordTests
{
    private static CdrRecord Fold(DialogState state)
    {
        CdrRecord? row = null;
        foreach (var e in state.History)
        {
            row = CdrRecord.Apply(row, state.CallId, e);
        }

        return row!;
    }

    [Fact]
    public void AnsweredCallEndedByCallee_EveryColumnFilled()
    {
        var s = Run(Confirmed(), T0.AddSeconds(65),
            new RouteInDialog("c1", Key(1, "BYE", "z9hG4bKb"), "ttag", "ftag", Bob(), false, null));
        var r = Fold(s);
        Assert.Equal("c1", r.CallId);
        Assert.Equal("sip:alice@example.com", r.CallerAor);
        Assert.Equal("sip:bob@example.com", r.CalleeAor);
        Assert.Equal("10.0.0.1", r.SourceIp);
        Assert.Equal(5060, r.SourcePort);
        Assert.Equal("udp", r.Transport);
        Assert.Equal("baresip", r.UserAgent);
        Assert.Equal("<urn:uuid:a>", r.DeviceInstance);
        Assert.Equal(1, r.BranchesTried);
        Assert.Equal("<urn:uuid:b>", r.AnsweringDevice);
        Assert.Equal(T0, r.SetupTime);
        Assert.Equal(T0, r.RingTime);
        Assert.Equal(T0, r.AnswerTime);
        Assert.Equal(T0.AddSeconds(65), r.EndTime);
        Assert.Equal(65_000, r.DurationMs);
        Assert.Equal(200, r.FinalStatus);
        Assert.Equal("callee", r.HungUpBy);
        Assert.Equal("bye", r.EndReason);
    }

    [Fact]
    public void BusyCall_FinalStatus486NoDuration()
    {
        var s = Run(DialogState.Empty("c2"), T0, Start("c2"), new RecordBranch("c2", 0, "sip:b@1", null),
            new RecordFailure("c2", 486, DialogSide.Callee));
        var r = Fold(s);
        Assert.Equal(486, r.FinalStatus);
        Assert.Null(r.DurationMs);
        Assert.Null(r.AnswerTime);
        Assert.Equal("failed", r.EndReason);
        Assert.Equal("callee", r.HungUpBy);
    }

    [Theory]
    [InlineData("10.0.0.1:5060", "10.0.0.1", 5060)]
    [InlineData("[2001:db8::1]:5061", "2001:db8::1", 5061)]
    [InlineData("10.0.0.1", "10.0.0.1", null)]
    public void SplitAddress_HostAndPort(string address, string ip, int? port)
    {
        var (host, p) = CdrRecord.SplitAddress(address);
        Assert.Equal(ip, host);
        Assert.Equal(port, p);
    }
}
