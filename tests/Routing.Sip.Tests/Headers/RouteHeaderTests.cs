using Routing.Sip.Headers;
using Routing.Sip.Uri;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class RouteHeaderTests
{
    [Fact]
    public void TryParse_RecordRouteList_EnumeratesInOrder()
    {
        var list = OkList<RouteAddress>("<sip:p1.example.com;lr>, <sip:p2.example.com;lr;transport=tcp>;x=1,<sips:[2001:db8::1]:5061;lr>");
        Assert.Equal(3, list.Count);
        Assert.Equal("p1.example.com", S(list.First.Uri.Host));
        var hosts = new List<string>();
        var offsets = new List<int>();
        var e = list.GetEnumerator();
        while (e.MoveNext())
        {
            Assert.True(e.Current.IsLooseRouting);
            hosts.Add(e.Current.Uri.GetHost());
            offsets.Add(e.CurrentOffset);
        }

        Assert.Equal(["p1.example.com", "p2.example.com", "2001:db8::1"], hosts);
        Assert.Equal([0, 25, 67], offsets);
    }

    [Fact]
    public void Rfc4475_3_1_1_1_RouteWithUnknownParameters_Accepted()
    {
        var list = OkList<RouteAddress>("\r\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
        Assert.True(list.First.IsLooseRouting);
        Assert.True(list.First.Uri.HasParameter("unknown-no-value"u8));
    }

    [Fact]
    public void Rfc4475_3_4_1_Rfc2543RecordRouteWithMaddr_Accepted()
    {
        var list = OkList<RouteAddress>("<sip:UserB@example.com;maddr=ss1.example.com>");
        Assert.Equal("ss1.example.com", S(list.First.Uri.Maddr));
        Assert.False(list.First.IsLooseRouting);
    }

    [Fact]
    public void TryParse_RouteWithoutAngleBrackets_RejectsNameAddrRequired()
    {
        var rejection = BadList<RouteAddress>("<sip:p1.example.com;lr>, sip:p2.example.com");
        Assert.Equal(SipHeaderError.NameAddrRequired, rejection.Reason);
        Assert.Equal(25, rejection.Offset);
    }

    [Fact]
    public void TryParse_PathAndServiceRoute_SameGrammar()
    {
        var path = OkList<RouteAddress>("<sip:P3.EXAMPLEHOME.COM;lr>,<sip:P1.EXAMPLEVISITED.COM;lr>");
        Assert.Equal(2, path.Count);
        var serviceRoute = OkList<RouteAddress>("<sip:orig@scscf.example.com;lr>");
        Assert.Equal("orig", serviceRoute.First.Uri.GetUser());
    }

    [Fact]
    public void TryParse_PAssertedIdentity_AllowsAddrSpecAndTel()
    {
        var list = OkList<NameAddress>("\"Cullen Jennings\" <sip:fluffy@cisco.com>, tel:+14085264000");
        Assert.Equal(2, list.Count);
        var schemes = new List<SipUriScheme>();
        foreach (var id in list)
        {
            schemes.Add(id.Uri.Scheme);
        }

        Assert.Equal([SipUriScheme.Sip, SipUriScheme.Tel], schemes);
    }

    [Fact]
    public void TryParse_EmptyList_RejectsEmpty()
    {
        Assert.Equal(SipHeaderError.Empty, BadList<RouteAddress>(" , ").Reason);
    }

    [Fact]
    public void TryParse_BadUriInSecondElement_OffsetPointsIntoValue()
    {
        var rejection = BadList<RouteAddress>("<sip:a.example.com>, <sip:b.example.com:x>");
        Assert.Equal(SipHeaderError.InvalidUri, rejection.Reason);
        Assert.Equal(SipUriError.InvalidPort, rejection.UriError);
        Assert.Equal(40, rejection.Offset);
    }
}
