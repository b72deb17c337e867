using Routing.Sip.Headers;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class FromToHeaderTests
{
    [Fact]
    public void TryParse_FromWithTag_ExposesTag()
    {
        var from = Ok<FromToHeader>("\"Bob\" <sips:bob@biloxi.com>;tag=a48s");
        Assert.True(from.HasTag);
        Assert.Equal("a48s", S(from.Tag));
        Assert.Equal("bob", from.Uri.GetUser());
        Assert.Equal("Bob", from.Address.GetDisplayName());
    }

    [Fact]
    public void TryParse_ToWithoutTag_HasTagFalse()
    {
        var to = Ok<FromToHeader>("Bob <sip:bob@biloxi.com>");
        Assert.False(to.HasTag);
        Assert.True(to.Tag.IsEmpty);
    }

    [Fact]
    public void Rfc4475_3_1_2_15_BadDisplayName_Rejected()
    {
        Assert.Equal(SipHeaderError.InvalidDisplayName, Bad<FromToHeader>("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").Reason);
    }

    [Fact]
    public void Rfc4475_3_1_1_4_EscapedNullFrom_Accepted()
    {
        var from = Ok<FromToHeader>("sip:null-%00-null@example.com;tag=839923423");
        Assert.Equal("839923423", S(from.Tag));
        Assert.Equal("null-\0-null", from.Uri.GetUser());
    }
}
