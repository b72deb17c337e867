using System.Net;
using System.Text;

namespace Routing.Edge.Tests;

public class RequestTargetTests
{
    private static readonly EdgeOptions Options = new() { LocalHosts = ["127.0.0.1", "node1.internal"], Domains = ["example.com"] };

    [Theory]
    [InlineData("sip:127.0.0.1:5060", RequestTarget.Node)]
    [InlineData("sip:service@127.0.0.1:5060", RequestTarget.Node)]
    [InlineData("sip:10.1.1.1;transport=tcp", RequestTarget.Node)]
    [InlineData("sip:NODE1.internal", RequestTarget.Node)]
    [InlineData("sip:example.com", RequestTarget.Node)]
    [InlineData("sips:alice@example.com", RequestTarget.LocalUser)]
    [InlineData("sip:alice@EXAMPLE.COM:5060;user=phone", RequestTarget.LocalUser)]
    [InlineData("sip:alice@elsewhere.net", RequestTarget.Foreign)]
    [InlineData("tel:+15551234567", RequestTarget.Foreign)]
    [InlineData("sip:bob@[2001:db8::1]:5060", RequestTarget.Foreign)]
    [InlineData("sip:alice;day=tuesday@example.com", RequestTarget.LocalUser)]
    [InlineData("sip:%61lice@example.com", RequestTarget.LocalUser)]
    public void Classify_RequestUri_Target(string uri, RequestTarget expected)
    {
        var target = RequestTargets.Classify(Encoding.ASCII.GetBytes(uri), IPAddress.Parse("192.0.2.1"), Options);

        Assert.Equal(expected, target);
    }

    [Fact]
    public void Classify_HostIsTheAddressTheMessageArrivedOn_Node()
    {
        var target = RequestTargets.Classify("sip:bob@192.0.2.1:5060"u8.ToArray(), IPAddress.Parse("192.0.2.1"), Options);

        Assert.Equal(RequestTarget.Node, target);
    }

    [Fact]
    public void Classify_Ipv6LocalHostInBrackets_Node()
    {
        var options = new EdgeOptions { LocalHosts = ["::1"] };

        var target = RequestTargets.Classify("sip:svc@[::1]:5060"u8.ToArray(), IPAddress.IPv6Any, options);

        Assert.Equal(RequestTarget.Node, target);
    }
}
