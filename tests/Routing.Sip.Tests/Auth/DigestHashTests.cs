using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

public class DigestHashTests
{
    private const string Realm = "http-auth@example.org";
    private const string Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private const string Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    [Theory]
    [InlineData(DigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(DigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_3_9_1_MufasaResponse_MatchesRfc(DigestAlgorithm algorithm, string expected)
    {
        var ha1 = DigestHash.ComputeHa1(algorithm, "Mufasa", Realm, "Circle of Life");
        var response = DigestHash.ComputeResponse(algorithm, ha1, Nonce, Cnonce, "00000001", "auth", "GET", "/dir/index.html");
        Assert.Equal(expected, response);
    }

    [Fact]
    public void ComputeHa1_Md5_IsHashOfUserRealmPassword()
    {
        Assert.Equal("3d78807defe7de2157e2b0b6573a855f", DigestHash.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", Realm, "Circle of Life"));
    }

    [Fact]
    public void ComputeHa1_SessVariant_StoresBaseAlgorithmForm()
    {
        Assert.Equal(
            DigestHash.ComputeHa1(DigestAlgorithm.Sha256, "Mufasa", Realm, "Circle of Life"),
            DigestHash.ComputeHa1(DigestAlgorithm.Sha256Sess, "Mufasa", Realm, "Circle of Life"));
    }

    // Independent values computed with Python's hashlib (OpenSSL) for the same Mufasa inputs.
    [Fact]
    public void ComputeResponse_Sha512T256_MatchesOpenSsl()
    {
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Sha512T256, "Mufasa", Realm, "Circle of Life");
        Assert.Equal("fb174f5c3c7802721517cae13b98e2b8dae2e0118cb705d94ee29946319204ce", ha1);
        var response = DigestHash.ComputeResponse(DigestAlgorithm.Sha512T256, ha1, Nonce, Cnonce, "00000001", "auth", "GET", "/dir/index.html");
        Assert.Equal("430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0", response);
    }

    [Fact]
    public void ComputeResponse_Md5Sess_MatchesOpenSsl()
    {
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5Sess, "Mufasa", Realm, "Circle of Life");
        var response = DigestHash.ComputeResponse(DigestAlgorithm.Md5Sess, ha1, Nonce, Cnonce, "00000001", "auth", "GET", "/dir/index.html");
        Assert.Equal("e783283f46242139c486a698fec7211d", response);
    }

    [Fact]
    public void ComputeResponse_NoQop_IsRfc2069Form()
    {
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", Realm, "Circle of Life");
        var response = DigestHash.ComputeResponse(DigestAlgorithm.Md5, ha1, Nonce, null, null, null, "REGISTER", "sip:example.org");
        Assert.Equal("ff2b4f0717f824b7cca1a6c41bb98dac", response);
    }

    // Inputs longer than the stack buffers take the pooled path; values from Python's hashlib.
    [Fact]
    public void ComputeHa1_LongPassword_MatchesOpenSsl()
    {
        Assert.Equal("e96eb9352b5769a2aa7f453d14add375", DigestHash.ComputeHa1(DigestAlgorithm.Md5, "u", "r", new string('p', 1000)));
    }

    [Fact]
    public void ComputeHa1_NonAsciiUsernameAndRealm_HashedAsUtf8()
    {
        Assert.Equal(
            "985b2725d03eab2f41bd1c79b2b5ec5acaada371df69f4d4c4629cddd0099437",
            DigestHash.ComputeHa1(DigestAlgorithm.Sha256, "\u00e4lice", "r\u00e9alm", new string('x', 600)));
    }

    [Fact]
    public void ComputeResponse_Ha1OfWrongLength_Throws()
    {
        var md5Ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "a", "b", "c");
        Assert.Throws<ArgumentException>(() =>
            DigestHash.ComputeResponse(DigestAlgorithm.Sha256, md5Ha1, Nonce, Cnonce, "00000001", "auth", "GET", "/"));
    }

    [Theory]
    [InlineData("MD5", DigestAlgorithm.Md5)]
    [InlineData("md5-SESS", DigestAlgorithm.Md5Sess)]
    [InlineData("SHA-256", DigestAlgorithm.Sha256)]
    [InlineData("SHA-256-sess", DigestAlgorithm.Sha256Sess)]
    [InlineData("SHA-512-256", DigestAlgorithm.Sha512T256)]
    [InlineData("SHA-512-256-sess", DigestAlgorithm.Sha512T256Sess)]
    public void DigestAlgorithms_TryParse_KnownTokens_RoundTrip(string token, DigestAlgorithm expected)
    {
        Assert.True(DigestAlgorithms.TryParse(token, out var algorithm));
        Assert.Equal(expected, algorithm);
        Assert.True(DigestAlgorithms.TryParse(DigestAlgorithms.ToToken(algorithm), out var again));
        Assert.Equal(expected, again);
    }

    [Theory]
    [InlineData("SHA-512")]
    [InlineData("AKAv1-MD5")]
    [InlineData("")]
    public void DigestAlgorithms_TryParse_UnknownToken_ReturnsFalse(string token)
    {
        Assert.False(DigestAlgorithms.TryParse(token, out _));
    }
}
