using Akka.Configuration;
using Routing.Cluster.Registrar;
using Routing.Edge;
using Routing.Edge.Registrar;
using Routing.Node.Configuration;
using Routing.Node.Hosting;
using Routing.Node.Registrar;
using Routing.Sip.Auth;

namespace Routing.Node.Tests.Registrar;

public sealed class RegistrarCompositionTests
{
    private static readonly NodeIdentity Identity = new("id", "/tmp", "token", null, "1.0.0");

    [Fact]
    public void Read_Defaults_DigestWriteThroughSha256ThenMd5()
    {
        var s = RegistrarComposition.Read(new NodeOptions(), Identity, new EdgeOptions());

        Assert.Equal(RegistrarAuthentication.Digest, s.Entity.Authentication);
        Assert.Equal(RefreshPersistence.WriteThrough, s.Entity.RefreshPersistence);
        Assert.Equal([DigestAlgorithm.Sha256, DigestAlgorithm.Md5], s.Edge.ChallengeAlgorithms);
        Assert.True(s.Edge.HideUnknownUsers);
        Assert.Equal(60u, s.Entity.MinExpires);
    }

    [Fact]
    public void Read_ConfigFileAndAuthNone_AreApplied()
    {
        var o = new NodeOptions { ConfigFile = ConfigurationFactory.ParseString("""
            routing.registrar {
              refresh-persistence = coalesce
              coalesce-window = 120s
              min-expires = 30
              lockout-attempts = 3
              challenge-algorithms = [MD5]
              hide-unknown-users = off
            }
            """) };
        o.Auth.Mode = AuthMode.None;
        o.Sip.Domains = ["example.com"];

        var s = RegistrarComposition.Read(o, Identity, new EdgeOptions());

        Assert.Equal(RegistrarAuthentication.None, s.Entity.Authentication);
        Assert.False(s.Edge.Digest);
        Assert.Equal(RefreshPersistence.Coalesce, s.Entity.RefreshPersistence);
        Assert.Equal(TimeSpan.FromSeconds(120), s.Entity.CoalesceWindow);
        Assert.Equal(30u, s.Entity.MinExpires);
        Assert.Equal(3, s.Entity.LockoutAttempts);
        Assert.Equal([DigestAlgorithm.Md5], s.Edge.ChallengeAlgorithms);
        Assert.False(s.Entity.HideUnknownUsers);
        Assert.Equal(["example.com"], s.Edge.Domains);
    }

    [Fact]
    public void Read_UnknownChallengeAlgorithm_NamesTheKey()
    {
        var o = new NodeOptions { ConfigFile = ConfigurationFactory.ParseString("routing.registrar.challenge-algorithms = [SHA-1]") };

        var e = Assert.Throws<ConfigurationException>(() => RegistrarComposition.Read(o, Identity, new EdgeOptions()));

        Assert.Contains("routing.registrar.challenge-algorithms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Timeout_DefaultFiveSecondsAndANonPositiveOneNamesTheKey()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), RegistrarComposition.Read(new NodeOptions(), Identity, new EdgeOptions()).AskTimeout);
        Assert.Equal(8000, RegistrarComposition.Read(new NodeOptions(), Identity, new EdgeOptions()).Edge.MaxInFlight);
        var o = new NodeOptions { ConfigFile = ConfigurationFactory.ParseString("routing.registrar.timeout = 0s") };

        var e = Assert.Throws<ConfigurationException>(() => RegistrarComposition.Read(o, Identity, new EdgeOptions()));

        Assert.Contains("routing.registrar.timeout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownKey_RefusedNamingIt()
    {
        // A typo must not leave its setting silently at the default (here write-through instead of coalesce).
        var o = new NodeOptions { ConfigFile = ConfigurationFactory.ParseString("""
            routing.registrar {
              min-expires = 30
              refresh-persistance = coalesce
            }
            """) };

        var e = Assert.Throws<ConfigurationException>(() => RegistrarComposition.Read(o, Identity, new EdgeOptions()));

        Assert.StartsWith("routing.registrar.refresh-persistance: unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RefreshPersistence_OnlyWriteThroughOrCoalesce()
    {
        var o = new NodeOptions { ConfigFile = ConfigurationFactory.ParseString("routing.registrar.refresh-persistence = coalesced") };

        var e = Assert.Throws<ConfigurationException>(() => RegistrarComposition.Read(o, Identity, new EdgeOptions()));

        Assert.Equal("routing.registrar.refresh-persistence: expected write-through or coalesce, got 'coalesced'", e.Message);
    }

    [Fact]
    public void ProxyRead_UnknownKey_RefusedNamingIt()
    {
        var o = new NodeOptions { ConfigFile = ConfigurationFactory.ParseString("routing.proxy { max-breadth = 10, fork-timeout = 30s }") };

        var e = Assert.Throws<ConfigurationException>(() => Routing.Node.Proxy.ProxyComposition.Read(o, new EdgeOptions(), revealUnknownUsers: false));

        Assert.StartsWith("routing.proxy.fork-timeout: unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonceSecret_DerivedFromTheAdminTokenUnlessConfigured()
    {
        var a = RegistrarComposition.Read(new NodeOptions(), Identity, new EdgeOptions());
        var b = RegistrarComposition.Read(new NodeOptions(), Identity with { AdminToken = "other" }, new EdgeOptions());

        Assert.NotEqual(a.Nonces.Secret, b.Nonces.Secret);
    }

    [Theory]
    [InlineData(null, RegisterStatus.Ok)]
    [InlineData(RegisterRejection.StaleNonce, RegisterStatus.StaleNonce)]
    [InlineData(RegisterRejection.LockedOut, RegisterStatus.LockedOut)]
    [InlineData(RegisterRejection.IntervalTooBrief, RegisterStatus.IntervalTooBrief)]
    [InlineData(RegisterRejection.OutOfOrder, RegisterStatus.OutOfOrder)]
    public void Map_Rejection_IsTheMatchingEdgeStatus(RegisterRejection? rejection, RegisterStatus expected)
    {
        Assert.Equal(expected, ClusterRegistrar.Map(new RegisterReply(rejection, [], 0, false)).Status);
    }
}
