using System.Buffers;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

/// <summary>
/// Property test over mutated real messages (RFC 3665 flows, mobile captures, RFC 4475/5118): whatever the bytes,
/// no exception escapes, nothing is read past the input, and results keep their invariants. Bounded in time and in
/// count. Inputs that ever broke an invariant live in Corpus/fuzz as regression tests.
/// </summary>
public class SipParserFuzzTests
{
    private static readonly byte[] Interesting = "\r\n:;,\"<>\\ \t\0%@=[]0123456789-/"u8.ToArray();

    private static double TimeFactor =>
        double.TryParse(Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR"), System.Globalization.CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1;

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    public static TheoryData<string> FuzzFindings => [.. Corpus.Names("fuzz")];

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public async Task Parser_MutatedRealMessages_NeverThrowsAndKeepsInvariants(int seed, bool stream)
    {
        // CI: 9 s and 400 000 inputs per case. Deeper local runs: ROUTING_FUZZ_SECONDS=600 ROUTING_FUZZ_SEED=<n>.
        var seeds = Seeds();
        var seconds = EnvInt("ROUTING_FUZZ_SECONDS", 9);
        var random = new Random(seed + EnvInt("ROUTING_FUZZ_SEED", 0));
        var budget = TimeSpan.FromSeconds(seconds);
        var maxIterations = seconds == 9 ? 400_000 : int.MaxValue;
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var iterations = 0;

        var loop = Task.Run(
            () =>
            {
                while (iterations < maxIterations && time.GetElapsedTime(started) < budget)
                {
                    var input = Mutate(seeds[random.Next(seeds.Length)], random);
                    try
                    {
                        Check(input, stream);
                    }
                    catch (Exception e)
                    {
                        throw new InvalidOperationException($"input (base64): {Convert.ToBase64String(input)}", e);
                    }

                    iterations++;
                }
            },
            TestContext.Current.CancellationToken);

        // A parse that never returns is a finding too: the loop must finish well within its own budget.
        await loop.WaitAsync(budget * 3 * TimeFactor, TestContext.Current.CancellationToken);
        Assert.True(iterations > 1000, $"only {iterations} iterations ran");
    }

    [Theory]
    [MemberData(nameof(FuzzFindings))]
    public void Parser_FuzzFinding_NeverThrowsAndKeepsInvariants(string name)
    {
        var input = Corpus.Load(name);

        Check(input, stream: false);
        Check(input, stream: true);
    }

    private static byte[][] Seeds()
    {
        var list = new List<byte[]>();
        foreach (var folder in new[] { "rfc3665", "mobile", "rfc4475", "rfc5118" })
        {
            foreach (var name in Corpus.Names(folder))
            {
                list.Add(Corpus.Load(name));
            }
        }

        return [.. list];
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var data = new List<byte>(source);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds && data.Count > 0; r++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data.Insert(at, random.Next(2) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)]);
                    break;
                case 2:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(8)));
                    break;
                case 3:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 4:
                    var length = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 5:
                    data.InsertRange(at, random.Next(3) switch { 0 => "\r\n"u8.ToArray(), 1 => "\r\n "u8.ToArray(), _ => "\r\n\r\n"u8.ToArray() });
                    break;
                case 6:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                default:
                    // Duplicate a whole header line.
                    var lineStart = data.LastIndexOf((byte)'\n', at) + 1;
                    var lineEnd = data.IndexOf((byte)'\n', at);
                    if (lineEnd > lineStart)
                    {
                        data.InsertRange(lineStart, data.GetRange(lineStart, lineEnd - lineStart + 1));
                    }

                    break;
            }
        }

        return [.. data];
    }

    private static void Check(byte[] input, bool stream)
    {
        // The input sits at the end of a larger array: a read past its end would see the guard bytes, and a span
        // slice makes any such read throw.
        var padded = new byte[input.Length + 16];
        input.CopyTo(padded, 0);
        padded.AsSpan(input.Length).Fill((byte)'\n');
        var span = padded.AsSpan(0, input.Length);

        var result = stream ? SipParser.ParseStream(span) : SipParser.ParseDatagram(span);
        try
        {
            CheckResult(input, result, stream);
        }
        finally
        {
            result.Message?.Dispose();
        }

        if (stream && input.Length < 4096)
        {
            var split = SipParser.ParseStream(Corpus.OneBytePerSegment(input));
            try
            {
                Assert.Equal(result.Status, split.Status);
                Assert.Equal(result.Rejection, split.Rejection);
                Assert.Equal(result.Consumed, split.Consumed);
            }
            finally
            {
                split.Message?.Dispose();
            }
        }
    }

    private static void CheckResult(byte[] input, SipParseResult result, bool stream)
    {
        Assert.InRange(result.Consumed, 0, input.Length);
        switch (result.Status)
        {
            case SipParseStatus.NeedMoreData:
                Assert.True(stream);
                Assert.Equal(0, result.Consumed);
                Assert.Null(result.Message);
                break;

            case SipParseStatus.KeepAlive:
                Assert.Null(result.Message);
                Assert.True(result.Consumed > 0);
                break;

            case SipParseStatus.Message:
                var m = result.Message!;
                Assert.True(m.Length <= input.Length);
                if (stream)
                {
                    Assert.Equal(m.Length, result.Consumed);
                    Assert.True(input.AsSpan(0, m.Length).SequenceEqual(m.Span));
                }

                Assert.Equal(m.Length, m.BodyRange.End);
                CheckIndex(m);

                // Untouched forwarding is byte-identical, and an accepted request can always be answered.
                using (var editor = new SipMessageEditor())
                {
                    Assert.True(editor.Begin(m).ToArray().AsSpan().SequenceEqual(m.Span));
                }

                if (m.IsRequest)
                {
                    var output = new ArrayBufferWriter<byte>();
                    SipResponseBuilder.Write(m, 200, default, "t"u8, output);
                    var answer = SipParser.ParseStream(output.WrittenSpan);
                    Assert.True(answer.Status == SipParseStatus.Message, answer.ToString());
                    answer.Message!.Dispose();

                    // A proxy's usual edits keep the message valid and stream-framable.
                    using var editor = new SipMessageEditor();
                    editor.Begin(m);
                    editor.PushVia("SIP/2.0/TCP p.example.net;branch=z9hG4bKf"u8);
                    editor.InsertRecordRoute("<sip:p.example.net;lr>"u8);
                    editor.DecrementMaxForwards();
                    editor.PopRoute();
                    editor.EnsureContentLength();
                    var forwarded = editor.ToArray();
                    var again = SipParser.ParseStream(forwarded);
                    Assert.True(again.Status == SipParseStatus.Message, again.ToString());
                    Assert.Equal(forwarded.Length, again.Consumed);
                    again.Message!.Dispose();
                }

                // The two entry points agree on a message framed by Content-Length.
                if (m.ContentLength >= 0)
                {
                    var other = stream ? SipParser.ParseDatagram(m.Span) : SipParser.ParseStream(m.Span);
                    Assert.True(other.Status == SipParseStatus.Message, other.ToString());
                    Assert.Equal(m.Length, other.Message!.Length);
                    other.Message.Dispose();
                }

                break;

            case SipParseStatus.Rejected:
                Assert.NotEqual(SipRejectionReason.None, result.Rejection.Reason);
                Assert.InRange(result.Rejection.Offset, 0, input.Length);
                if (result.Rejection.Action == SipRejectionAction.Reject)
                {
                    Assert.NotNull(result.Message);
                    Assert.True(result.Message!.HasUsableTopVia);
                    CheckIndex(result.Message);
                    var output = new ArrayBufferWriter<byte>();
                    SipResponseBuilder.WriteRejection(result.Message, result.Rejection, output);
                    Assert.True(output.WrittenCount > 0);
                }
                else
                {
                    Assert.Null(result.Message);
                }

                break;
        }
    }

    private static void CheckIndex(SipMessage m)
    {
        var length = m.Length;
        foreach (var h in m.Headers)
        {
            Assert.InRange(h.Line.Start, 0, length);
            Assert.InRange(h.Line.End, h.Line.Start, length);
            Assert.InRange(h.Value.Start, h.Line.Start, h.Line.End);
            Assert.InRange(h.Value.End, h.Value.Start, h.Line.End);
            _ = m.GetValue(h);
        }

        foreach (var r in new[] { m.CallIdRange, m.FromTagRange, m.ToTagRange, m.TopViaBranchRange, m.TopViaSentByRange, m.CSeqMethodRange, m.RequestUriRange })
        {
            Assert.InRange(r.End, r.Start, length);
        }
    }
}
