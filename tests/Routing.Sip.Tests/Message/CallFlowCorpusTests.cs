using System.Buffers;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

/// <summary>RFC 3665 call-flow messages and mobile captures: valid, whole, one byte per segment and as every prefix.</summary>
public class CallFlowCorpusTests
{
    public static TheoryData<string> Names => [.. Corpus.Names("rfc3665").Concat(Corpus.Names("mobile")).Select(n => n[..^4])];

    [Theory]
    [MemberData(nameof(Names))]
    public void CallFlowMessage_AsDatagramAndStream_IsAcceptedWhole(string name)
    {
        var bytes = Corpus.Load(name);
        var datagram = SipParser.ParseDatagram(bytes);
        var stream = SipParser.ParseStream(new ReadOnlySequence<byte>(bytes));
        var split = SipParser.ParseStream(Corpus.OneBytePerSegment(bytes));
        try
        {
            Assert.True(datagram.Status == SipParseStatus.Message, datagram.ToString());
            Assert.True(stream.Status == SipParseStatus.Message, stream.ToString());
            Assert.True(split.Status == SipParseStatus.Message, split.ToString());
            Assert.Equal(bytes.Length, stream.Consumed);
            Assert.Equal(bytes.Length, split.Consumed);
            Assert.True(split.Message!.Span.SequenceEqual(bytes));
        }
        finally
        {
            datagram.Message?.Dispose();
            stream.Message?.Dispose();
            split.Message?.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CallFlowMessage_EveryStrictPrefixOnAStream_NeedsMoreData(string name)
    {
        var bytes = Corpus.Load(name);
        var segmented = Corpus.OneBytePerSegment(bytes);
        for (var len = 0; len < bytes.Length; len++)
        {
            var contiguous = SipParser.ParseStream(bytes.AsSpan(0, len));
            var split = SipParser.ParseStream(segmented.Slice(0, len));
            Assert.True(contiguous.Status == SipParseStatus.NeedMoreData, $"prefix {len}: {contiguous}");
            Assert.Equal(SipParseStatus.NeedMoreData, split.Status);
        }
    }

    [Fact]
    public void Rfc3665_RegisterWithDigest_AuthorizationLocatedUpFront()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc3665/register-f3")).Message!;

        Assert.True(m.TryGetValue(SipHeaderId.Authorization, out var value));
        Assert.StartsWith("Digest username=\"bob\"", System.Text.Encoding.ASCII.GetString(value), StringComparison.Ordinal);
        Assert.Equal("sips:ss2.biloxi.example.com"u8.ToArray(), m.RequestUri.ToArray());
    }

    [Fact]
    public void Rfc3665_ProxiedInvite_ViasRecordRouteAndFoldedReceived()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("rfc3665/invite-f6-forwarded")).Message!;

        Assert.Equal(2, m.CountOf(SipHeaderId.Via));
        Assert.Equal("z9hG4bK2d4790.1"u8.ToArray(), m.TopViaBranch.ToArray());
        Assert.Equal(69, m.MaxForwards);
        Assert.Equal(1, m.CountOf(SipHeaderId.RecordRoute));
    }
}
