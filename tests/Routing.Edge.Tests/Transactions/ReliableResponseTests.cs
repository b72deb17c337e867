using System.Net;
using Routing.Sip.Transport;
using static Routing.Edge.Tests.Transactions.TransactionHarness;

namespace Routing.Edge.Tests.Transactions;

/// <summary>RFC 3261 §18.2.2 for reliable transports: responses follow the connection, or a new one when it is gone.</summary>
public sealed class ReliableResponseTests : IDisposable
{
    private readonly TransactionHarness _h = new();

    public void Dispose() => _h.Dispose();

    private sealed class FakeConnection(long id, IPEndPoint remote) : ISipConnection
    {
        public List<string> Sent { get; } = [];

        public long Id { get; } = id;

        public SipTransportKind Transport => SipTransportKind.Tcp;

        public IPEndPoint Local => TransactionHarness.Local;

        public IPEndPoint Remote { get; } = remote;

        public TlsPeerIdentity? TlsPeer => null;

        public bool IsOpen { get; set; } = true;

        public void Close() => IsOpen = false;

        public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination)
        {
            if (!IsOpen)
            {
                return false;
            }

            Sent.Add(System.Text.Encoding.ASCII.GetString(message));
            return true;
        }
    }

    [Fact]
    public void Rfc3261_18_2_2_ResponseOnTheConnectionTheRequestCameOn()
    {
        var connection = new FakeConnection(1, Phone);

        _h.Receive(Request("OPTIONS", via: "SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bKc1"), SipTransportKind.Tcp, connection);

        Assert.StartsWith("SIP/2.0 200 ", Assert.Single(connection.Sent), StringComparison.Ordinal);
        Assert.Empty(_h.Sender.Sent);
    }

    [Fact]
    public void Rfc3261_18_2_2_ConnectionGone_ResponseOnAnotherConnectionToReceivedAndSentByPort()
    {
        var closed = new FakeConnection(1, Phone) { IsOpen = false };
        var listening = new FakeConnection(2, new IPEndPoint(IPAddress.Loopback, 5070));
        _h.Flows.Add(listening);

        _h.Receive(Request("OPTIONS", via: "SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKc2"), SipTransportKind.Tcp, closed);

        Assert.Empty(closed.Sent);
        Assert.StartsWith("SIP/2.0 200 ", Assert.Single(listening.Sent), StringComparison.Ordinal);
        Assert.Equal(0, _h.Metrics.Drops(SipDropCause.SendFailed));
    }
}
