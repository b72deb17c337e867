using Google.Protobuf;
using Routing.Cluster.Serialization;
using Xunit;

namespace Routing.Cluster.Tests;

/// <summary>The per-thread reusable writers give the same bytes as a fresh writer, nested or not, after a failure too.</summary>
public sealed class ProtoWriterTests
{
    private static byte[] Fresh(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    private static void Inner(CodedOutputStream w, string text)
    {
        w.WriteTag(1, WireFormat.WireType.LengthDelimited);
        w.WriteString(text);
        w.WriteTag(2, WireFormat.WireType.Varint);
        w.WriteInt64(long.MaxValue);
    }

    private static void Outer(CodedOutputStream w, string text)
    {
        w.WriteTag(1, WireFormat.WireType.Varint);
        w.WriteInt32(7);
        ProtoWriter.Nested(w, 2, text, Inner);
        ProtoWriter.Nested(w, 3, text + "!", static (inner, t) => ProtoWriter.Nested(inner, 4, t, Inner));
    }

    private static byte[] Expected(string text)
    {
        var inner = Fresh(w => Inner(w, text));
        var innerBang = Fresh(w => Inner(w, text + "!"));
        var wrapped = Fresh(w =>
        {
            w.WriteTag(4, WireFormat.WireType.LengthDelimited);
            w.WriteBytes(ByteString.CopyFrom(innerBang));
        });
        return Fresh(w =>
        {
            w.WriteTag(1, WireFormat.WireType.Varint);
            w.WriteInt32(7);
            w.WriteTag(2, WireFormat.WireType.LengthDelimited);
            w.WriteBytes(ByteString.CopyFrom(inner));
            w.WriteTag(3, WireFormat.WireType.LengthDelimited);
            w.WriteBytes(ByteString.CopyFrom(wrapped));
        });
    }

    [Fact]
    public void ToArray_NestedMessages_SameBytesAsAFreshWriterEveryTime()
    {
        foreach (var text in new[] { "alice", new string('x', 5000), string.Empty, "bob" })
        {
            Assert.Equal(Expected(text), ProtoWriter.ToArray(text, Outer));
        }
    }

    [Fact]
    public void ToArray_AfterAWriteThatThrewHalfway_NextMessageIsClean()
    {
        Assert.Throws<InvalidOperationException>(() => ProtoWriter.ToArray("half", static (w, t) =>
        {
            Outer(w, t);
            ProtoWriter.Nested(w, 9, t, static (_, _) => throw new InvalidOperationException("boom"));
        }));

        Assert.Equal(Expected("after"), ProtoWriter.ToArray("after", Outer));
    }
}
