using System.Buffers;
using System.Buffers.Text;

namespace Routing.Sip.Message;

/// <summary>Small writing primitives over <see cref="IBufferWriter{T}"/> shared by the builders and the editor.</summary>
public static class SipWriteHelpers
{
    public static void Write(this IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (bytes.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    public static void WriteNumber(this IBufferWriter<byte> output, long value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(20);
        if (!Utf8Formatter.TryFormat(value, span, out var written))
        {
            throw new InvalidOperationException("buffer writer returned a span shorter than requested");
        }

        output.Advance(written);
    }

    /// <summary>Writes <c>Name: value CRLF</c>.</summary>
    public static void WriteHeader(this IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        output.Write(name);
        output.Write(": "u8);
        output.Write(value);
        output.Write("\r\n"u8);
    }

    public static void WriteHeader(this IBufferWriter<byte> output, SipHeaderId id, ReadOnlySpan<byte> value) =>
        output.WriteHeader(SipHeaderTable.GetName(id), value);
}
