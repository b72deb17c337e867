using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Benchmarks.Transactions;
using Routing.Edge;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Benchmarks.Transport;

/// <summary>
/// The edge's UDP receive path without the socket: datagram bytes -> parse -> server transaction -> response built
/// (received/rport, To tag) and handed to the sender -> Timer J expiry. Per request.
/// </summary>
[MemoryDiagnoser]
public class EdgeUdpPathBenchmarks
{
    private const int Batch = 1000;

    private readonly NullSender _sender = new();
    private byte[][] _datagrams = [];
    private byte[][] _rportDatagrams = [];
    private ManualTimeProvider _clock = null!;
    private SipEdge _edge = null!;
    private EdgeMetrics _metrics = null!;
    private SipInboundContext _context;

    [GlobalSetup]
    public void Setup()
    {
        _clock = new ManualTimeProvider();
        _metrics = new EdgeMetrics();
        _edge = new SipEdge(new EdgeOptions(), _metrics, NullLogger<SipEdge>.Instance, new EdgeRuntime { TimeProvider = _clock });
        var local = new IPEndPoint(IPAddress.Loopback, 5060);
        _context = new SipInboundContext(SipTransportKind.Udp, local, new IPEndPoint(IPAddress.Loopback, 40000), _sender);
        _datagrams = new byte[Batch][];
        _rportDatagrams = new byte[Batch][];
        for (var i = 0; i < Batch; i++)
        {
            _datagrams[i] = Options(i, "127.0.0.1:40000;branch=z9hG4bK-bench-");
            _rportDatagrams[i] = Options(i, "10.1.2.3:5060;rport;branch=z9hG4bK-nat-");
        }
    }

    private static byte[] Options(int i, string via) => Encoding.ASCII.GetBytes(
        $"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP {via}{i:x8}\r\nMax-Forwards: 70\r\n" +
        $"From: \"bench\" <sip:bench@127.0.0.1>;tag=ft{i}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: bench-{i}@127.0.0.1\r\n" +
        "CSeq: 1 OPTIONS\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n");

    [GlobalCleanup]
    public void Cleanup() => _metrics.Dispose();

    /// <summary>OPTIONS in, 200 with capabilities out, transaction expired by Timer J.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long ParseTransactionRespondExpire() => Run(_datagrams, retransmit: false);

    /// <summary>As above from behind a NAT: received and rport added to the Via the response copies (RFC 3581).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long ParseTransactionRespondExpireWithRport() => Run(_rportDatagrams, retransmit: false);

    /// <summary>Each OPTIONS arrives twice: the second is absorbed and the stored 200 re-sent.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long RequestPlusAbsorbedRetransmission() => Run(_datagrams, retransmit: true);

    private long Run(byte[][] datagrams, bool retransmit)
    {
        for (var i = 0; i < datagrams.Length; i++)
        {
            _edge.Handle(SipParser.ParseDatagram(datagrams[i]), _context);
            if (retransmit)
            {
                _edge.Handle(SipParser.ParseDatagram(datagrams[i]), _context);
            }
        }

        _clock.Advance(TimeSpan.FromSeconds(33));
        _edge.Tick();
        return _sender.Sent;
    }

    private sealed class NullSender : ISipSender
    {
        public long Sent { get; private set; }

        public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination)
        {
            Sent += message.Length;
            return true;
        }
    }
}
