using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Routing.Sip.Tests.Message;

/// <summary>Loads corpus messages (embedded resources) and expands the RFC 4475 §2 notations.</summary>
internal static class Corpus
{
    private static readonly Assembly Assembly = typeof(Corpus).Assembly;

    // %(RecursiveDir) uses the build machine's separator; names here always use '/'.
    private static readonly Dictionary<string, string> Resources = Assembly.GetManifestResourceNames()
        .ToDictionary(n => n.Replace('\\', '/'), n => n, StringComparer.Ordinal);

    /// <summary>Corpus names such as <c>rfc4475/wsinv</c> under a folder.</summary>
    public static IEnumerable<string> Names(string folder)
    {
        var prefix = "Corpus/" + folder + "/";
        foreach (var name in Resources.Keys.Order(StringComparer.Ordinal))
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return name["Corpus/".Length..];
            }
        }
    }

    /// <summary>The wire bytes of a <c>.sip</c> file (LF to CRLF, notations expanded) or a raw <c>.bin</c> file.</summary>
    public static byte[] Load(string name)
    {
        var resource = "Corpus/" + (Path.HasExtension(name) ? name : name + ".sip");
        using var stream = (Resources.TryGetValue(resource, out var actual) ? Assembly.GetManifestResourceStream(actual) : null)
            ?? throw new FileNotFoundException(resource);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        if (resource.EndsWith(".bin", StringComparison.Ordinal))
        {
            return copy.ToArray();
        }

        return Expand(Encoding.UTF8.GetString(copy.ToArray()));
    }

    public static byte[] Expand(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        text = ExpandAllOneLine(text);
        text = ExpandRepeat(text);
        var bytes = Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n", StringComparison.Ordinal));
        return ExpandHex(bytes);
    }

    private static string ExpandAllOneLine(string text)
    {
        const string open = "<allOneLine>\n";
        const string close = "</allOneLine>\n";
        int start;
        while ((start = text.IndexOf(open, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf(close, start, StringComparison.Ordinal);
            var inner = text[(start + open.Length)..end].Replace("\n", "", StringComparison.Ordinal);
            text = string.Concat(text.AsSpan(0, start), inner, "\n", text.AsSpan(end + close.Length));
        }

        return text;
    }

    private static string ExpandRepeat(string text)
    {
        const string open = "<repeat count=";
        const string close = "</repeat>";
        int start;
        while ((start = text.IndexOf(open, StringComparison.Ordinal)) >= 0)
        {
            var gt = text.IndexOf('>', start);
            var count = int.Parse(text.AsSpan(start + open.Length, gt - start - open.Length), CultureInfo.InvariantCulture);
            var end = text.IndexOf(close, gt, StringComparison.Ordinal);
            var unit = text[(gt + 1)..end];
            var sb = new StringBuilder(text.Length + (unit.Length * count));
            sb.Append(text, 0, start);
            for (var i = 0; i < count; i++)
            {
                sb.Append(unit);
            }

            sb.Append(text, end + close.Length, text.Length - end - close.Length);
            text = sb.ToString();
        }

        return text;
    }

    private static byte[] ExpandHex(byte[] bytes)
    {
        var open = "<hex>"u8;
        var close = "</hex>"u8;
        var output = new List<byte>(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var rel = bytes.AsSpan(i).IndexOf(open);
            if (rel < 0)
            {
                output.AddRange(bytes.AsSpan(i).ToArray());
                break;
            }

            output.AddRange(bytes.AsSpan(i, rel).ToArray());
            var hexStart = i + rel + open.Length;
            var hexEnd = hexStart + bytes.AsSpan(hexStart).IndexOf(close);
            output.AddRange(Convert.FromHexString(Encoding.ASCII.GetString(bytes, hexStart, hexEnd - hexStart)));
            i = hexEnd + close.Length;
        }

        return [.. output];
    }

    /// <summary>A sequence of one-byte segments, to prove the parser never assumes contiguous input.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
