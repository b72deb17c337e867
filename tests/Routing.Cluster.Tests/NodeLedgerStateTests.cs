using Routing.Cluster.Ledger;

namespace Routing.Cluster.Tests;

public class NodeLedgerStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Decide_EmptyLedger_FirstIncarnationIsOne()
    {
        var started = NodeLedgerState.Empty.Decide(new RecordNodeStart(T0, "1.0.0", "akka.tcp://routing@127.0.0.1:4053"));

        Assert.Equal(1, started.Incarnation);
        Assert.Equal(T0, started.StartedAt);
        Assert.Equal("1.0.0", started.Version);
        Assert.Equal("akka.tcp://routing@127.0.0.1:4053", started.Address);
    }

    [Fact]
    public void Evolve_TwoStarts_NextIncarnationIsThreeAndHistoryKeepsOrder()
    {
        var state = NodeLedgerState.Empty;
        state = state.Evolve(state.Decide(new RecordNodeStart(T0, "1.0.0", "a")));
        state = state.Evolve(state.Decide(new RecordNodeStart(T0.AddMinutes(5), "1.0.1", "b")));

        Assert.Equal(3, state.NextIncarnation);
        Assert.Equal(2, state.Starts.Count);
        Assert.Equal("1.0.0", state.Starts[0].Version);
        Assert.Equal(2, state.Starts[1].Incarnation);
    }

    [Fact]
    public void Evolve_DoesNotChangeThePreviousState()
    {
        var before = NodeLedgerState.Empty;
        var after = before.Evolve(before.Decide(new RecordNodeStart(T0, "1.0.0", "a")));

        Assert.Empty(before.Starts);
        Assert.Single(after.Starts);
    }
}
