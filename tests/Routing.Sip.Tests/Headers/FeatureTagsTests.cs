using Routing.Sip.Headers;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class FeatureTagsTests
{
    [Theory]
    [InlineData("audio", true)]
    [InlineData("VIDEO", true)]
    [InlineData("mobility", true)]
    [InlineData("methods", true)]
    [InlineData("+sip.video", true)]
    [InlineData("+g.3gpp.icsi-ref", true)]
    [InlineData("+sip.instance", false)]
    [InlineData("+", false)]
    [InlineData("expires", false)]
    [InlineData("q", false)]
    [InlineData("reg-id", false)]
    [InlineData("", false)]
    public void IsFeatureParameter_Rfc3840_9_BaseAndPlusTags(string name, bool expected)
    {
        Assert.Equal(expected, FeatureTags.IsFeatureParameter(B(name)));
    }

    [Fact]
    public void TryFind_NonFeatureParameterWithSameName_NotReturned()
    {
        Assert.False(FeatureTags.TryFind(B(";expires=60"), B("expires"), out _));
        Assert.True(FeatureTags.TryFind(B(";+sip.video;expires=60"), B("sip.video"), out var value));
        Assert.True(value.IsEmpty);
    }
}

public sealed class HeaderListEdgeTests
{
    [Fact]
    public void Default_List_EnumeratesNothing()
    {
        SipHeaderValueList<ViaHeader> list = default;
        Assert.Equal(0, list.Count);
        var count = 0;
        foreach (var unused in list)
        {
            count++;
        }

        Assert.Equal(0, count);
    }

    [Fact]
    public void TagWithoutValue_HasTagButEmptyTag()
    {
        var from = Ok<FromToHeader>("<sip:a@b.com>;tag");
        Assert.True(from.HasTag);
        Assert.True(from.Tag.IsEmpty);
    }

    [Fact]
    public void DuplicateTag_FirstWins()
    {
        Assert.Equal("1", S(Ok<FromToHeader>("<sip:a@b.com>;tag=1;tag=2").Tag));
    }

    [Fact]
    public void DuplicateBranch_FirstWins()
    {
        Assert.Equal("z9hG4bK1", S(Ok<ViaHeader>("SIP/2.0/UDP h.example.com;branch=z9hG4bK1;branch=z9hG4bK2").Branch));
    }

    [Fact]
    public void ValuesWithTrailingLineEnd_Accepted()
    {
        Assert.Equal("1", S(Ok<FromToHeader>("<sip:a@b.com>;tag=1\r\n").Tag));
        Assert.Equal("INVITE", S(Ok<CSeqHeader>("1 INVITE\r\n").Method));
        Assert.True(Ok<ViaHeader>("SIP/2.0/UDP h.example.com;rport \r\n").HasRport);
    }

    [Fact]
    public void BareLineEndInsideParameters_Rejected()
    {
        Assert.Equal(SipHeaderError.InvalidParameter, Bad<FromToHeader>("<sip:a@b.com>;tag=1\r\nx").Reason);
    }
}
