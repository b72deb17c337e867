using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Google.Protobuf;
using Routing.Cluster.Ledger;

namespace Routing.Cluster.Serialization;

/// <summary>
/// The one serializer for everything this project persists or sends between nodes. Payloads are Protocol Buffers wire
/// format written by hand (field numbers below are the contract, unknown fields are skipped so that additive changes
/// stay readable by older nodes). Manifests are short, stable and never reused: a breaking change gets a new manifest
/// and the old one keeps its reader.
/// </summary>
public sealed class RoutingSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id; Akka reserves 0-40 and the project owns 4100-4199.</summary>
    public const int SerializerId = 4100;

    /// <summary>Name the serializer is registered under in HOCON / Akka.Hosting.</summary>
    public const string Name = "routing";

    internal const string NodeStartedManifest = "NS1";

    public RoutingSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        NodeStarted => NodeStartedManifest,
        _ when Registrar.RegistrarWire.Manifest(o) is { } registrar => registrar,
        _ when Dialogs.DialogWire.Manifest(o) is { } dialog => dialog,
        _ => throw new SerializationException($"{nameof(RoutingSerializer)} has no manifest for {o?.GetType().FullName}"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        NodeStarted e => WriteNodeStarted(e),
        _ when Registrar.RegistrarWire.Manifest(obj) is not null => Registrar.RegistrarWire.Write(obj),
        _ when Dialogs.DialogWire.Manifest(obj) is not null => Dialogs.DialogWire.Write(obj),
        _ => throw new SerializationException($"{nameof(RoutingSerializer)} cannot serialize {obj?.GetType().FullName}"),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        NodeStartedManifest => ReadNodeStarted(bytes),
        _ when Registrar.RegistrarWire.Knows(manifest) => Registrar.RegistrarWire.Read(bytes, manifest),
        _ when Dialogs.DialogWire.Knows(manifest) => Dialogs.DialogWire.Read(bytes, manifest),
        // Unknown manifest: a transient problem for remoting (the message is dropped), a hard stop for recovery.
        _ => throw new SerializationException($"{nameof(RoutingSerializer)} does not know manifest '{manifest}'"),
    };

    // NodeStarted v1 ("NS1"):
    //   1 incarnation        int64
    //   2 started_at_unix_ms int64  (UTC milliseconds since the Unix epoch)
    //   3 started_at_offset  sint32 (minutes east of UTC the writer's clock reported)
    //   4 version            string
    //   5 address            string
    private static byte[] WriteNodeStarted(NodeStarted e) => ProtoWriter.ToArray(e, static (output, e) =>
    {
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt64(e.Incarnation);
        output.WriteTag(2, WireFormat.WireType.Varint);
        output.WriteInt64(e.StartedAt.ToUnixTimeMilliseconds());
        output.WriteTag(3, WireFormat.WireType.Varint);
        output.WriteSInt32((int)e.StartedAt.Offset.TotalMinutes);
        output.WriteTag(4, WireFormat.WireType.LengthDelimited);
        output.WriteString(e.Version);
        output.WriteTag(5, WireFormat.WireType.LengthDelimited);
        output.WriteString(e.Address);
    });

    private static NodeStarted ReadNodeStarted(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        long incarnation = 0, unixMs = 0;
        var offsetMinutes = 0;
        string version = string.Empty, address = string.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: incarnation = input.ReadInt64(); break;
                case 2: unixMs = input.ReadInt64(); break;
                case 3: offsetMinutes = input.ReadSInt32(); break;
                case 4: version = input.ReadString(); break;
                case 5: address = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        return new NodeStarted(incarnation, at, version, address);
    }
}
