using Routing.Edge.Proxy;
using static Routing.Edge.Tests.Proxy.ProxyTestMessages;

namespace Routing.Edge.Tests.Proxy;

public sealed class RoutePlanTests
{
    [Fact]
    public void Rfc3261_16_4_OwnTopRoute_PoppedWithDialogKey()
    {
        using var m = Parse(Invite("sip:bob@10.0.0.2:5060", "Route: <sip:sip.example.net;lr;dlg=abc>, <sip:next.example.org;lr>\n"));
        var plan = RoutePlan.For(m, Settings);
        Assert.Equal(RoutePlanError.None, plan.Error);
        Assert.Equal("abc", plan.DialogKey);
        Assert.Equal(["<sip:next.example.org;lr>"], plan.Routes);
        Assert.Equal(NextHopKind.Route, plan.NextHop);
        Assert.Null(plan.RequestUri);
    }

    [Fact]
    public void Rfc5658_DoubleRecordRoute_BothOwnEntriesRemoved()
    {
        using var m = Parse(Invite("sip:bob@10.0.0.2", "Route: <sip:sip.example.net;transport=tcp;lr;dlg=k>, <sip:127.0.0.1;lr;dlg=k>\n"));
        var plan = RoutePlan.For(m, Settings);
        Assert.Equal(2, plan.OwnEntriesRemoved);
        Assert.Empty(plan.Routes);
        Assert.Equal(NextHopKind.RequestUri, plan.NextHop);
    }

    [Fact]
    public void Rfc3261_16_4_StrictRouterPutOurUriInRequestUri_LastRouteBecomesRequestUri()
    {
        using var m = Parse(Invite("sip:sip.example.net;lr;dlg=k9", "Route: <sip:bob@10.0.0.2:5070>\n"));
        var plan = RoutePlan.For(m, Settings);
        Assert.Equal("sip:bob@10.0.0.2:5070", plan.RequestUri);
        Assert.Empty(plan.Routes);
        Assert.Equal("k9", plan.DialogKey);
    }

    [Fact]
    public void Rfc3261_16_6_Step6_StrictNextHop_RequestUriMovedToEndOfRoute()
    {
        using var m = Parse(Invite("sip:bob@example.com", "Route: <sip:strict.example.org>, <sip:other.example.org;lr>\n"));
        var plan = RoutePlan.For(m, Settings);
        Assert.Equal("sip:strict.example.org", plan.RequestUri);
        Assert.Equal(["<sip:other.example.org;lr>", "<sip:bob@example.com>"], plan.Routes);
    }

    [Fact]
    public void Rfc3261_16_4_UserAtOurAddress_NotTakenForOurRoute()
    {
        using var m = Parse(Invite("sip:bob@127.0.0.1"));
        var plan = RoutePlan.For(m, Settings);
        Assert.Null(plan.RequestUri);
        Assert.Equal(NextHopKind.RequestUri, plan.NextHop);
    }
}
