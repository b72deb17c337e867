using Akka.Actor;
using Routing.Cluster.Registrar;
using Routing.Edge.Proxy;
using Routing.Sip.Auth;

namespace Routing.Node.Proxy;

/// <summary>
/// Verifies Proxy-Authorization (RFC 3261 §22.3) against the HA1 the From user's <c>user</c> entity holds: one
/// <see cref="GetDigestCredentials"/> to the shard region, answered from the entity's state (no journal read, no
/// password on the wire). The digest itself is checked here with the SIP core's <see cref="DigestVerifier"/> and the
/// cluster's shared nonce secret. Nothing is cached, so a password change or a removal applies to the next INVITE.
/// </summary>
public sealed class UserEntityProxyCredentials : IProxyCredentials
{
    private readonly Func<CancellationToken, Task<IActorRef>> _region;
    private readonly DigestVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    /// <param name="region">The <c>user</c> shard region (or its proxy on an edge-only node).</param>
    /// <param name="timeout">How long the entity may take to answer (it may first recover from the journal).</param>
    public UserEntityProxyCredentials(Func<CancellationToken, Task<IActorRef>> region, DigestVerifier verifier, TimeProvider time, TimeSpan timeout)
    {
        _region = region ?? throw new ArgumentNullException(nameof(region));
        _verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _timeout = timeout;
    }

    public async Task<CredentialVerdict> VerifyAsync(string aor, string method, string authorization, string sourceAddress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (!DigestCredentials.TryParse(authorization, out var credentials, out _))
        {
            return CredentialVerdict.Challenge;
        }

        DigestCredentialsResult stored;
        try
        {
            var region = await _region(cancellationToken).ConfigureAwait(false);
            stored = await region.Ask<DigestCredentialsResult>(new GetDigestCredentials(aor), _timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return CredentialVerdict.Unavailable;
        }

        return Verify(stored, credentials, method);
    }

    /// <summary>The verdict for <paramref name="credentials"/> against what the entity answered.</summary>
    internal CredentialVerdict Verify(DigestCredentialsResult stored, DigestCredentials credentials, string method)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!stored.Provisioned || stored.Username is null || stored.Realm is null || stored.Credentials.Count == 0)
        {
            return CredentialVerdict.Rejected;
        }

        if (!string.Equals(credentials.Username, stored.Username, StringComparison.Ordinal))
        {
            return CredentialVerdict.Rejected;
        }

        var wanted = DigestAlgorithms.BaseOf(credentials.Algorithm ?? DigestAlgorithm.Md5);
        string? ha1 = null;
        foreach (var c in stored.Credentials)
        {
            if (c.Algorithm == wanted)
            {
                ha1 = c.Ha1;
                break;
            }
        }

        if (ha1 is null)
        {
            return CredentialVerdict.Challenge;
        }

        // The digest-uri is not compared with the Request-URI here: a proxy may see the Request-URI rewritten by an
        // outbound proxy before it (RFC 3261 §22.4 leaves the comparison to the element that can make it).
        return _verifier.Verify(credentials, method, stored.Realm, null, ha1, _time.GetUtcNow()) switch
        {
            DigestVerificationResult.Ok => CredentialVerdict.Ok,
            DigestVerificationResult.Stale => CredentialVerdict.Stale,
            DigestVerificationResult.BadNonce or DigestVerificationResult.RealmMismatch or DigestVerificationResult.AlgorithmNotAllowed
                or DigestVerificationResult.UnknownAlgorithm => CredentialVerdict.Challenge,
            _ => CredentialVerdict.Rejected,
        };
    }
}
