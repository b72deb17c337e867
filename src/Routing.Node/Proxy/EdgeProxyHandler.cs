using Microsoft.Extensions.DependencyInjection;
using Routing.Edge;
using Routing.Edge.Proxy;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Node.Proxy;

/// <summary>
/// Registers the proxy with the edge without a construction cycle (the proxy sends through the edge's
/// <see cref="ISipClient"/>, the edge asks its handlers): the proxy is resolved on first use.
/// </summary>
public sealed class EdgeProxyHandler(IServiceProvider services) : IEdgeRequestHandler, IEdgeAckHandler
{
    private ProxyHandler? _proxy;

    private ProxyHandler Proxy => _proxy ??= services.GetRequiredService<ProxyHandler>();

    public bool TryHandle(EdgeServerRequest request, RequestTarget target) => Proxy.TryHandle(request, target);

    public bool TryHandleAck(SipMessage ack, in SipInboundContext source, RequestTarget target) => Proxy.TryHandleAck(ack, source, target);
}
