using System.Text;
using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

/// <summary>
/// Vectors captured from sipp 3.6.1 (Debian sip-tester) on loopback inside a network namespace, 2026-11-26.
/// (a) sipp as UAC (-au alice -ap s3cret, [authentication]) answered a 401 carrying a nonce from
/// <see cref="DigestNonceService"/>; its Authorization headers are replayed here against our verifier.
/// (b) sipp as UAS with &lt;verifyauth&gt; accepted our answers (200) and rejected them with a wrong password (403).
/// sipp 3.6.1 signs its remote address as digest-uri ("sip:127.0.0.1:5070"), not the Request-URI.
/// </summary>
public class DigestSippInteropTests
{
    private const string Realm = "test.local";
    private const string SippDigestUri = "sip:127.0.0.1:5070";
    private const string Nonce = "AAABohe6EgDsr-DepFvCSuXk3PGo-RyXRsWaIxVC6jZs-40FJ7cI2A";
    private static readonly DateTimeOffset IssuedAt = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static DigestNonceService Nonces() =>
        new(new DigestNonceOptions { Secret = Encoding.ASCII.GetBytes("sipp-interop-secret-0123456789ab") });

    [Fact]
    public void Issue_LayoutMatchesIndependentPythonImplementation()
    {
        // The nonce sent to sipp was built with Python's hmac/hashlib from the documented layout.
        Assert.Equal(Nonce, Nonces().Issue(IssuedAt, Realm));
    }

    [Theory]
    [InlineData("Digest username=\"alice\",realm=\"test.local\",cnonce=\"6b8b4567\",nc=00000001,qop=auth,uri=\"sip:127.0.0.1:5070\",nonce=\"AAABohe6EgDsr-DepFvCSuXk3PGo-RyXRsWaIxVC6jZs-40FJ7cI2A\",response=\"1131ab77eb969eadcfd4023d11e67189\",algorithm=MD5,opaque=\"op-42\"")]
    [InlineData("Digest username=\"alice\",realm=\"test.local\",uri=\"sip:127.0.0.1:5070\",nonce=\"AAABohe6EgDsr-DepFvCSuXk3PGo-RyXRsWaIxVC6jZs-40FJ7cI2A\",response=\"4e1bc9cfa6bc9497494b86cedb29687d\",algorithm=MD5")]
    public void SippUac_Md5Authorization_VerifiesOkAndStaleLater(string header)
    {
        Assert.True(DigestCredentials.TryParse(Encoding.ASCII.GetBytes(header), out var credentials, out _));
        var verifier = new DigestVerifier(Nonces());
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "alice", Realm, "s3cret");
        Assert.Equal(
            DigestVerificationResult.Ok,
            verifier.Verify(credentials, "REGISTER", Realm, SippDigestUri, ha1, IssuedAt + TimeSpan.FromSeconds(1)));
        Assert.Equal(
            DigestVerificationResult.Stale,
            verifier.Verify(credentials, "REGISTER", Realm, SippDigestUri, ha1, IssuedAt + TimeSpan.FromMinutes(6)));
        Assert.Equal(
            DigestVerificationResult.WrongResponse,
            verifier.Verify(credentials, "REGISTER", Realm, SippDigestUri, DigestHash.ComputeHa1(DigestAlgorithm.Md5, "alice", Realm, "guess"), IssuedAt));
        Assert.Equal(
            DigestVerificationResult.UriMismatch,
            verifier.Verify(credentials, "REGISTER", Realm, "sip:test.local", ha1, IssuedAt));
    }

    [Theory]
    [InlineData(
        "Digest realm=\"test.local\", nonce=\"fixed-nonce-0001\", algorithm=MD5, qop=\"auth\"",
        "Digest username=\"alice\", realm=\"test.local\", nonce=\"fixed-nonce-0001\", uri=\"sip:test.local\", response=\"72410cc9b1aff5707714face3c377a2e\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001")]
    [InlineData(
        "Digest realm=\"test.local\", nonce=\"fixed-nonce-0002\"",
        "Digest username=\"alice\", realm=\"test.local\", nonce=\"fixed-nonce-0002\", uri=\"sip:test.local\", response=\"a1be1d5cff9de2fb299ce5afb8d0b9ce\"")]
    public void Answer_HeaderAcceptedBySippVerifyauth_IsReproduced(string challengeText, string acceptedBySipp)
    {
        Assert.True(DigestChallenge.TryParse(challengeText, out var challenge, out _));
        var credentials = DigestCredentials.Answer(challenge, "alice", "s3cret", "REGISTER", "sip:test.local", "0a4f113b");
        Assert.Equal(acceptedBySipp, credentials.ToHeaderValue());
    }
}
