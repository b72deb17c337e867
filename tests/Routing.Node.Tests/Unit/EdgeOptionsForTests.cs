using System.Net;
using Routing.Node.Configuration;
using Routing.Node.Hosting;

namespace Routing.Node.Tests.Unit;

public class EdgeOptionsForTests
{
    private static readonly NodeIdentity Identity = new("id", "/tmp", "token", null, "1.2.3+abcdef");

    [Fact]
    public void ListenerAddressesDomainsAndLoopback_AreTheNodesNames()
    {
        var o = new NodeOptions();
        o.Sip.Listen = [new(SipListenTransport.Udp, IPEndPoint.Parse("192.0.2.10:5060"))];
        o.Sip.Domains = ["example.com"];

        var edge = NodeHost.EdgeOptionsFor(o, Identity);

        Assert.Contains("192.0.2.10", edge.LocalHosts);
        Assert.Contains("127.0.0.1", edge.LocalHosts);
        Assert.Contains("localhost", edge.LocalHosts);
        Assert.Equal(["example.com"], edge.Domains);
    }

    [Fact]
    public void WildcardListener_AddsEveryInterfaceAddress()
    {
        var o = new NodeOptions();
        o.Sip.Listen = [new(SipListenTransport.Udp, new IPEndPoint(IPAddress.Any, 5060))];

        var edge = NodeHost.EdgeOptionsFor(o, Identity);

        Assert.DoesNotContain("0.0.0.0", edge.LocalHosts);
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var a in nic.GetIPProperties().UnicastAddresses)
            {
                Assert.Contains(a.Address.ToString(), edge.LocalHosts);
            }
        }
    }

    [Fact]
    public void ServerName_VersionWithoutBuildMetadata()
    {
        var edge = NodeHost.EdgeOptionsFor(new NodeOptions(), Identity);

        Assert.Equal("routing-cluster/1.2.3", edge.ServerName);
    }
}
