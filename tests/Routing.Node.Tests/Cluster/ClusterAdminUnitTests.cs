using System.Runtime.Serialization;
using Routing.Node.Admin;

namespace Routing.Node.Tests.Cluster;

public sealed class ClusterAdminUnitTests
{
    private static readonly NodeCard Card = new("node2", "abc123", "akka.tcp://routing@127.0.0.1:4054", "http://127.0.0.1:9112",
        ["udp:127.0.0.1:5062", "tcp:127.0.0.1:5062"], 4242, "0.1.0+abc", ["edge", "routing"],
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "postgres", Draining: false);

    private static readonly DirectoryEntry[] Entries =
    [
        new("akka.tcp://routing@127.0.0.1:4053", "Up", true, ["edge"], "0.1.0", Card with { Name = "node1", NodeId = "id1", Address = "akka.tcp://routing@127.0.0.1:4053" }),
        new("akka.tcp://routing@127.0.0.1:4054", "Up", true, ["edge"], "0.1.0", Card),
        new("akka.tcp://routing@127.0.0.1:4055", "Up", false, ["edge"], "0.1.0", null),
    ];

    [Theory]
    [InlineData("node2", "akka.tcp://routing@127.0.0.1:4054")]
    [InlineData("abc123", "akka.tcp://routing@127.0.0.1:4054")]
    [InlineData("akka.tcp://routing@127.0.0.1:4055", "akka.tcp://routing@127.0.0.1:4055")]
    [InlineData("127.0.0.1:4053", "akka.tcp://routing@127.0.0.1:4053")]
    public void Resolve_NameNodeIdAddressOrHostPort_FindsTheMember(string node, string address) =>
        Assert.Equal(address, NodeDirectory.Resolve(Entries, node)?.Address);

    [Theory]
    [InlineData("node9")]
    [InlineData("127.0.0.1:405")]
    [InlineData("Node2")]
    public void Resolve_NoSuchMember_Null(string node) => Assert.Null(NodeDirectory.Resolve(Entries, node));

    [Theory]
    [InlineData("sip:alice@example.com", "user")]
    [InlineData("SIPS:bob@example.com", "user")]
    [InlineData("tel:+15551234567", "user")]
    [InlineData("a84b4c76e66710@pc33.atlanta.com", "dialog")]
    [InlineData("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "dialog")]
    public void RegionFor_UriIsAnAorAnythingElseACallId(string key, string region) => Assert.Equal(region, ShardEndpoints.RegionFor(key));

    [Fact]
    public void AdminWireSerializer_EveryMessage_RoundTrips()
    {
        var serializer = new AdminWireSerializer(null!);
        object[] messages = [Card, DescribeNode.Instance, new DrainNodeRequest("member akka.tcp://routing@127.0.0.1:4053"),
            new DrainNodeAccepted("node3", "akka.tcp://routing@127.0.0.1:4055", true)];
        foreach (var m in messages)
        {
            var back = serializer.FromBinary(serializer.ToBinary(m), serializer.Manifest(m));
            if (m is NodeCard card)
            {
                var c = Assert.IsType<NodeCard>(back);
                Assert.Equal(card.Sip, c.Sip);
                Assert.Equal(card.Roles, c.Roles);
                Assert.Equal(card with { Sip = c.Sip, Roles = c.Roles }, c);
            }
            else
            {
                Assert.Equal(m, back);
            }
        }
    }

    [Fact]
    public void AdminWireSerializer_UnknownManifestOrGarbage_SerializationException()
    {
        var serializer = new AdminWireSerializer(null!);
        Assert.Throws<SerializationException>(() => serializer.FromBinary([1, 2, 3], "ZZ9"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{not json"u8.ToArray(), "NC1"));
        Assert.Throws<SerializationException>(() => serializer.Manifest("a string"));
    }

    [Fact]
    public void ExitCode_RequestedLeaveOrDrain_ZeroEvenWhenTheHostSawTheActorSystemEndFirst()
    {
        Assert.Equal(0, Hosting.NodeProgram.ExitCodeFor(-1, Akka.Actor.CoordinatedShutdown.ClusterLeavingReason.Instance));
        Assert.Equal(0, Hosting.NodeProgram.ExitCodeFor(-1, DrainReason.Instance));
        Assert.Equal(0, Hosting.NodeProgram.ExitCodeFor(0, null));
    }

    [Fact]
    public void ExitCode_DownedOrJoinFailedOrHostFailure_One()
    {
        Assert.Equal(1, Hosting.NodeProgram.ExitCodeFor(-1, Akka.Actor.CoordinatedShutdown.ClusterDowningReason.Instance));
        Assert.Equal(1, Hosting.NodeProgram.ExitCodeFor(-1, Akka.Actor.CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance));
        Assert.Equal(1, Hosting.NodeProgram.ExitCodeFor(-1, null));
    }
}
