using Akka.Actor;
using Akka.Configuration;
using Routing.Cluster.Ledger;
using Routing.Cluster.Serialization;

namespace Routing.Cluster.Tests;

public sealed class NodeLedgerActorTests : Akka.TestKit.Xunit.TestKit
{
    // The in-memory journal keeps events per ActorSystem, so a stopped and recreated ledger must recover them.
    private static readonly Config TestConfig = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { routing = "{{typeof(RoutingSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(IRoutingSerializable).AssemblyQualifiedName}}" = routing }
        }
        akka.test.timefactor = {{Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}}
        """);

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public NodeLedgerActorTests() : base(TestConfig) { }

    [Fact]
    public async Task RecordNodeStart_Twice_RepliesWithIncrementingIncarnations()
    {
        var ledger = Sys.ActorOf(NodeLedgerActor.Props("node-a"));

        var first = await ledger.Ask<NodeStartRecorded>(new RecordNodeStart(T0, "1", "a"), Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
        var second = await ledger.Ask<NodeStartRecorded>(new RecordNodeStart(T0.AddSeconds(1), "1", "a"), Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

        Assert.Equal(1, first.Start.Incarnation);
        Assert.Equal(2, second.Start.Incarnation);
    }

    [Fact]
    public async Task Ledger_StoppedAndRecreated_RecoversHistoryFromTheJournal()
    {
        var ledger = Sys.ActorOf(NodeLedgerActor.Props("node-b"));
        await ledger.Ask<NodeStartRecorded>(new RecordNodeStart(T0, "1", "a"), Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
        Watch(ledger);
        Sys.Stop(ledger);
        ExpectTerminated(ledger, cancellationToken: TestContext.Current.CancellationToken);

        var again = Sys.ActorOf(NodeLedgerActor.Props("node-b"));
        var recorded = await again.Ask<NodeStartRecorded>(new RecordNodeStart(T0.AddMinutes(1), "2", "a"), Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
        var history = await again.Ask<NodeLedgerResult>(GetNodeLedger.Instance, Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

        Assert.Equal(2, recorded.Start.Incarnation);
        Assert.Equal(2, history.StartCount);
        Assert.Equal("1", history.Starts[0].Version);
        Assert.Equal("2", history.Starts[1].Version);
    }

    [Fact]
    public async Task Ledgers_OfDifferentNodes_DoNotShareHistory()
    {
        var a = Sys.ActorOf(NodeLedgerActor.Props("node-c"));
        var b = Sys.ActorOf(NodeLedgerActor.Props("node-d"));
        await a.Ask<NodeStartRecorded>(new RecordNodeStart(T0, "1", "a"), Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

        var history = await b.Ask<NodeLedgerResult>(GetNodeLedger.Instance, Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

        Assert.Equal(0, history.StartCount);
        Assert.Equal("node-ledger-node-c", NodeLedgerActor.PersistenceIdFor("node-c"));
    }
}
