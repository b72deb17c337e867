using System.Diagnostics.Metrics;

namespace Routing.Sip.Transport;

/// <summary>
/// Observable counters of the node's listeners, meter <c>Routing.Sip.Transport</c>: connections closed by the node by
/// cause (oversize/unframeable, idle, per-address limit, TLS handshake refused), open connections, keep-alives and
/// STUN bindings answered. Read only when scraped.
/// </summary>
public sealed class SipTransportMetrics : IDisposable
{
    public const string MeterName = "Routing.Sip.Transport";

    private readonly Meter _meter = new(MeterName);

    public SipTransportMetrics(IReadOnlyList<UdpSipListener> udp, IReadOnlyList<TcpSipListener> streams, SipFlowTable flows)
    {
        ArgumentNullException.ThrowIfNull(udp);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(flows);
        _meter.CreateObservableCounter("sip.connections.closed", () => Closed(streams), null,
            "TCP/TLS connections the node closed, by transport and cause");
        _meter.CreateObservableGauge("sip.connections.open", () => flows.ConnectionCount, null, "Open TCP/TLS connections (inbound and outbound)");
        _meter.CreateObservableCounter("sip.keepalives.received", () => Sum(udp, static u => u.KeepAlives), null,
            "UDP keep-alives (CRLF and STUN) received on SIP ports");
        _meter.CreateObservableCounter("sip.stun.bindings", () => Sum(udp, static u => u.StunBindings), null,
            "STUN Binding requests answered on SIP ports (RFC 5626 §4.4.2)");
    }

    private static IEnumerable<Measurement<long>> Closed(IReadOnlyList<TcpSipListener> streams)
    {
        foreach (var cause in Enum.GetValues<StreamCloseCause>())
        {
            foreach (var transport in new[] { SipTransportKind.Tcp, SipTransportKind.Tls })
            {
                long sum = 0;
                var any = false;
                foreach (var s in streams)
                {
                    if (s.Transport == transport)
                    {
                        sum += s.Closed(cause);
                        any = true;
                    }
                }

                if (any)
                {
                    yield return new Measurement<long>(sum,
                        new KeyValuePair<string, object?>("transport", transport == SipTransportKind.Tcp ? "tcp" : "tls"),
                        new KeyValuePair<string, object?>("cause", cause.ToString()));
                }
            }
        }
    }

    private static long Sum(IReadOnlyList<UdpSipListener> udp, Func<UdpSipListener, long> read)
    {
        long sum = 0;
        foreach (var u in udp)
        {
            sum += read(u);
        }

        return sum;
    }

    public void Dispose() => _meter.Dispose();
}
