using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Routing.Cluster.Ledger;
using Routing.Cluster.Serialization;

namespace Routing.Cluster.Tests;

public sealed class RoutingSerializerTests : IDisposable
{
    private static readonly Config SerializerConfig = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { routing = "{{typeof(RoutingSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(IRoutingSerializable).AssemblyQualifiedName}}" = routing }
          serialization-identifiers { "{{typeof(RoutingSerializer).AssemblyQualifiedName}}" = {{RoutingSerializer.SerializerId}} }
        }
        """);

    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", SerializerConfig);

    public void Dispose() => _system.Dispose();

    [Fact]
    public void NodeStarted_RoundTrip_EqualsOriginal()
    {
        var original = new NodeStarted(7, new DateTimeOffset(2026, 11, 26, 14, 0, 1, 250, TimeSpan.FromHours(2)), "0.1.0+abc", "akka.tcp://routing@10.0.0.1:4053");
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(original);

        var bytes = serializer.ToBinary(original);
        var back = serializer.FromBinary(bytes, serializer.Manifest(original));

        Assert.Equal(original, back);
    }

    [Fact]
    public void NodeStarted_BindingAndManifest_AreTheStableContract()
    {
        var e = new NodeStarted(1, DateTimeOffset.UnixEpoch, "v", "a");
        var serializer = _system.Serialization.FindSerializerFor(e);

        Assert.IsType<RoutingSerializer>(serializer);
        Assert.Equal(4100, serializer.Identifier);
        Assert.Equal("NS1", ((SerializerWithStringManifest)serializer).Manifest(e));
    }

    [Fact]
    public void NodeStarted_KnownBytes_DecodeToTheSameEvent()
    {
        // Field 1 = 3, field 2 = 1000 ms, field 3 = 0, field 4 = "v1", field 5 = "a": written by hand from the
        // documented field numbers, so an accidental renumbering fails here.
        byte[] wire = [0x08, 0x03, 0x10, 0xE8, 0x07, 0x18, 0x00, 0x22, 0x02, (byte)'v', (byte)'1', 0x2A, 0x01, (byte)'a'];
        var serializer = new RoutingSerializer((ExtendedActorSystem)_system);

        var e = (NodeStarted)serializer.FromBinary(wire, "NS1");

        Assert.Equal(new NodeStarted(3, DateTimeOffset.FromUnixTimeMilliseconds(1000), "v1", "a"), e);
    }

    [Fact]
    public void NodeStarted_UnknownFieldFromANewerWriter_IsSkipped()
    {
        byte[] wire = [0x08, 0x02, 0x32, 0x03, (byte)'n', (byte)'e', (byte)'w', 0x22, 0x01, (byte)'v'];
        var serializer = new RoutingSerializer((ExtendedActorSystem)_system);

        var e = (NodeStarted)serializer.FromBinary(wire, "NS1");

        Assert.Equal(2, e.Incarnation);
        Assert.Equal("v", e.Version);
    }

    [Fact]
    public void FromBinary_UnknownManifest_ThrowsSerializationException()
    {
        var serializer = new RoutingSerializer((ExtendedActorSystem)_system);

        Assert.Throws<SerializationException>(() => serializer.FromBinary([], "XX9"));
    }

    [Fact]
    public void ToBinary_UnboundType_ThrowsSerializationException()
    {
        var serializer = new RoutingSerializer((ExtendedActorSystem)_system);

        Assert.Throws<SerializationException>(() => serializer.ToBinary("not an event"));
    }
}
