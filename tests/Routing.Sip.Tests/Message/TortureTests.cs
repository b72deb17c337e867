using System.Buffers;
using Routing.Sip.Message;
using R = Routing.Sip.Message.SipRejectionReason;

namespace Routing.Sip.Tests.Message;

/// <summary>
/// RFC 4475 §3 and RFC 5118 §4: every torture message with the verdict its RFC gives, for a proxy's parser. Each
/// message is parsed as a datagram, as a stream (contiguous and one byte per segment), and as every strict prefix.
/// </summary>
public class TortureTests
{
    public enum Outcome
    {
        Accept,
        Reject,
        Drop,
        NeedMore,
    }

    public sealed record Verdict(Outcome Outcome, R Reason = R.None, int? Status = null)
    {
        public static readonly Verdict Accept = new(Outcome.Accept);

        public static Verdict Reject(R reason, int status) => new(Outcome.Reject, reason, status);

        public static Verdict Drop(R reason) => new(Outcome.Drop, reason);
    }

    public sealed record Case(string Name, string Section, Verdict Datagram, Verdict? Stream = null)
    {
        public Verdict StreamVerdict => Stream ?? Datagram;
    }

    private static readonly Verdict Ok = Verdict.Accept;

    public static readonly IReadOnlyDictionary<string, Case> Cases = new[]
    {
        // RFC 4475 §3.1.1: valid messages.
        new Case("rfc4475/wsinv", "3.1.1.1", Ok),
        new Case("rfc4475/intmeth", "3.1.1.2", Ok),
        new Case("rfc4475/esc01", "3.1.1.3", Ok),
        new Case("rfc4475/escnull", "3.1.1.4", Ok),
        new Case("rfc4475/esc02", "3.1.1.5", Ok),
        new Case("rfc4475/lwsdisp", "3.1.1.6", Ok),
        new Case("rfc4475/longreq", "3.1.1.7", Ok),
        new Case("rfc4475/dblreq", "3.1.1.8", Ok),
        new Case("rfc4475/semiuri", "3.1.1.9", Ok),
        new Case("rfc4475/transports", "3.1.1.10", Ok),
        new Case("rfc4475/mpart01", "3.1.1.11", Ok),
        new Case("rfc4475/unreason", "3.1.1.12", Ok),
        new Case("rfc4475/noreason", "3.1.1.13", Ok),

        // RFC 4475 §3.1.2: invalid messages.
        new Case("rfc4475/badinv01", "3.1.2.1", Verdict.Reject(R.InvalidVia, 400)),
        new Case("rfc4475/clerr", "3.1.2.2", Verdict.Reject(R.ContentLengthExceedsDatagram, 400), new Verdict(Outcome.NeedMore)),
        new Case("rfc4475/ncl", "3.1.2.3", Verdict.Reject(R.InvalidContentLength, 400)),
        new Case("rfc4475/scalar02", "3.1.2.4", Verdict.Reject(R.InvalidCSeq, 400)),
        new Case("rfc4475/scalarlg", "3.1.2.5", Verdict.Drop(R.InvalidCSeq)),
        new Case("rfc4475/quotbal", "3.1.2.6", Verdict.Reject(R.InvalidTo, 400)),
        new Case("rfc4475/ltgtruri", "3.1.2.7", Verdict.Reject(R.InvalidRequestUri, 400)),
        new Case("rfc4475/lwsruri", "3.1.2.8", Verdict.Reject(R.InvalidStartLine, 400)),
        new Case("rfc4475/lwsstart", "3.1.2.9", Verdict.Reject(R.InvalidStartLine, 400)),
        new Case("rfc4475/trws", "3.1.2.10", Verdict.Reject(R.InvalidStartLine, 400)),
        new Case("rfc4475/escruri", "3.1.2.11", Verdict.Reject(R.RequestUriHasHeaders, 400)),

        // §3.1.2.12: a proxy need not look at Date; it is parsed on demand only.
        new Case("rfc4475/baddate", "3.1.2.12", Ok),
        new Case("rfc4475/regbadct", "3.1.2.13", Verdict.Reject(R.InvalidContact, 400)),
        new Case("rfc4475/badaspec", "3.1.2.14", Verdict.Reject(R.InvalidTo, 400)),
        new Case("rfc4475/baddn", "3.1.2.15", Verdict.Reject(R.InvalidFrom, 400)),
        new Case("rfc4475/badvers", "3.1.2.16", Verdict.Reject(R.UnsupportedVersion, 505)),
        new Case("rfc4475/mismatch01", "3.1.2.17", Verdict.Reject(R.CSeqMethodMismatch, 400)),
        new Case("rfc4475/mismatch02", "3.1.2.18", Verdict.Reject(R.CSeqMethodMismatch, 400)),
        new Case("rfc4475/bigcode", "3.1.2.19", Verdict.Drop(R.InvalidStatusCode)),

        // §3.2.1: a bare magic cookie is a parseable branch; the transaction layer falls back to RFC 2543 matching.
        new Case("rfc4475/badbranch", "3.2.1", Ok),

        // RFC 4475 §3.3: application-layer semantics.
        new Case("rfc4475/insuf", "3.3.1", Verdict.Reject(R.MissingRequiredHeader, 400)),
        new Case("rfc4475/unkscm", "3.3.2", Verdict.Reject(R.UnsupportedUriScheme, 416)),
        new Case("rfc4475/novelsc", "3.3.3", Verdict.Reject(R.UnsupportedUriScheme, 416)),
        new Case("rfc4475/unksm2", "3.3.4", Ok),

        // §3.3.5: well-formed; the 420 comes from SipMessageChecks (see SipMessageChecksTests).
        new Case("rfc4475/bext01", "3.3.5", Ok),
        new Case("rfc4475/invut", "3.3.6", Ok),
        new Case("rfc4475/regaut01", "3.3.7", Ok),
        new Case("rfc4475/multi01", "3.3.8", Verdict.Reject(R.DuplicateSingletonHeader, 400)),
        new Case("rfc4475/mcl01", "3.3.9", Verdict.Reject(R.MultipleContentLength, 400)),
        new Case("rfc4475/bcast", "3.3.10", Ok),
        new Case("rfc4475/zeromf", "3.3.11", Ok),
        new Case("rfc4475/cparam01", "3.3.12", Ok),
        new Case("rfc4475/cparam02", "3.3.13", Ok),
        new Case("rfc4475/regescrt", "3.3.14", Ok),
        new Case("rfc4475/sdp01", "3.3.15", Ok),

        // §3.4.1: RFC 2543 syntax, no Content-Length: fine in a datagram (RFC 3261 §18.3), unframeable on a stream.
        new Case("rfc4475/inv2543", "3.4.1", Ok, Verdict.Reject(R.MissingContentLength, 400)),

        // RFC 5118 §4.
        new Case("rfc5118/ipv6-good", "4.1", Ok),
        new Case("rfc5118/ipv6-bad", "4.2", Verdict.Reject(R.InvalidRequestUri, 400)),
        new Case("rfc5118/port-ambiguous", "4.3", Ok),
        new Case("rfc5118/port-unambiguous", "4.4", Ok),
        new Case("rfc5118/via-received-param-with-delim", "4.5", Ok),
        new Case("rfc5118/via-received-param-no-delim", "4.5", Ok),
        new Case("rfc5118/ipv6-in-sdp", "4.6", Ok),
        new Case("rfc5118/mult-ip-in-header", "4.7", Ok),
        new Case("rfc5118/mult-ip-in-sdp", "4.8", Ok),
        new Case("rfc5118/ipv4-mapped-ipv6", "4.9", Ok),
        new Case("rfc5118/ipv6-correct-abnf-2-colons", "4.10", Ok),

        // RFC 5118 §4.10 asks for robustness: the RFC 3261 ABNF bug (RFC 5954) produced such references.
        new Case("rfc5118/ipv6-bug-abnf-3-colons", "4.10", Ok),
    }.ToDictionary(c => c.Name);

    /// <summary>(RFC section, corpus name) pairs, so that every test case names the section it checks.</summary>
    public static TheoryData<string, string> CaseNames
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var c in Cases.Values)
            {
                data.Add((c.Name.StartsWith("rfc4475", StringComparison.Ordinal) ? "RFC 4475 §" : "RFC 5118 §") + c.Section, c.Name);
            }

            return data;
        }
    }

    [Fact]
    public void Corpus_EveryTortureFile_HasAVerdict()
    {
        var files = Corpus.Names("rfc4475").Concat(Corpus.Names("rfc5118")).Select(n => n[..^4]).Order().ToArray();

        Assert.Equal(Cases.Keys.Order().ToArray(), files);
        Assert.Equal(49, Corpus.Names("rfc4475").Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void TortureMessage_AsDatagram_GetsTheRfcVerdict(string section, string name)
    {
        Assert.Equal(Cases[name].Section, section[(section.IndexOf('§', StringComparison.Ordinal) + 1)..]);
        var c = Cases[name];
        var result = SipParser.ParseDatagram(Corpus.Load(name));
        try
        {
            AssertVerdict(c.Datagram, result);
        }
        finally
        {
            result.Message?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void TortureMessage_AsStream_GetsTheRfcVerdict(string section, string name)
    {
        Assert.Equal(Cases[name].Section, section[(section.IndexOf('§', StringComparison.Ordinal) + 1)..]);
        var c = Cases[name];
        var bytes = Corpus.Load(name);
        var whole = SipParser.ParseStream(new ReadOnlySequence<byte>(bytes));
        var split = SipParser.ParseStream(Corpus.OneBytePerSegment(bytes));
        try
        {
            AssertVerdict(c.StreamVerdict, whole);
            AssertVerdict(c.StreamVerdict, split);
            Assert.Equal(whole.Consumed, split.Consumed);
            Assert.Equal(whole.Rejection, split.Rejection);
            if (whole.Message is not null)
            {
                Assert.True(whole.Message.Span.SequenceEqual(split.Message!.Span));
            }
        }
        finally
        {
            whole.Message?.Dispose();
            split.Message?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void TortureMessage_EveryStrictPrefixOnAStream_NeedsMoreDataOrGivesTheSameRejection(string section, string name)
    {
        Assert.Equal(Cases[name].Section, section[(section.IndexOf('§', StringComparison.Ordinal) + 1)..]);
        var c = Cases[name];
        var bytes = Corpus.Load(name);
        var full = SipParser.ParseStream(bytes);
        var end = full.Status is SipParseStatus.Message or SipParseStatus.Rejected && full.Consumed > 0 ? (int)full.Consumed : bytes.Length;
        full.Message?.Dispose();
        var segmented = Corpus.OneBytePerSegment(bytes);
        for (var len = 0; len < end; len++)
        {
            var contiguous = SipParser.ParseStream(bytes.AsSpan(0, len));
            var split = SipParser.ParseStream(segmented.Slice(0, len));
            try
            {
                if (c.StreamVerdict.Outcome is Outcome.Accept or Outcome.NeedMore)
                {
                    Assert.True(contiguous.Status == SipParseStatus.NeedMoreData, $"prefix {len}: {contiguous}");
                }
                else
                {
                    Assert.True(
                        contiguous.Status == SipParseStatus.NeedMoreData || contiguous.Rejection.Reason == c.StreamVerdict.Reason,
                        $"prefix {len}: {contiguous}");
                }

                Assert.Equal(contiguous.Status, split.Status);
                Assert.Equal(contiguous.Rejection, split.Rejection);
            }
            finally
            {
                contiguous.Message?.Dispose();
                split.Message?.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void TortureMessage_EveryPrefixAsDatagram_NeverThrowsAndIsNeverLongerThanItsInput(string section, string name)
    {
        Assert.StartsWith("RFC ", section, StringComparison.Ordinal);
        var bytes = Corpus.Load(name);
        for (var len = 0; len <= bytes.Length; len++)
        {
            var result = SipParser.ParseDatagram(bytes.AsSpan(0, len));
            if (result.Message is { } m)
            {
                Assert.True(m.Length <= len);
                m.Dispose();
            }
        }
    }

    [Fact]
    public void Rfc4475_3_1_1_1_ShortTortuousInvite_IndexesFoldedAndCompactHeaders()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/wsinv")).Message!;

        Assert.Equal(68, m.MaxForwards);
        Assert.Equal(9, m.CSeqNumber);
        Assert.Equal("INVITE"u8.ToArray(), m.CSeqMethod.ToArray());
        Assert.Equal("1918181833n"u8.ToArray(), m.ToTag.ToArray());
        Assert.Equal("98asjd8"u8.ToArray(), m.FromTag.ToArray());
        Assert.Equal("390skdjuw"u8.ToArray(), m.TopViaBranch.ToArray());
        Assert.Equal("192.0.2.2"u8.ToArray(), m.TopViaSentBy.ToArray());
        Assert.Equal("UDP"u8.ToArray(), m.TopViaTransport.ToArray());
        Assert.Equal(2, m.CountOf(SipHeaderId.Via));
        var vias = 0;
        foreach (var _ in m.EnumerateValues(SipHeaderId.Via))
        {
            vias++;
        }

        Assert.Equal(3, vias);
        Assert.Equal(1, m.CountOf(SipHeaderId.Contact));
        Assert.Equal(1, m.CountOf(SipHeaderId.Subject));
        Assert.True(m.TryGetValue("newfangledheader"u8, out var unknown));
        Assert.Equal("newfangled value\r\n continued newfangled value"u8.ToArray(), unknown.ToArray());
        Assert.Equal(150, m.Body.Length);
    }

    [Fact]
    public void Rfc4475_3_1_1_2_WideRangeOfValidCharacters_KeepsUnknownMethodAndHeaderBytes()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/intmeth")).Message!;

        Assert.Equal(SipMethod.Extension, m.Method);
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~"u8.ToArray(), m.MethodBytes.ToArray());
        Assert.Equal("_token~1'+`*%!-."u8.ToArray(), m.FromTag.ToArray());
        Assert.True(m.TryGetValue("extensionHeader-!.%*+_`'~"u8, out var value));
        Assert.Equal([0xEF, 0xBB, 0xBF], value[..3].ToArray());
    }

    [Fact]
    public void Rfc4475_3_1_1_5_PercentNotAnEscape_HeaderNameWithPercentIsAnUnknownHeader()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/esc02")).Message!;

        Assert.Equal(SipMethod.Extension, m.Method);
        Assert.Equal(2, m.CountOf(SipHeaderId.Contact));
        Assert.True(m.TryGetValue("C%6Fntact"u8, out var value));
        Assert.Equal("<sip:alias2@host2.example.com>"u8.ToArray(), value.ToArray());
        Assert.Equal("z9hG4bK209%fzsnel234"u8.ToArray(), m.TopViaBranch.ToArray());
    }

    [Fact]
    public void Rfc4475_3_1_1_7_LongValues_AllThirtyFourViasIndexed()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/longreq")).Message!;

        Assert.Equal(34, m.CountOf(SipHeaderId.Via));
        Assert.Equal("sip33.example.com"u8.ToArray(), m.TopViaSentBy.ToArray());
        Assert.Equal(179, m.FromTag.Length);
    }

    [Fact]
    public void Rfc4475_3_1_1_8_ExtraTrailingOctetsInUdp_AreIgnored()
    {
        var bytes = Corpus.Load("rfc4475/dblreq");
        var result = SipParser.ParseDatagram(bytes);
        using var m = result.Message!;

        Assert.Equal(SipMethod.Register, m.Method);
        Assert.Equal(bytes.Length, result.Consumed);
        Assert.True(m.Length < bytes.Length);
        Assert.True(m.Span.EndsWith("Content-Length: 0\r\n\r\n"u8));
    }

    [Fact]
    public void Rfc4475_3_1_1_8_TwoMessagesOnAStream_AreFramedOneAfterTheOther()
    {
        var bytes = Corpus.Load("rfc4475/dblreq");
        var first = SipParser.ParseStream(bytes);
        first.Message!.Dispose();

        // The RFC's datagram has an extra CRLF between the messages: on a stream that is a keep-alive pong.
        var rest = bytes.AsSpan((int)first.Consumed);
        var alive = SipParser.ParseStream(rest);
        Assert.Equal(SipParseStatus.KeepAlive, alive.Status);
        var second = SipParser.ParseStream(rest[(int)alive.Consumed..]);

        Assert.Equal(SipParseStatus.Message, second.Status);
        Assert.Equal(SipMethod.Invite, second.Message!.Method);
        second.Message.Dispose();
    }

    [Fact]
    public void Rfc4475_3_1_1_12_UnusualReasonPhrase_IsKeptAsUtf8()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/unreason")).Message!;

        Assert.Equal(200, m.StatusCode);
        Assert.StartsWith("= 2**3 * 5**2 но сто", m.GetString(m.ReasonPhraseRange), StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc4475_3_1_1_13_EmptyReasonPhrase_IsAccepted()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/noreason")).Message!;

        Assert.Equal(100, m.StatusCode);
        Assert.Equal(0, m.ReasonPhraseRange.Length);
    }

    [Fact]
    public void Rfc4475_3_3_1_MissingRequiredHeaders_RejectedRequestStillAnswerable()
    {
        var result = SipParser.ParseDatagram(Corpus.Load("rfc4475/insuf"));
        using var m = result.Message!;
        var output = new ArrayBufferWriter<byte>();

        SipResponseBuilder.WriteRejection(m, result.Rejection, output);

        var text = System.Text.Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.StartsWith("SIP/2.0 400 Missing Required Header\r\nCSeq: 193942 INVITE\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc4475_3_3_11_MaxForwardsZero_IsParsedAsZero()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc4475/zeromf")).Message!;

        Assert.Equal(0, m.MaxForwards);
    }

    [Fact]
    public void Rfc5118_4_5_ReceivedWithBrackets_TopViaIsUsable()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc5118/via-received-param-with-delim")).Message!;

        Assert.Equal("[2001:db8::9:1]"u8.ToArray(), m.TopViaSentBy.ToArray());
        Assert.Equal("z9hG4bKas3-111"u8.ToArray(), m.TopViaBranch.ToArray());
    }

    [Fact]
    public void Rfc5118_4_9_Ipv4MappedIpv6_SentByKeepsPort()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc5118/ipv4-mapped-ipv6")).Message!;

        Assert.Equal("[::ffff:192.0.2.10]:19823"u8.ToArray(), m.TopViaSentBy.ToArray());
    }

    private static void AssertVerdict(Verdict expected, SipParseResult result)
    {
        switch (expected.Outcome)
        {
            case Outcome.Accept:
                Assert.True(result.Status == SipParseStatus.Message, result.ToString());
                break;
            case Outcome.NeedMore:
                Assert.Equal(SipParseStatus.NeedMoreData, result.Status);
                break;
            case Outcome.Reject:
                Assert.True(result.Status == SipParseStatus.Rejected, result.ToString());
                Assert.Equal(expected.Reason, result.Rejection.Reason);
                Assert.Equal(SipRejectionAction.Reject, result.Rejection.Action);
                Assert.Equal(expected.Status, result.Rejection.StatusCode);
                Assert.NotNull(result.Message);
                break;
            case Outcome.Drop:
                Assert.True(result.Status == SipParseStatus.Rejected, result.ToString());
                Assert.Equal(expected.Reason, result.Rejection.Reason);
                Assert.Equal(SipRejectionAction.Drop, result.Rejection.Action);
                Assert.Null(result.Rejection.StatusCode);
                Assert.Null(result.Message);
                break;
        }
    }
}
