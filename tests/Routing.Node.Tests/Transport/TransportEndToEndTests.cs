using System.Net;
using System.Net.Sockets;
using System.Text;
using Routing.Node.Tests.EndToEnd;
using static Routing.Node.Tests.Transport.Peers;

namespace Routing.Node.Tests.Transport;

/// <summary>The node's transports and transactions against real peers: SIPp over UDP with loss, TCP framing, TLS via stunnel.</summary>
[Collection(ProcessCollection.Name)]
public sealed class TransportEndToEndTests : IClassFixture<TransportNodeFixture>
{
    private readonly TransportNodeFixture _node;

    public TransportEndToEndTests(TransportNodeFixture node) => _node = node;

    [Fact]
    public async Task Rfc3261_17_UdpWithTenPercentLoss_OptionsAndMessageAllComplete_RetransmissionsAbsorbed()
    {
        var cancel = TestContext.Current.CancellationToken;
        var before = await _node.MetricsAsync(cancel);

        // -lost 10: sipp drops 10 % of the messages it sends and of those it receives; its Timer E retransmissions
        // must meet the node's absorbed retransmissions and re-sent responses.
        using var options = await SippAsync("options.xml", _node.SipPort, "u1", calls: 150, rate: 50, seconds: 60, "-lost", "10");
        using var message = await SippAsync("transport-message.xml", _node.SipPort, "u1", calls: 150, rate: 50, seconds: 60, "-lost", "10");

        Assert.True(options.ExitCode == 0, $"OPTIONS: sipp exit {options.ExitCode}\n{options.Stdout}\n{options.Stderr}");
        Assert.True(message.ExitCode == 0, $"MESSAGE: sipp exit {message.ExitCode}\n{message.Stdout}\n{message.Stderr}");
        var after = await _node.MetricsAsync(cancel);
        const string received = "sip_retransmissions_received_total{type=\"non_invite_server\"}";
        const string sent = "sip_retransmissions_sent_total{type=\"non_invite_server\"}";
        Assert.True(TransportNodeFixture.Series(after, received) > TransportNodeFixture.Series(before, received), after);
        Assert.True(TransportNodeFixture.Series(after, sent) > TransportNodeFixture.Series(before, sent), after);
        Assert.True(TransportNodeFixture.Series(after, "sip_responses_sent_total{method=\"MESSAGE\",status=\"404\"}") >= 150, after);
    }

    [Fact]
    public async Task Rfc3261_18_3_TcpSplitAndPipelined_EveryRequestAnsweredOnce()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _node.SipPort, cancel);
        var stream = client.GetStream();
        static byte[] Options(int n) => Encoding.ASCII.GetBytes(
            $"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKsplit{n}\r\nMax-Forwards: 70\r\n" +
            $"From: <sip:t@127.0.0.1>;tag=t{n}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: split-{n}\r\nCSeq: {n} OPTIONS\r\nContent-Length: 0\r\n\r\n");

        // Three requests pipelined in one write, a CRLF keep-alive, then one request dribbled out a few bytes at a time.
        byte[] burst = [.. Options(1), .. Options(2), .. Options(3), .. "\r\n\r\n"u8.ToArray()];
        await stream.WriteAsync(burst, cancel);
        var last = Options(4);
        for (var i = 0; i < last.Length; i += 7)
        {
            await stream.WriteAsync(last.AsMemory(i, Math.Min(7, last.Length - i)), cancel);
            await stream.FlushAsync(cancel);
            await Task.Delay(2, cancel);
        }

        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(TestEnvironment.Scaled(10));
        while (CountOf(text.ToString(), "SIP/2.0 200 OK") < 4 || Leftover(text.ToString()).Length < 2)
        {
            var n = await stream.ReadAsync(buffer, cts.Token);
            Assert.NotEqual(0, n);
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        var all = text.ToString();
        for (var n = 1; n <= 4; n++)
        {
            Assert.Equal(1, CountOf(all, $"\r\nCall-ID: split-{n}\r\n"));
        }

        // RFC 5626 §4.4.1: the double-CRLF ping got exactly one single-CRLF pong besides the four responses.
        Assert.Equal("\r\n", Leftover(all));
    }

    private static string Leftover(string stream) =>
        System.Text.RegularExpressions.Regex.Replace(stream, "SIP/2\\.0 200 OK\r\n.*?Content-Length: 0\r\n\r\n", string.Empty,
            System.Text.RegularExpressions.RegexOptions.Singleline);

    [Fact]
    public async Task Rfc3261_18_SippOverTcp_FiftyTransactions_AllAnswered()
    {
        using var sipp = await SippAsync("options.xml", _node.SipPort, "t1", calls: 50, rate: 50, seconds: 30);

        Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
    }

    [Fact]
    public async Task Rfc5630_TlsWithValidClientCertificate_ThroughStunnel_200Ok()
    {
        var (stunnel, port) = await StunnelAsync(_node.Directory, _node.TlsPort, _node.Certs, "client");
        using (stunnel)
        {
            using var sipp = await SippAsync("options.xml", port, "t1", calls: 3, rate: 10, seconds: 20);

            Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}\n{stunnel.Stderr}");
            stunnel.Terminate();
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("other-client")]
    public async Task Rfc5630_TlsWithoutOrWithUntrustedClientCertificate_HandshakeRefused(string? clientName)
    {
        var cancel = TestContext.Current.CancellationToken;
        const string refused = "sip_connections_closed_total{cause=\"HandshakeFailed\",transport=\"tls\"}";
        var before = TransportNodeFixture.Series(await _node.MetricsAsync(cancel), refused);
        var (stunnel, port) = await StunnelAsync(_node.Directory, _node.TlsPort, _node.Certs, clientName);
        using (stunnel)
        {
            using var sipp = await SippAsync("options.xml", port, "t1", calls: 1, rate: 1, seconds: 8);

            Assert.NotEqual(0, sipp.ExitCode);
            stunnel.Terminate();
        }

        var after = TransportNodeFixture.Series(await _node.MetricsAsync(cancel), refused);
        Assert.True(after > before, $"handshake failures {before} -> {after}\n{await _node.MetricsAsync(cancel)}");
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
