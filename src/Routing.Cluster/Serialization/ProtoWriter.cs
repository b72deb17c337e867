using Google.Protobuf;

namespace Routing.Cluster.Serialization;

/// <summary>
/// Reusable Protocol Buffers output for the hand-written wire formats. <c>new CodedOutputStream(stream)</c> allocates a
/// 4 KiB buffer; at one or two per persisted event (an outer message and a nested one) that was 38 % of all the bytes
/// a write-through REGISTER allocated. Here each thread keeps one stream and writer per nesting depth and resets them
/// after use, so a message costs only its result array.
/// </summary>
internal static class ProtoWriter
{
    /// <summary>Nesting levels kept per thread; deeper messages get a throwaway writer.</summary>
    private const int PooledDepth = 8;

    /// <summary>A stream that grew past this (a large snapshot) is not kept.</summary>
    private const int MaxKeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static Slot?[]? t_slots;

    [ThreadStatic]
    private static int t_depth;

    /// <summary>Writes one message with <paramref name="write"/> and returns its bytes.</summary>
    public static byte[] ToArray<T>(T value, Action<CodedOutputStream, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var slot = Rent(out var depth);
        var done = false;
        try
        {
            write(slot.Output, value);
            slot.Output.Flush();
            var bytes = slot.Stream.ToArray();
            done = true;
            return bytes;
        }
        finally
        {
            Return(slot, depth, done);
        }
    }

    /// <summary>Writes a length-delimited field <paramref name="field"/> holding the message <paramref name="write"/> makes.</summary>
    public static void Nested<T>(CodedOutputStream output, int field, T value, Action<CodedOutputStream, T> write)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(write);
        var slot = Rent(out var depth);
        var done = false;
        try
        {
            write(slot.Output, value);
            slot.Output.Flush();
            output.WriteTag(field, WireFormat.WireType.LengthDelimited);
            // WriteBytes copies into the outer writer at once, so the slot may be reused right after.
            output.WriteBytes(UnsafeByteOperations.UnsafeWrap(slot.Stream.GetBuffer().AsMemory(0, (int)slot.Stream.Length)));
            done = true;
        }
        finally
        {
            Return(slot, depth, done);
        }
    }

    private static Slot Rent(out int depth)
    {
        depth = t_depth++;
        if (depth >= PooledDepth)
        {
            return new Slot();
        }

        var slots = t_slots ??= new Slot?[PooledDepth];
        return slots[depth] ??= new Slot();
    }

    private static void Return(Slot slot, int depth, bool clean)
    {
        t_depth = depth;
        if (depth >= PooledDepth)
        {
            return;
        }

        // A writer that threw may hold unflushed bytes: it is dropped, never reused.
        if (!clean || slot.Stream.Capacity > MaxKeptCapacity)
        {
            t_slots![depth] = null;
            return;
        }

        slot.Stream.SetLength(0);
    }

    /// <summary>A stream and its writer. Holds only managed memory: a dropped slot is left to the collector.</summary>
    private sealed class Slot : IDisposable
    {
        public readonly MemoryStream Stream = new(256);
        public readonly CodedOutputStream Output;

        public Slot() => Output = new CodedOutputStream(Stream, 1024, leaveOpen: true);

        public void Dispose()
        {
            Output.Dispose();
            Stream.Dispose();
        }
    }
}
