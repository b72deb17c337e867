using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Routing.Sip.Transport;

/// <summary>Whether a TLS listener asks clients for a certificate.</summary>
public enum ClientCertificateMode
{
    /// <summary>No certificate is requested.</summary>
    None,
    /// <summary>Requested; a client without one is accepted, one that sends an untrusted one is refused.</summary>
    Optional,
    /// <summary>Requested and required: the handshake fails without a certificate the CA bundle trusts.</summary>
    Required,
}

/// <summary>Why TLS settings could not be loaded.</summary>
public enum SipTlsLoadError
{
    None = 0,
    CertificateUnreadable,
    ClientCaUnreadable,
    ClientCaMissing,
}

/// <summary>
/// Server-side TLS for SIP (RFC 3261 §26.2.1, RFC 5630): the server certificate and key from PEM files, and client
/// certificates (enterprise apps) validated against a configured CA bundle only, not the system store, so that only
/// certificates from the operator's CA get in.
/// </summary>
public static class SipTlsServer
{
    /// <summary>Builds the SslStream options; returns a typed error and a message instead of throwing on bad files.</summary>
    public static SipTlsLoadError TryCreate(string certificateFile, string keyFile, string? clientCaFile, ClientCertificateMode mode,
        out SslServerAuthenticationOptions? options, out string detail)
    {
        options = null;
        detail = string.Empty;
        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            // Re-imported so the private key is usable by SslStream on every platform (ephemeral PEM keys are not on all).
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            detail = $"cannot load the certificate '{certificateFile}' with key '{keyFile}': {e.Message}";
            return SipTlsLoadError.CertificateUnreadable;
        }

        X509Certificate2Collection? trust = null;
        if (mode != ClientCertificateMode.None)
        {
            if (string.IsNullOrEmpty(clientCaFile))
            {
                certificate.Dispose();
                detail = "a client CA bundle is needed to check client certificates";
                return SipTlsLoadError.ClientCaMissing;
            }

            try
            {
                trust = [];
                trust.ImportFromPemFile(clientCaFile);
                if (trust.Count == 0)
                {
                    throw new CryptographicException("no certificate in the file");
                }
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                certificate.Dispose();
                detail = $"cannot load the client CA bundle '{clientCaFile}': {e.Message}";
                return SipTlsLoadError.ClientCaUnreadable;
            }
        }

        options = Create(certificate, trust, mode);
        return SipTlsLoadError.None;
    }

    /// <summary>The options for a loaded certificate and trust bundle.</summary>
    public static SslServerAuthenticationOptions Create(X509Certificate2 certificate, X509Certificate2Collection? clientCa, ClientCertificateMode mode)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null),
            ClientCertificateRequired = mode != ClientCertificateMode.None,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, cert, _, errors) => Validate(cert, errors, clientCa, mode),
        };
    }

    /// <summary>The client-certificate decision (exposed for tests).</summary>
    public static bool Validate(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection? clientCa, ClientCertificateMode mode)
    {
        if (mode == ClientCertificateMode.None)
        {
            return true;
        }

        if (presented is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return mode == ClientCertificateMode.Optional;
        }

        if (clientCa is null || clientCa.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(clientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // The certificate must be meant for TLS clients (id-kp-clientAuth) when it says what it is for.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        using var leaf = new X509Certificate2(presented);
        return chain.Build(leaf);
    }
}
