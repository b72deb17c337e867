using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Tests.Transactions;

/// <summary>A TU that takes chosen methods and keeps the requests without answering, so tests answer them later.</summary>
internal sealed class HoldingHandler(params SipMethod[] methods) : IEdgeRequestHandler
{
    public List<EdgeServerRequest> Held { get; } = [];

    public bool HandlesCancel { get; init; }

    public bool TryHandle(EdgeServerRequest request, RequestTarget target)
    {
        if (Array.IndexOf(methods, request.Message.Method) < 0)
        {
            return false;
        }

        request.HandlesCancel = HandlesCancel;
        Held.Add(request);
        return true;
    }
}

/// <summary>Collects client transaction events as text, since the response messages die after the callback.</summary>
internal sealed class RecordingObserver : IClientTransactionObserver
{
    public List<string> Events { get; } = [];

    public List<string> Responses { get; } = [];

    public void OnEvent(ClientTransactionEvent transactionEvent)
    {
        switch (transactionEvent)
        {
            case ClientResponseReceived r:
                Events.Add("response " + r.StatusCode);
                Responses.Add(r.Response.ToString());
                break;
            case ClientTransactionFailed f:
                Events.Add("failed " + f.Reason);
                break;
            case ClientTransactionEnded:
                Events.Add("ended");
                break;
        }
    }
}

/// <summary>An edge on a fake clock, driven from the test thread, sending into a capturing UDP sender.</summary>
internal sealed class TransactionHarness : IDisposable
{
    public static readonly IPEndPoint Local = new(IPAddress.Parse("127.0.0.1"), 5060);
    public static readonly IPEndPoint Phone = new(IPAddress.Parse("127.0.0.1"), 40000);
    public static readonly byte[] Secret = Encoding.ASCII.GetBytes("cluster-secret-of-the-tests-0123");

    public TransactionHarness(params IEdgeRequestHandler[] handlers)
    {
        Metrics = new EdgeMetrics();
        Flows.AddUdp(Local, Sender);
        Tokens = new FlowTokenCodec(Secret, "edge-1");
        Edge = new SipEdge(new EdgeOptions { Domains = ["example.com"] }, Metrics, NullLogger<SipEdge>.Instance, new EdgeRuntime
        {
            TimeProvider = Clock,
            Flows = Flows,
            FlowTokens = Tokens,
            Handlers = handlers,
        });
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public SipFlowTable Flows { get; } = new();

    public FlowTokenCodec Tokens { get; }

    public EdgeMetrics Metrics { get; }

    public SipEdge Edge { get; }

    public CapturingSender Sender { get; } = new();

    public List<string> SentTexts => Sender.Sent.ConvertAll(s => s.Text);

    public EdgeOutcome Receive(string text, SipTransportKind transport = SipTransportKind.Udp, ISipSender? sender = null)
    {
        var parsed = SipParser.ParseDatagram(EdgeHarness.Wire(text));
        return Edge.Handle(parsed, new SipInboundContext(transport, Local, Phone, sender ?? Sender));
    }

    /// <summary>Moves the fake clock in timer-resolution steps, firing due timers as the loop's ticks would.</summary>
    public void Advance(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(10);
        for (var t = TimeSpan.Zero; t < by; t += step)
        {
            Clock.Advance(step);
            Edge.Tick();
        }
    }

    public static string Request(string method, string uri = "sip:127.0.0.1", string branch = "z9hG4bKt1", string callId = "c1", int cseq = 1,
        string fromTag = "f1", string toTag = "", string cseqMethod = "", string via = "") =>
        $"""
        {method} {uri} SIP/2.0
        Via: {(via.Length > 0 ? via : "SIP/2.0/UDP 127.0.0.1:40000;branch=" + branch)}
        Max-Forwards: 70
        From: <sip:alice@example.com>;tag={fromTag}
        To: <{uri}>{(toTag.Length > 0 ? ";tag=" + toTag : "")}
        Call-ID: {callId}
        CSeq: {cseq} {(cseqMethod.Length > 0 ? cseqMethod : method)}
        Content-Length: 0


        """;

    public static string Response(int status, string branch, string method, int cseq = 1, string toTag = "uas1") =>
        $"""
        SIP/2.0 {status} Whatever
        Via: SIP/2.0/UDP 127.0.0.1:5060;branch={branch};rport
        From: <sip:alice@example.com>;tag=uac1
        To: <sip:bob@example.net>;tag={toTag}
        Call-ID: out-1
        CSeq: {cseq} {method}
        Content-Length: 0


        """;

    public static string StatusOf(string response) => response.Split(' ', 3)[1];

    public void Dispose() => Metrics.Dispose();
}
