using System.Text;
using Routing.Sip.Auth;

namespace Routing.Sip.Tests.Auth;

public class DigestFuzzTests
{
    private static readonly string[] Seeds =
    [
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        "Digest username=\"alice\",realm=\"test.local\",cnonce=\"6b8b4567\",nc=00000001,qop=auth,uri=\"sip:127.0.0.1:5070\",nonce=\"AAABohe6EgDsr-DepFvCSuXk3PGo-RyXRsWaIxVC6jZs-40FJ7cI2A\",response=\"1131ab77eb969eadcfd4023d11e67189\",algorithm=MD5,opaque=\"op-42\"",
        "Digest username=\"a\\\"b\", realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"00\",\r\n x=y",
    ];

    [Fact]
    public void TryParseAndVerify_RandomMutations_NeverThrow()
    {
        var random = new Random(7616);
        var verifier = new DigestVerifier(new DigestNonceService(new DigestNonceOptions { Secret = Encoding.ASCII.GetBytes("sipp-interop-secret-0123456789ab") }));
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "alice", "test.local", "s3cret");
        var now = new DateTimeOffset(2026, 11, 26, 12, 0, 1, TimeSpan.Zero);
        var alphabet = "\",\\= \r\n\t\0\u00ffaZ9-"u8.ToArray();
        var parsedChallenges = 0;
        var parsedCredentials = 0;
        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var bytes = Encoding.UTF8.GetBytes(Seeds[iteration % Seeds.Length]);
            var edits = 1 + random.Next(3);
            for (var e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = random.Next(2) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
            }

            if (DigestChallenge.TryParse(bytes, out var challenge, out var challengeError))
            {
                parsedChallenges++;
                _ = challenge.ToHeaderValue();
                _ = challenge.Algorithm;
            }
            else
            {
                Assert.InRange(challengeError.Offset, 0, bytes.Length);
            }

            if (DigestCredentials.TryParse(bytes, out var credentials, out var credentialsError))
            {
                parsedCredentials++;
                _ = credentials.ToHeaderValue();
                var result = verifier.Verify(credentials, "REGISTER", "test.local", null, ha1, now);
                Assert.True(Enum.IsDefined(result));
            }
            else
            {
                Assert.InRange(credentialsError.Offset, 0, bytes.Length);
            }
        }

        // The mutations must leave enough parseable input for the verifier path to be exercised.
        Assert.True(parsedChallenges > 100, $"{parsedChallenges} challenges parsed");
        Assert.True(parsedCredentials > 100, $"{parsedCredentials} credentials parsed");
    }
}
