using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Routing.Sip.Transport.Tests;

/// <summary>An in-memory EC P-256 PKI like cluster-config/dev-certs.sh makes: CA, server, client, and a foreign CA's client.</summary>
internal sealed class TestPki : IDisposable
{
    public TestPki()
    {
        Ca = NewCa("CN=Test CA");
        OtherCa = NewCa("CN=Other CA");
        Server = Issue(Ca, "CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", san: true);
        Client = Issue(Ca, "CN=dev-app, O=Tests", "1.3.6.1.5.5.7.3.2", san: false);
        Stranger = Issue(OtherCa, "CN=stranger", "1.3.6.1.5.5.7.3.2", san: false);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 Stranger { get; }

    private static X509Certificate2 NewCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, string usage, bool san)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (san)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(10), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so SslStream can use the key on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Ca.Dispose();
        OtherCa.Dispose();
        Server.Dispose();
        Client.Dispose();
        Stranger.Dispose();
    }
}
