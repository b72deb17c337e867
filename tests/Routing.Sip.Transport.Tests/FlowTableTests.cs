using System.Net;
using Routing.Sip.Transport;

namespace Routing.Sip.Transport.Tests;

public sealed class FlowTableTests
{
    private sealed class Sender : ISipSender
    {
        public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination) => true;
    }

    [Fact]
    public void FindUdp_ManySockets_ReturnsTheFirstRegisteredOfTheFamily()
    {
        // A cluster member registers its own address first, then the shared one (SO_REUSEPORT): requests it sends
        // must carry its own Via so that the responses come back to it (RFC 3261 §18.2.2).
        var table = new SipFlowTable();
        var own = new Sender();
        table.AddUdp(new IPEndPoint(IPAddress.IPv6Loopback, 5070), new Sender());
        table.AddUdp(new IPEndPoint(IPAddress.Loopback, 5061), own);
        for (var port = 5062; port < 5100; port++)
        {
            table.AddUdp(new IPEndPoint(IPAddress.Loopback, port), new Sender());
        }

        Assert.Same(own, table.FindUdp(System.Net.Sockets.AddressFamily.InterNetwork, out var local));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5061), local);

        table.RemoveUdp(new IPEndPoint(IPAddress.Loopback, 5061));
        Assert.NotNull(table.FindUdp(System.Net.Sockets.AddressFamily.InterNetwork, out local));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5062), local);
        Assert.Null(table.FindUdp(System.Net.Sockets.AddressFamily.InterNetworkV6 + 1000, out local));
        Assert.Null(local);
    }
}
