using System.Text;
using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

public class DigestVerifierTests
{
    private const string Realm = "sip.example.com";
    private const string User = "alice";
    private const string Password = "s3cret!";
    private const string Uri = "sip:sip.example.com";
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] ClientAddress = [192, 0, 2, 10];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly DigestNonceService _nonces = new(new DigestNonceOptions { Secret = Secret, Lifetime = TimeSpan.FromSeconds(60) });

    private DigestVerifier Verifier(DigestVerifierOptions? options = null) => new(_nonces, options);

    private DigestCredentials Answer(DigestAlgorithm algorithm, string password = Password, bool qop = true)
    {
        var nonce = _nonces.Issue(_time.GetUtcNow(), Realm, ClientAddress);
        var challenge = DigestChallenge.Create(Realm, nonce, algorithm, offerQopAuth: qop);
        return DigestCredentials.Answer(challenge, User, password, "REGISTER", Uri, "0a4f113b", 1);
    }

    private DigestVerificationResult Verify(DigestCredentials credentials, DigestAlgorithm algorithm, DigestVerifier? verifier = null) =>
        (verifier ?? Verifier()).Verify(
            credentials, "REGISTER", Realm, Uri, DigestHash.ComputeHa1(algorithm, User, Realm, Password), _time.GetUtcNow(), ClientAddress);

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Md5Sess)]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha256Sess)]
    [InlineData(DigestAlgorithm.Sha512T256)]
    [InlineData(DigestAlgorithm.Sha512T256Sess)]
    public void Verify_CorrectPassword_Ok(DigestAlgorithm algorithm)
    {
        Assert.Equal(DigestVerificationResult.Ok, Verify(Answer(algorithm), algorithm));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha256)]
    public void Verify_NoQopRfc2069_OkWhenAllowedElseQopRequired(DigestAlgorithm algorithm)
    {
        var credentials = Answer(algorithm, qop: false);
        Assert.Null(credentials.Qop);
        Assert.Equal(DigestVerificationResult.Ok, Verify(credentials, algorithm));
        Assert.Equal(
            DigestVerificationResult.QopRequired,
            Verify(credentials, algorithm, Verifier(new DigestVerifierOptions { AllowMissingQop = false })));
    }

    [Fact]
    public void Verify_WrongPassword_WrongResponse()
    {
        Assert.Equal(DigestVerificationResult.WrongResponse, Verify(Answer(DigestAlgorithm.Sha256, "guess"), DigestAlgorithm.Sha256));
    }

    [Fact]
    public void Verify_UpperCaseHexResponse_Ok()
    {
        var credentials = Answer(DigestAlgorithm.Md5);
        Assert.Equal(DigestVerificationResult.Ok, Verify(credentials with { Response = credentials.Response!.ToUpperInvariant() }, DigestAlgorithm.Md5));
    }

    [Fact]
    public void Verify_StoredHa1InUpperCase_Ok()
    {
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Sha256, User, Realm, Password).ToUpperInvariant();
        var result = Verifier().Verify(Answer(DigestAlgorithm.Sha256), "REGISTER", Realm, Uri, ha1, _time.GetUtcNow(), ClientAddress);
        Assert.Equal(DigestVerificationResult.Ok, result);
    }

    [Fact]
    public void Verify_OnlyHa1OfOtherAlgorithmStored_AlgorithmNotAllowed()
    {
        var md5Ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, User, Realm, Password);
        Assert.Equal(
            DigestVerificationResult.AlgorithmNotAllowed,
            Verifier().Verify(Answer(DigestAlgorithm.Sha256), "REGISTER", Realm, Uri, md5Ha1, _time.GetUtcNow(), ClientAddress));
    }

    [Fact]
    public void Verify_ExpiredNonceRightPassword_Stale()
    {
        var credentials = Answer(DigestAlgorithm.Sha256);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(DigestVerificationResult.Stale, Verify(credentials, DigestAlgorithm.Sha256));
    }

    [Fact]
    public void Verify_NonceAtLifetimeEdge_StillOk()
    {
        var credentials = Answer(DigestAlgorithm.Sha256);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(DigestVerificationResult.Ok, Verify(credentials, DigestAlgorithm.Sha256));
    }

    [Fact]
    public void Verify_ExpiredNonceWrongPassword_WrongResponseNotStale()
    {
        var credentials = Answer(DigestAlgorithm.Sha256, "guess");
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(DigestVerificationResult.WrongResponse, Verify(credentials, DigestAlgorithm.Sha256));
    }

    [Fact]
    public void Verify_ForgedNonce_BadNonce()
    {
        var credentials = Answer(DigestAlgorithm.Md5);
        var other = new DigestNonceService(new DigestNonceOptions { Secret = new byte[32] });
        var forged = other.Issue(_time.GetUtcNow(), Realm, ClientAddress);
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, User, Realm, Password);
        var response = DigestHash.ComputeResponse(DigestAlgorithm.Md5, ha1, forged, "0a4f113b", "00000001", "auth", "REGISTER", Uri);
        Assert.Equal(
            DigestVerificationResult.BadNonce,
            Verify(credentials with { Nonce = forged, Response = response }, DigestAlgorithm.Md5));
    }

    [Fact]
    public void Verify_ExpiredForgedNonce_BadNonceNotStale()
    {
        var other = new DigestNonceService(new DigestNonceOptions { Secret = new byte[32] });
        var forged = other.Issue(_time.GetUtcNow() - TimeSpan.FromHours(1), Realm, ClientAddress);
        var credentials = Answer(DigestAlgorithm.Md5) with { Nonce = forged };
        Assert.Equal(DigestVerificationResult.BadNonce, Verify(credentials, DigestAlgorithm.Md5));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Verify_GarbledNonce_BadNonce(string nonce)
    {
        var credentials = Answer(DigestAlgorithm.Md5) with { Nonce = nonce };
        Assert.Equal(DigestVerificationResult.BadNonce, Verify(credentials, DigestAlgorithm.Md5));
    }

    [Fact]
    public void Verify_NonceFromOtherClientAddress_BadNonce()
    {
        var credentials = Answer(DigestAlgorithm.Md5);
        var result = Verifier().Verify(
            credentials, "REGISTER", Realm, Uri, DigestHash.ComputeHa1(DigestAlgorithm.Md5, User, Realm, Password),
            _time.GetUtcNow(), [192, 0, 2, 11]);
        Assert.Equal(DigestVerificationResult.BadNonce, result);
    }

    [Fact]
    public void Verify_TamperedMethod_WrongResponse()
    {
        var credentials = Answer(DigestAlgorithm.Sha256);
        var result = Verifier().Verify(
            credentials, "INVITE", Realm, Uri, DigestHash.ComputeHa1(DigestAlgorithm.Sha256, User, Realm, Password), _time.GetUtcNow(), ClientAddress);
        Assert.Equal(DigestVerificationResult.WrongResponse, result);
    }

    [Fact]
    public void Verify_TamperedNonceCount_WrongResponse()
    {
        var credentials = Answer(DigestAlgorithm.Sha256) with { NonceCount = "00000002" };
        Assert.Equal(DigestVerificationResult.WrongResponse, Verify(credentials, DigestAlgorithm.Sha256));
    }

    [Fact]
    public void Verify_OtherRealm_RealmMismatch()
    {
        var credentials = Answer(DigestAlgorithm.Md5) with { Realm = "evil.example.com" };
        Assert.Equal(DigestVerificationResult.RealmMismatch, Verify(credentials, DigestAlgorithm.Md5));
    }

    [Fact]
    public void Verify_OtherUri_UriMismatchUnlessCheckSkipped()
    {
        var credentials = Answer(DigestAlgorithm.Md5) with { Uri = "sip:other.example.com" };
        Assert.Equal(DigestVerificationResult.UriMismatch, Verify(credentials, DigestAlgorithm.Md5));
        var skipped = Verifier().Verify(
            credentials, "REGISTER", Realm, null, DigestHash.ComputeHa1(DigestAlgorithm.Md5, User, Realm, Password), _time.GetUtcNow(), ClientAddress);
        Assert.Equal(DigestVerificationResult.WrongResponse, skipped);
    }

    [Fact]
    public void Verify_UnknownAlgorithm_UnknownAlgorithm()
    {
        var credentials = Answer(DigestAlgorithm.Md5) with { AlgorithmToken = "SHA-1" };
        Assert.Equal(DigestVerificationResult.UnknownAlgorithm, Verify(credentials, DigestAlgorithm.Md5));
    }

    [Fact]
    public void Verify_AlgorithmNotConfigured_AlgorithmNotAllowed()
    {
        var verifier = Verifier(new DigestVerifierOptions { AllowedAlgorithms = [DigestAlgorithm.Sha256] });
        Assert.Equal(DigestVerificationResult.AlgorithmNotAllowed, Verify(Answer(DigestAlgorithm.Md5), DigestAlgorithm.Md5, verifier));
    }

    [Fact]
    public void Verify_QopAuthInt_UnsupportedQop()
    {
        var credentials = Answer(DigestAlgorithm.Md5) with { Qop = "auth-int" };
        Assert.Equal(DigestVerificationResult.UnsupportedQop, Verify(credentials, DigestAlgorithm.Md5));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0000000g")]
    [InlineData("000000001")]
    public void Verify_MalformedNonceCount_BadNonceCount(string nc)
    {
        var credentials = Answer(DigestAlgorithm.Md5) with { NonceCount = nc };
        Assert.Equal(DigestVerificationResult.BadNonceCount, Verify(credentials, DigestAlgorithm.Md5));
    }

    public static TheoryData<string> RequiredFields => ["username", "realm", "nonce", "uri", "response", "cnonce", "nc"];

    [Theory]
    [MemberData(nameof(RequiredFields))]
    public void Verify_RequiredFieldMissing_MissingParameter(string field)
    {
        var c = Answer(DigestAlgorithm.Sha256);
        c = field switch
        {
            "username" => c with { Username = null },
            "realm" => c with { Realm = null },
            "nonce" => c with { Nonce = null },
            "uri" => c with { Uri = null },
            "response" => c with { Response = null },
            "cnonce" => c with { Cnonce = null },
            _ => c with { NonceCount = null },
        };
        Assert.Equal(DigestVerificationResult.MissingParameter, Verify(c, DigestAlgorithm.Sha256));
    }

    [Fact]
    public void Verify_SessWithoutQopOrCnonce_MissingParameter()
    {
        var credentials = Answer(DigestAlgorithm.Md5Sess, qop: false) with { Cnonce = null };
        Assert.Equal(DigestVerificationResult.MissingParameter, Verify(credentials, DigestAlgorithm.Md5Sess));
    }

    [Fact]
    public void Verify_ParsedFromWire_Ok()
    {
        var text = Answer(DigestAlgorithm.Sha512T256).ToHeaderValue();
        Assert.True(DigestCredentials.TryParse(Encoding.UTF8.GetBytes(text), out var parsed, out _));
        Assert.Equal(DigestVerificationResult.Ok, Verify(parsed, DigestAlgorithm.Sha512T256));
    }
}
