using System.Net;
using Routing.Node.Configuration;
using Routing.Sip.Transport;

namespace Routing.Node.Tests.Transport;

/// <summary>The transport settings: flags, HOCON keys, the shipped node.conf.</summary>
public sealed class TransportOptionsTests : IDisposable
{
    private readonly string _dir = EndToEnd.TestEnvironment.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static NodeCommandLineResult Parse(params string[] args) => NodeCommandLine.Parse(args, _ => null);

    [Fact]
    public void TlsFlags_ListenerCertificateKeyCaAndRequiredClientCertificate()
    {
        var o = Parse("--sip", "tls:127.0.0.1:5061", "--tls-cert", "s.crt", "--tls-key", "s.key", "--tls-client-ca", "ca.crt",
            "--tls-client-cert", "required", "--sip-reuseport", "--flow-secret", "secret.txt").Options!;

        var listen = Assert.Single(o.Sip.Listen);
        Assert.Equal(SipListenTransport.Tls, listen.Transport);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5061), listen.EndPoint);
        Assert.Equal("tls:127.0.0.1:5061", listen.ToString());
        Assert.Equal("s.crt", o.Sip.Tls.CertificateFile);
        Assert.Equal("s.key", o.Sip.Tls.KeyFile);
        Assert.Equal("ca.crt", o.Sip.Tls.ClientCaFile);
        Assert.Equal(ClientCertificateMode.Required, o.Sip.Tls.ClientCertificate);
        Assert.True(o.Sip.ReusePort);
        Assert.Equal("secret.txt", o.Sip.FlowTokenSecretFile);
    }

    [Fact]
    public void HoconTransportKeys_Applied()
    {
        var file = Path.Combine(_dir, "t.conf");
        File.WriteAllText(file, """
            routing.node.sip {
              listen = ["tls:127.0.0.1:5061"]
              reuse-port = on
              flow-token-secret-file = "/etc/routing/flow.secret"
              connection-idle-timeout = 90 s
              max-connections-per-address = 8
              tls { certificate = "s.crt", key = "s.key", client-ca = "ca.crt", client-certificate = optional }
            }
            """);

        var o = Parse("--config", file).Options!;

        Assert.True(o.Sip.ReusePort);
        Assert.Equal("/etc/routing/flow.secret", o.Sip.FlowTokenSecretFile);
        Assert.Equal(TimeSpan.FromSeconds(90), o.Sip.ConnectionIdleTimeout);
        Assert.Equal(8, o.Sip.MaxConnectionsPerAddress);
        Assert.Equal(ClientCertificateMode.Optional, o.Sip.Tls.ClientCertificate);
        Assert.Equal("ca.crt", o.Sip.Tls.ClientCaFile);
    }

    [Theory]
    [InlineData("max-connections-per-address = 0", "routing.node.sip.max-connections-per-address")]
    [InlineData("connection-idle-timeout = 0 s", "routing.node.sip.connection-idle-timeout")]
    [InlineData("tls.client-certificate = maybe", "routing.node.sip.tls.client-certificate")]
    public void HoconTransportKeys_BadValue_OneErrorNamingTheKey(string line, string key)
    {
        var file = Path.Combine(_dir, "bad.conf");
        File.WriteAllText(file, "routing.node.sip { " + line + " }");

        var error = Parse("--config", file).Error!;

        Assert.Equal(OptionErrorKind.InvalidValue, error.Kind);
        Assert.Equal(key, error.Setting);
    }

    [Fact]
    public void ShippedNodeConf_TransportKeysAreTheBuiltInDefaults()
    {
        var shipped = Path.Combine(EndToEnd.TestEnvironment.RepoRoot, "cluster-config", "node.conf");

        var fromFile = Parse("--config", shipped).Options!;
        var defaults = Parse().Options!;

        Assert.Equal(defaults.Sip.ReusePort, fromFile.Sip.ReusePort);
        Assert.Equal(defaults.Sip.FlowTokenSecretFile, fromFile.Sip.FlowTokenSecretFile);
        Assert.Equal(defaults.Sip.ConnectionIdleTimeout, fromFile.Sip.ConnectionIdleTimeout);
        Assert.Equal(defaults.Sip.MaxConnectionsPerAddress, fromFile.Sip.MaxConnectionsPerAddress);
        Assert.Equal(defaults.Sip.Tls.CertificateFile, fromFile.Sip.Tls.CertificateFile);
        Assert.Equal(defaults.Sip.Tls.ClientCertificate, fromFile.Sip.Tls.ClientCertificate);
    }
}
