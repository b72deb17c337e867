using Routing.Sip.Uri;
using static Routing.Sip.Tests.Uri.UriTestHelpers;

namespace Routing.Sip.Tests.Uri;

public sealed class SipUriBuilderTests
{
    [Fact]
    public void ToBytes_AllParts_SerialisesWithEscaping()
    {
        var builder = new SipUriBuilder("atlanta.com")
        {
            User = "alice smith@home",
            Password = "p w",
            Port = 5061,
        };
        builder.WithParameter("transport", "tcp").WithParameter("lr").WithHeader("Subject", "project x");
        Assert.Equal("sip:alice%20smith%40home:p%20w@atlanta.com:5061;transport=tcp;lr?Subject=project%20x", Str(builder.ToBytes()));
    }

    [Fact]
    public void Build_RoundTripsThroughParser()
    {
        var uri = new SipUriBuilder("2001:db8::1", SipUriScheme.Sips) { User = "bob" }.WithParameter("lr").Build();
        Assert.Equal(SipUriScheme.Sips, uri.Scheme);
        Assert.Equal(SipHostKind.IPv6, uri.HostKind);
        Assert.Equal("bob", uri.GetUser());
        Assert.True(uri.IsLooseRouting);
        Assert.Equal(Parse("sips:bob@[2001:db8::1];lr"), uri);
    }

    [Fact]
    public void Build_InvalidHost_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => new SipUriBuilder("bad host").Build());
    }

    [Fact]
    public void Constructor_TelScheme_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipUriBuilder("x.example.com", SipUriScheme.Tel));
    }

    [Fact]
    public void ToBytes_PercentInUser_IsEscapedSoDecodingGivesItBack()
    {
        var uri = new SipUriBuilder("h.example.com") { User = "100%" }.Build();
        Assert.Equal("100%", uri.GetUser());
    }
}
