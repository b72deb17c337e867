using Routing.Cluster.Registrar;
using Routing.Node.Admin;
using Routing.Sip.Auth;

namespace Routing.Node.Tests.Registrar;

public sealed class UserEndpointsTests
{
    [Fact]
    public void TryProvision_Password_StoresSha256AndMd5Ha1AndNeverThePassword()
    {
        Assert.True(UserEndpoints.TryProvision(new UserCredentialsRequest("sip:Alice@Example.COM;transport=tcp", "secret"), out var command, out _));

        Assert.Equal("sip:Alice@example.com", command!.Aor);
        Assert.Equal("Alice", command.Username);
        Assert.Equal("example.com", command.Realm);
        Assert.Equal(
        [
            new Ha1Entry(DigestAlgorithm.Sha256, DigestHash.ComputeHa1(DigestAlgorithm.Sha256, "Alice", "example.com", "secret")),
            new Ha1Entry(DigestAlgorithm.Md5, DigestHash.ComputeHa1(DigestAlgorithm.Md5, "Alice", "example.com", "secret")),
        ], command.Credentials);
        Assert.DoesNotContain(command.Credentials, c => c.Ha1.Contains("secret", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("sip:example.com")]
    [InlineData("tel:+15551234")]
    public void TryProvision_NotASipAorWithUser_IsRefused(string aor)
    {
        Assert.False(UserEndpoints.TryProvision(new UserCredentialsRequest(aor, "pw"), out _, out var error));
        Assert.Contains("address-of-record", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryProvision_EmptyPassword_IsRefused()
    {
        Assert.False(UserEndpoints.TryProvision(new UserCredentialsRequest("sip:a@example.com", ""), out _, out var error));
        Assert.Equal("aor and password are required", error);
    }

    [Fact]
    public void TryNormalize_EscapedUnreservedCharacters_AreUnescapedInTheAor()
    {
        Assert.True(UserEndpoints.TryNormalize("sip:%61lice@example.com", out var aor, out var user, out _, out _));

        Assert.Equal("sip:alice@example.com", aor);
        Assert.Equal("alice", user);
    }
}
