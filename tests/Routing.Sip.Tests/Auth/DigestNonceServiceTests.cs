using System.Text;
using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

public class DigestNonceServiceTests
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("cluster-secret-cluster-secret-32");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private static DigestNonceService Create(TimeSpan? lifetime = null, IReadOnlyList<IReadOnlyList<byte>>? previous = null) =>
        new(new DigestNonceOptions { Secret = Secret, Lifetime = lifetime ?? TimeSpan.FromSeconds(30), PreviousSecrets = previous ?? [] });

    [Fact]
    public void Issue_IsBase64UrlOfFixedLength()
    {
        var nonce = Create().Issue(_time.GetUtcNow(), "r");
        Assert.Equal(DigestNonceService.NonceLength, nonce.Length);
        foreach (var c in nonce)
        {
            Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"unexpected '{c}'");
        }
    }

    [Fact]
    public void Check_FreshNonce_ValidOnAnotherNodeWithSameSecret()
    {
        var nonce = Create().Issue(_time.GetUtcNow(), "r");
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(DigestNonceStatus.Valid, Create().Check(nonce, _time.GetUtcNow(), "r"));
    }

    [Fact]
    public void Check_AfterLifetime_Expired()
    {
        var service = Create();
        var nonce = service.Issue(_time.GetUtcNow(), "r");
        _time.Advance(TimeSpan.FromSeconds(30) + TimeSpan.FromMilliseconds(1));
        Assert.Equal(DigestNonceStatus.Expired, service.Check(nonce, _time.GetUtcNow(), "r"));
    }

    [Fact]
    public void Check_OtherRealm_Invalid()
    {
        var service = Create();
        var nonce = service.Issue(_time.GetUtcNow(), "a.example");
        Assert.Equal(DigestNonceStatus.Invalid, service.Check(nonce, _time.GetUtcNow(), "b.example"));
    }

    [Fact]
    public void Check_TimestampFromFutureBeyondSkew_Invalid()
    {
        var service = Create();
        var nonce = service.Issue(_time.GetUtcNow() + TimeSpan.FromMinutes(1), "r");
        Assert.Equal(DigestNonceStatus.Invalid, service.Check(nonce, _time.GetUtcNow(), "r"));
    }

    [Fact]
    public void Check_EveryFlippedCharacter_Invalid()
    {
        var service = Create();
        var nonce = service.Issue(_time.GetUtcNow(), "r");
        for (var i = 0; i < nonce.Length; i++)
        {
            var chars = nonce.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            Assert.Equal(DigestNonceStatus.Invalid, service.Check(new string(chars), _time.GetUtcNow(), "r"));
        }
    }

    [Fact]
    public void Check_ExtendedTimestampWithOldMac_Invalid()
    {
        // Moving the timestamp forward to escape expiry must break the MAC.
        var service = Create();
        var old = Convert.FromBase64String(ToStandardBase64(service.Issue(_time.GetUtcNow(), "r")));
        _time.Advance(TimeSpan.FromMinutes(5));
        var fresh = Convert.FromBase64String(ToStandardBase64(service.Issue(_time.GetUtcNow(), "r")));
        Array.Copy(fresh, old, 8);
        var spliced = System.Buffers.Text.Base64Url.EncodeToString(old);
        Assert.Equal(DigestNonceStatus.Invalid, service.Check(spliced, _time.GetUtcNow(), "r"));
    }

    [Fact]
    public void Check_RotatedSecret_AcceptedAsPrevious()
    {
        var oldService = new DigestNonceService(new DigestNonceOptions { Secret = new byte[32] });
        var nonce = oldService.Issue(_time.GetUtcNow(), "r");
        Assert.Equal(DigestNonceStatus.Invalid, Create().Check(nonce, _time.GetUtcNow(), "r"));
        Assert.Equal(DigestNonceStatus.Valid, Create(previous: [new byte[32]]).Check(nonce, _time.GetUtcNow(), "r"));
    }

    [Fact]
    public void Constructor_ShortSecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => new DigestNonceService(new DigestNonceOptions { Secret = new byte[16] }));
    }

    private static string ToStandardBase64(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
