using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Tests;

/// <summary>Records what the edge sends.</summary>
internal sealed class CapturingSender : ISipSender
{
    public List<(string Text, IPEndPoint Destination)> Sent { get; } = [];

    public bool Fail { get; set; }

    public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination)
    {
        if (Fail)
        {
            return false;
        }

        Sent.Add((Encoding.ASCII.GetString(message), destination));
        return true;
    }
}

/// <summary>An edge with its metrics and a capturing sender, fed with wire text.</summary>
internal sealed class EdgeHarness : IDisposable
{
    public static readonly IPEndPoint Local = new(IPAddress.Parse("127.0.0.1"), 5060);

    public EdgeHarness(EdgeOptions? options = null)
    {
        Metrics = new EdgeMetrics();
        Edge = new SipEdge(options ?? new EdgeOptions { Domains = ["example.com"] }, Metrics, NullLogger<SipEdge>.Instance);
    }

    public EdgeMetrics Metrics { get; }

    public SipEdge Edge { get; }

    public CapturingSender Sender { get; } = new();

    /// <summary>Lines joined with CRLF; the text must end with the empty line that closes the header section.</summary>
    public static byte[] Wire(string text) => Encoding.ASCII.GetBytes(text.ReplaceLineEndings("\r\n"));

    public EdgeOutcome Receive(string text, IPEndPoint? remote = null, SipTransportKind transport = SipTransportKind.Udp)
    {
        var parsed = SipParser.ParseDatagram(Wire(text));
        var context = new SipInboundContext(transport, Local, remote ?? new IPEndPoint(IPAddress.Parse("127.0.0.1"), 40000), Sender);
        // The edge owns the parsed message from here on (a live transaction may keep it).
        return Edge.Handle(parsed, context);
    }

    public string LastResponse => Assert.Single(Sender.Sent).Text;

    public void Dispose() => Metrics.Dispose();
}
