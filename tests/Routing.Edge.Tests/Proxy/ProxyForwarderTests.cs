using Routing.Edge.Proxy;
using static Routing.Edge.Tests.Proxy.ProxyTestMessages;

namespace Routing.Edge.Tests.Proxy;

public sealed class ProxyForwarderTests
{
    [Fact]
    public void Rfc3261_16_6_ForwardToBinding_RequestUriMaxForwardsRecordRouteViaRoute()
    {
        using var m = Parse(Invite());
        var plan = RoutePlan.For(m, Settings);
        var rr = RecordRoute.ValueFor(Settings, "udp", "udp", RecordRoute.DialogKey(m.CallId));
        var spec = new ForwardSpec("sip:bob@10.0.0.2:5062", ["<sip:edge2.example.net;lr>"],
            ProxyForwarder.ViaValue("udp", "sip.example.net", "z9hG4bKrc0000000000000001.1"), rr, 30);
        var text = Forward(m, plan, spec);
        Assert.StartsWith("INVITE sip:bob@10.0.0.2:5062 SIP/2.0\r\nVia: SIP/2.0/UDP sip.example.net;branch=z9hG4bKrc0000000000000001.1;rport\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Max-Forwards: 69\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Record-Route: <sip:sip.example.net;lr;dlg=" + RecordRoute.DialogKey(m.CallId) + ">\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Route: <sip:edge2.example.net;lr>\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Max-Breadth: 30\r\n", text, StringComparison.Ordinal);
        Assert.Contains("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc5658_TransportChange_TwoRecordRouteEntriesCalleeFacingFirst()
    {
        var rr = RecordRoute.ValueFor(Settings, "tcp", "udp", "k");
        Assert.Equal("<sip:sip.example.net;lr;dlg=k>, <sip:sip.example.net;transport=tcp;lr;dlg=k>", rr);
    }

    [Fact]
    public void Rfc3261_16_4_OwnRouteRemovedOnForward()
    {
        using var m = Parse(Invite("sip:bob@10.0.0.2", "Route: <sip:sip.example.net;lr;dlg=k>\n"));
        var plan = RoutePlan.For(m, Settings);
        var text = Forward(m, plan, new ForwardSpec(null, [], ProxyForwarder.ViaValue("udp", "sip.example.net", "z9hG4bKrc1"), null, null));
        Assert.DoesNotContain("Route:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_16_7_Step3_ResponseLosesTopVia()
    {
        using var r = Parse("""
            SIP/2.0 180 Ringing
            Via: SIP/2.0/UDP sip.example.net;branch=z9hG4bKrc1, SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1
            From: <sip:alice@example.com>;tag=f1
            To: <sip:bob@example.com>;tag=t1
            Call-ID: c1@10.0.0.1
            CSeq: 1 INVITE
            Content-Length: 0


            """);
        using var editor = new Routing.Sip.Message.SipMessageEditor();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        ProxyResponses.WriteWithoutTopVia(r, editor, output);
        var text = System.Text.Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.Contains("Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("z9hG4bKrc1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rfc3261_22_3_ServedDomainFrom_ChallengedUnlessTrustedOrAuthNone()
    {
        using var m = Parse(Invite());
        var source = System.Net.IPAddress.Parse("10.0.0.1");
        Assert.Equal(ProxyAuthDecision.Challenge, ProxyAuthPolicy.Decide(m, source, Settings));
        var trusted = new ProxySettings { SignalingHost = "x", Domains = ["example.com"], TrustedPeers = [source] };
        Assert.Equal(ProxyAuthDecision.NotRequired, ProxyAuthPolicy.Decide(m, source, trusted));
        var none = new ProxySettings { SignalingHost = "x", Domains = ["example.com"], Authentication = ProxyAuthMode.None };
        Assert.Equal(ProxyAuthDecision.NotRequired, ProxyAuthPolicy.Decide(m, source, none));
        using var withCredentials = Parse(Invite(extra: "Proxy-Authorization: Digest username=\"alice\"\n"));
        Assert.Equal(ProxyAuthDecision.Verify, ProxyAuthPolicy.Decide(withCredentials, source, Settings));
    }
}
