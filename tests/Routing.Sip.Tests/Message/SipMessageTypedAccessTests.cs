using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

/// <summary>The message layer's up-front values agree with the header layer's typed values parsed on demand.</summary>
public class SipMessageTypedAccessTests
{
    [Theory]
    [MemberData(nameof(SipMessageEditorTests.AcceptedCorpus), MemberType = typeof(SipMessageEditorTests))]
    public void TypedAccess_AcceptedCorpusMessage_AgreesWithUpFrontValues(string name)
    {
        // The message layer accepts the RFC 3261-ABNF-bug reference "[2001:db8:::192.0.2.1]" (RFC 5118 §4.10,
        // robustness); the URI layer applies the corrected ABNF of RFC 5954 and refuses it when asked on demand.
        var strictUriRefuses = name == "rfc5118/ipv6-bug-abnf-3-colons";
        using var m = SipParser.ParseDatagram(Corpus.Load(name)).Message!;

        Assert.True(m.TryGetFrom(out var from));
        Assert.True(from.Tag.SequenceEqual(m.FromTag));
        if (strictUriRefuses)
        {
            Assert.False(m.TryGetTo(out _));
        }
        else
        {
            Assert.True(m.TryGetTo(out var to));
            Assert.True(to.Tag.SequenceEqual(m.ToTag));
        }

        Assert.True(m.TryGetCSeq(out var cseq));
        Assert.Equal(m.CSeqNumber, cseq.Number);
        Assert.True(cseq.Method.SequenceEqual(m.CSeqMethod));
        Assert.True(m.TryGetTopVia(out var via));
        Assert.True(via.Branch.SequenceEqual(m.TopViaBranch));
        if (m.IsRequest && strictUriRefuses)
        {
            Assert.False(m.TryGetRequestUri(out _));
        }
        else if (m.IsRequest)
        {
            Assert.True(m.TryGetRequestUri(out var uri));
            Assert.True(uri.Source.Span.SequenceEqual(m.RequestUri));
        }
    }

    [Fact]
    public void TryGetFirstValue_Contact_ReadsMobileInstanceAndRegId()
    {
        using var m = SipParser.ParseDatagram(Corpus.Load("mobile/register-ios-tcp")).Message!;

        Assert.True(m.TryGetFirstValue<Routing.Sip.Headers.ContactValue>(SipHeaderId.Contact, out var contact));
        Assert.Equal(1, contact.RegId);
    }
}
