using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Sip.Message;

namespace Routing.Sip.Transport.Tests;

public sealed class TlsListenerTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private TcpSipListener Start(RecordingHandler handler, ClientCertificateMode mode)
    {
        var listener = TcpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, new StreamListenerOptions
        {
            Tls = SipTlsServer.Create(_pki.Server, [_pki.Ca], mode),
        });
        listener.Start(handler);
        return listener;
    }

    /// <summary>Connects, shakes hands, sends one OPTIONS and reads until the server answers or closes.</summary>
    private async Task<(bool HandshakeOk, bool ServerClosed)> ClientAsync(TcpSipListener listener, X509Certificate2? clientCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(listener.LocalEndPoint, TestContext.Current.CancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Wire.Timeout);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null
                    && cert.GetCertHashString(HashAlgorithmName.SHA256) == _pki.Server.GetCertHashString(HashAlgorithmName.SHA256),
            }, cts.Token);
            await tls.WriteAsync(Wire.Options("tls-1"), cts.Token);
            // With TLS 1.3 the server refuses the client's certificate after the client finished: the read sees it.
            var buffer = new byte[1];
            var n = await tls.ReadAsync(buffer, cts.Token);
            return (true, n == 0);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return (false, true);
        }
    }

    [Fact]
    public async Task Rfc5630_RequiredClientCertificate_ValidOne_MessageDeliveredWithSubjectAndFingerprint()
    {
        var handler = new RecordingHandler { Reply = "SIP/2.0 200 OK\r\n\r\n"u8.ToArray() };
        await using var listener = Start(handler, ClientCertificateMode.Required);

        var (handshakeOk, closed) = await ClientAsync(listener, _pki.Client);

        Assert.True(handshakeOk);
        Assert.False(closed);
        Assert.True(handler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Equal("tls-1", got.CallId);
        Assert.Equal(SipTransportKind.Tls, got.Context.Transport);
        Assert.Equal("CN=dev-app, O=Tests", got.Context.TlsPeer!.Subject);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_pki.Client.RawData)), got.Context.TlsPeer.Sha256Fingerprint);
        Assert.NotEqual(0, got.Context.ConnectionId);
    }

    [Fact]
    public async Task RequiredClientCertificate_None_HandshakeRefusedNothingDelivered()
    {
        var handler = new RecordingHandler();
        await using var listener = Start(handler, ClientCertificateMode.Required);

        var (_, closed) = await ClientAsync(listener, null);

        Assert.True(closed);
        Assert.Empty(handler.Received);
        Assert.Equal(1, listener.Closed(StreamCloseCause.HandshakeFailed));
    }

    [Fact]
    public async Task RequiredClientCertificate_FromAnotherCa_HandshakeRefused()
    {
        var handler = new RecordingHandler();
        await using var listener = Start(handler, ClientCertificateMode.Required);

        var (_, closed) = await ClientAsync(listener, _pki.Stranger);

        Assert.True(closed);
        Assert.Empty(handler.Received);
        Assert.Equal(1, listener.Closed(StreamCloseCause.HandshakeFailed));
    }

    [Fact]
    public async Task OptionalClientCertificate_None_Accepted_NoPeerIdentity()
    {
        var handler = new RecordingHandler { Reply = "SIP/2.0 200 OK\r\n\r\n"u8.ToArray() };
        await using var listener = Start(handler, ClientCertificateMode.Optional);

        var (handshakeOk, closed) = await ClientAsync(listener, null);

        Assert.True(handshakeOk);
        Assert.False(closed);
        Assert.True(handler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Null(got.Context.TlsPeer);
    }

    [Fact]
    public void Validate_ServerCertificateAsClientCertificate_RefusedForWrongKeyUsage() =>
        Assert.False(SipTlsServer.Validate(_pki.Server, SslPolicyErrors.None, [_pki.Ca], ClientCertificateMode.Required));

    [Fact]
    public void TryCreate_MissingFiles_TypedError()
    {
        var error = SipTlsServer.TryCreate("/nonexistent/server.crt", "/nonexistent/server.key", null, ClientCertificateMode.None, out var options, out var detail);

        Assert.Equal(SipTlsLoadError.CertificateUnreadable, error);
        Assert.Null(options);
        Assert.Contains("/nonexistent/server.crt", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutboundTlsConnection_RegisteredAsAFlow_TokenSendReachesThePeer()
    {
        var serverHandler = new RecordingHandler();
        await using var server = Start(serverHandler, ClientCertificateMode.Required);
        var flows = new SipFlowTable();
        await using var client = TcpSipListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, new StreamListenerOptions
        {
            Tls = SipTlsServer.Create(_pki.Server, [_pki.Ca], ClientCertificateMode.None),
            ClientTls = new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                ClientCertificates = [_pki.Client],
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null
                    && cert.GetCertHashString(HashAlgorithmName.SHA256) == _pki.Server.GetCertHashString(HashAlgorithmName.SHA256),
            },
            Flows = flows,
        });
        client.Start(new RecordingHandler());
        var codec = new FlowTokenCodec("0123456789abcdef-secret"u8, "edge-1");

        var connection = await client.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
        Assert.NotNull(connection);
        var token = codec.Encode(new SipFlowAddress(SipTransportKind.Tls, connection.Local, connection.Remote, connection.Id));

        Assert.Equal(FlowSendResult.Sent, flows.Send(codec, token, Wire.Options("out-1")));
        Assert.True(serverHandler.Received.TryTake(out var got, Wire.Timeout));
        Assert.Equal("out-1", got.CallId);

        connection.Close();
        Assert.Equal(FlowSendResult.FlowGone, flows.Send(codec, token, Wire.Options("out-2")));
    }
}
