using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Routing.Sip.Transport;

/// <summary>
/// The certificate a TLS peer presented and the handshake accepted: what the layers above (authorisation of
/// enterprise apps, logs) may rely on.
/// </summary>
/// <param name="Subject">The certificate subject distinguished name, e.g. "CN=alice-app, O=Example".</param>
/// <param name="Sha256Fingerprint">SHA-256 of the DER certificate, lower-case hex without separators.</param>
public sealed record TlsPeerIdentity(string Subject, string Sha256Fingerprint)
{
    public static TlsPeerIdentity From(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var der = certificate.GetRawCertData();
        return new TlsPeerIdentity(certificate.Subject, Convert.ToHexStringLower(SHA256.HashData(der)));
    }
}
