using System.Text.Json;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;

namespace Routing.Node.Admin;

/// <summary>
/// Serializer for the few admin messages exchanged between nodes (directory, remote drain). They are small, rare and
/// only ever read by the same build or its neighbour version during a rolling upgrade, so JSON with stable manifests
/// is enough; unknown manifests throw <see cref="SerializationException"/> so Akka drops the message instead of
/// closing the association (akka-notes §4).
/// </summary>
public sealed class AdminWireSerializer : SerializerWithStringManifest
{
    public const string Name = "routing-admin";
    public const int SerializerId = 4170;

    private const string CardManifest = "NC1";
    private const string DescribeManifest = "DN1";
    private const string DrainManifest = "DR1";
    private const string DrainAcceptedManifest = "DA1";

    public AdminWireSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        NodeCard => CardManifest,
        DescribeNode => DescribeManifest,
        DrainNodeRequest => DrainManifest,
        DrainNodeAccepted => DrainAcceptedManifest,
        _ => throw new SerializationException($"{o?.GetType().FullName} is not an admin wire message"),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        NodeCard c => JsonSerializer.SerializeToUtf8Bytes(c),
        DescribeNode => [],
        DrainNodeRequest d => JsonSerializer.SerializeToUtf8Bytes(d),
        DrainNodeAccepted a => JsonSerializer.SerializeToUtf8Bytes(a),
        _ => throw new SerializationException($"{obj?.GetType().FullName} is not an admin wire message"),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            object? value = manifest switch
            {
                CardManifest => JsonSerializer.Deserialize<NodeCard>(bytes),
                DescribeManifest => DescribeNode.Instance,
                DrainManifest => JsonSerializer.Deserialize<DrainNodeRequest>(bytes),
                DrainAcceptedManifest => JsonSerializer.Deserialize<DrainNodeAccepted>(bytes),
                _ => throw new SerializationException($"unknown admin manifest '{manifest}'"),
            };
            return value ?? throw new SerializationException($"empty admin message for manifest '{manifest}'");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"malformed admin message '{manifest}': {e.Message}", e);
        }
    }
}
