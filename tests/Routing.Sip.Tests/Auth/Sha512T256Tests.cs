using System.Text;
using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

public class Sha512T256Tests
{
    // FIPS 180-4 example vectors (NIST CSRC "SHA512_256.pdf"): one-block "abc" and the 896-bit two-block message.
    [Fact]
    public void Fips180_4_OneBlockAbc_MatchesNistVector()
    {
        var digest = Sha512T256.HashData("abc"u8);
        Assert.Equal("53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Fips180_4_TwoBlockMessage_MatchesNistVector()
    {
        var message = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"u8;
        var digest = Sha512T256.HashData(message);
        Assert.Equal("3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void HashData_EmptyInput_MatchesKnownDigest()
    {
        var digest = Sha512T256.HashData(ReadOnlySpan<byte>.Empty);
        Assert.Equal("c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void HashData_IsNotTruncatedSha512()
    {
        var truncated = System.Security.Cryptography.SHA512.HashData("abc"u8)[..32];
        Assert.NotEqual(truncated, Sha512T256.HashData("abc"u8));
    }

    // Lengths around the 112-byte padding boundary (one vs two final blocks); digests from OpenSSL's SHA-512/256.
    [Theory]
    [InlineData(111, "0239e429f98d0ed61ee8e2a7c30afe98c1c3a80ce5dff62a107e9c538f7632ce")]
    [InlineData(112, "9216b5303edb66504570bee90e48ea5beaa5e9fe9f760bbd3e0460559fc005f6")]
    [InlineData(127, "2fe3b2a6ee7e12f6fe4ba82166541ad9b4ed882c493581cbe300d68f3757b778")]
    [InlineData(128, "b88f97e274f9c1d49f181c8cbd01a9c74930ad055a46ac4499a1d601f1c80bf2")]
    [InlineData(239, "78d0a1b37aaad84c89fff13cbe3cd3d1025bcdb648268f9102b7e7032bea7d2a")]
    [InlineData(240, "d48a4d53397b38ab4e771d781c98ac6b86712dff2a664cfd1f27c7ca40f8ce37")]
    public void HashData_PaddingBoundaries_MatchOpenSsl(int length, string expected)
    {
        var data = Encoding.ASCII.GetBytes(new string('a', length));
        Assert.Equal(expected, Convert.ToHexStringLower(Sha512T256.HashData(data)));
    }

    [Fact]
    public void HashData_MillionA_MatchesKnownDigest()
    {
        var data = new byte[1_000_000];
        data.AsSpan().Fill((byte)'a');
        Assert.Equal(
            "9a59a052930187a97038cae692f30708aa6491923ef5194394dc68d56c74fb21",
            Convert.ToHexStringLower(Sha512T256.HashData(data)));
    }
}
