using System.Text;
using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

public class DigestHeaderTests
{
    // RFC 7616 §3.9.1, as a SIP header value with folding kept (RFC 3261 §7.3.1 allows LWS with CRLF).
    private const string Rfc7616Challenge =
        "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n    algorithm=SHA-256,\r\n" +
        "    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

    private const string Rfc7616Authorization =
        "Digest username=\"Mufasa\",\r\n    realm=\"http-auth@example.org\",\r\n    uri=\"/dir/index.html\",\r\n" +
        "    algorithm=SHA-256,\r\n    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n    nc=00000001,\r\n" +
        "    cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\",\r\n    qop=auth,\r\n" +
        "    response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\",\r\n" +
        "    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

    [Fact]
    public void Rfc7616_3_9_1_Challenge_ParsesAllFields()
    {
        Assert.True(DigestChallenge.TryParse(Rfc7616Challenge, out var challenge, out _));
        Assert.Equal("http-auth@example.org", challenge.Realm);
        Assert.Equal("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", challenge.Nonce);
        Assert.Equal("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", challenge.Opaque);
        Assert.Equal(DigestAlgorithm.Sha256, challenge.Algorithm);
        Assert.Equal(["auth", "auth-int"], challenge.QopOptions);
        Assert.True(challenge.OffersQopAuth);
        Assert.False(challenge.Stale);
    }

    [Fact]
    public void Rfc7616_3_9_1_Authorization_ParsesAndAnswerReproducesIt()
    {
        Assert.True(DigestCredentials.TryParse(Rfc7616Authorization, out var credentials, out _));
        Assert.Equal("Mufasa", credentials.Username);
        Assert.Equal("/dir/index.html", credentials.Uri);
        Assert.Equal("00000001", credentials.NonceCount);
        Assert.Equal("auth", credentials.Qop);
        Assert.Equal(DigestAlgorithm.Sha256, credentials.Algorithm);

        Assert.True(DigestChallenge.TryParse(Rfc7616Challenge, out var challenge, out _));
        var answer = DigestCredentials.Answer(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html", credentials.Cnonce!);
        Assert.Equal(credentials.Response, answer.Response);
        Assert.Equal(credentials.Opaque, answer.Opaque);
    }

    [Fact]
    public void Parse_NamesAreCaseInsensitiveAndUnknownParamsKept()
    {
        const string value = "digest REALM=\"atlanta.com\", Nonce=\"abc\", X-Vendor=foo, ext=\"a \\\"b\\\" c\"";
        Assert.True(DigestChallenge.TryParse(value, out var challenge, out _));
        Assert.Equal("atlanta.com", challenge.Realm);
        Assert.Equal("abc", challenge.Nonce);
        Assert.Equal(DigestAlgorithm.Md5, challenge.Algorithm);
        Assert.Equal(
            [new AuthParam("x-vendor", "foo", false), new AuthParam("ext", "a \"b\" c", true)],
            challenge.OtherParameters);
    }

    [Fact]
    public void Parse_QuotedAlgorithmAndQopFromLenientPeers_Accepted()
    {
        const string value = "Digest username=\"bob\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\", algorithm=\"MD5\", qop=\"auth\", nc=00000002, cnonce=\"c\"";
        Assert.True(DigestCredentials.TryParse(value, out var credentials, out _));
        Assert.Equal(DigestAlgorithm.Md5, credentials.Algorithm);
        Assert.Equal("auth", credentials.Qop);
    }

    [Fact]
    public void Parse_UnknownAlgorithm_KeptAsTokenWithNullAlgorithm()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5", out var challenge, out _));
        Assert.Equal("AKAv1-MD5", challenge.AlgorithmToken);
        Assert.Null(challenge.Algorithm);
    }

    [Theory]
    [InlineData("", DigestParseErrorReason.Empty, 0)]
    [InlineData("   ", DigestParseErrorReason.Empty, 3)]
    [InlineData("Basic realm=\"r\"", DigestParseErrorReason.UnsupportedScheme, 0)]
    [InlineData("\"Digest\"", DigestParseErrorReason.MissingScheme, 0)]
    [InlineData("Digest realm", DigestParseErrorReason.MissingEquals, 12)]
    [InlineData("Digest realm=", DigestParseErrorReason.MissingValue, 13)]
    [InlineData("Digest realm=\"abc", DigestParseErrorReason.UnterminatedQuotedString, 13)]
    [InlineData("Digest realm=\"a\" nonce=\"b\"", DigestParseErrorReason.ExpectedComma, 17)]
    [InlineData("Digest realm=\"a\", realm=\"b\", nonce=\"n\"", DigestParseErrorReason.DuplicateParameter, 18)]
    [InlineData("Digest realm=\"a\", =\"b\"", DigestParseErrorReason.MalformedParameter, 18)]
    [InlineData("Digest realm=\"a\"\r\nnonce=\"b\"", DigestParseErrorReason.InvalidCharacter, 16)]
    [InlineData("Digest realm=\"a\rb\", nonce=\"n\"", DigestParseErrorReason.InvalidCharacter, 15)]
    [InlineData("Digest realm=\"a\"", DigestParseErrorReason.MissingParameter, 16)]
    [InlineData("Digest,realm=\"a\"", DigestParseErrorReason.MalformedParameter, 6)]
    public void ChallengeTryParse_Malformed_RejectsWithReasonAndOffset(string value, DigestParseErrorReason reason, int offset)
    {
        Assert.False(DigestChallenge.TryParse(value, out var challenge, out var error));
        Assert.Null(challenge);
        Assert.Equal(new DigestParseError(reason, offset), error);
    }

    [Fact]
    public void ChallengeTryParse_EveryPrefixOfRealChallenge_NeverThrows()
    {
        var bytes = Encoding.ASCII.GetBytes(Rfc7616Challenge);
        for (var i = 0; i <= bytes.Length; i++)
        {
            var ok = DigestChallenge.TryParse(bytes.AsSpan(0, i), out var challenge, out _);
            Assert.Equal(ok, challenge is not null);
        }
    }

    [Fact]
    public void Create_Sha256Stale_WritesParseableHeader()
    {
        var challenge = DigestChallenge.Create("sip.example.com", "n0nce", DigestAlgorithm.Sha256, opaque: "op", stale: true);
        var text = challenge.ToHeaderValue();
        Assert.Equal("Digest realm=\"sip.example.com\", nonce=\"n0nce\", opaque=\"op\", stale=true, algorithm=SHA-256, qop=\"auth\"", text);
        Assert.True(DigestChallenge.TryParse(text, out var parsed, out _));
        Assert.True(parsed.Stale);
        Assert.Equal(DigestAlgorithm.Sha256, parsed.Algorithm);
        Assert.Equal("op", parsed.Opaque);
    }

    [Fact]
    public void CredentialsToHeaderValue_QuotesAndEscapes_RoundTrips()
    {
        var credentials = new DigestCredentials
        {
            Username = "al\"ice\\",
            Realm = "r",
            Nonce = "n",
            Uri = "sip:bob@r",
            Response = "abcd",
            Qop = "auth",
            NonceCount = "00000001",
            Cnonce = "c",
            OtherParameters = [new AuthParam("x", "y", false)],
        };
        var text = credentials.ToHeaderValue();
        Assert.Contains("username=\"al\\\"ice\\\\\"", text, StringComparison.Ordinal);
        Assert.Contains("qop=auth, nc=00000001", text, StringComparison.Ordinal);
        Assert.True(DigestCredentials.TryParse(text, out var parsed, out _));
        Assert.Equal(credentials.Username, parsed.Username);
        Assert.Equal(credentials.OtherParameters, parsed.OtherParameters);
        Assert.Equal(credentials.Response, parsed.Response);
    }

    [Fact]
    public void Rfc3261_22_4_ChallengeWithoutQop_AnswerIsRfc2069Style()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"atlanta.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\"", out var challenge, out _));
        var credentials = DigestCredentials.Answer(challenge, "alice", "secret", "REGISTER", "sip:atlanta.com", "ignored");
        Assert.Null(credentials.Qop);
        Assert.Null(credentials.NonceCount);
        Assert.Null(credentials.Cnonce);
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "alice", "atlanta.com", "secret");
        Assert.Equal(
            DigestHash.ComputeResponse(DigestAlgorithm.Md5, ha1, "84a4cc6f3082121f32b42a2187831a9e", null, null, null, "REGISTER", "sip:atlanta.com"),
            credentials.Response);
    }
}
