using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Routing.Cluster.Registrar;
using Routing.Edge.Proxy;
using Routing.Sip.Auth;

namespace Routing.Node.Proxy;

/// <summary>
/// Verifies Proxy-Authorization (RFC 3261 §22.3) against the HA1 the registrar stored for the From user. The user
/// entity answers REGISTER digests only, so the HA1 is read from its journal (the <see cref="CredentialsSet"/> and
/// provisioning events, never a password) and cached briefly; the digest itself is checked with the SIP core's
/// <see cref="DigestVerifier"/> and the cluster's shared nonce secret.
/// </summary>
public sealed class JournalProxyCredentials : IProxyCredentials
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly ActorSystem _system;
    private readonly DigestVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (Stored Credentials, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    public JournalProxyCredentials(ActorSystem system, DigestVerifier verifier, TimeProvider time)
    {
        _system = system ?? throw new ArgumentNullException(nameof(system));
        _verifier = verifier ?? throw new ArgumentNullException(nameof(verifier));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public async Task<CredentialVerdict> VerifyAsync(string aor, string method, string authorization, string sourceAddress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (!DigestCredentials.TryParse(authorization, out var credentials, out _))
        {
            return CredentialVerdict.Challenge;
        }

        Stored stored;
        try
        {
            stored = await LoadAsync(aor, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.Data.Common.DbException)
        {
            return CredentialVerdict.Unavailable;
        }

        if (stored.Username is null || stored.Realm is null || stored.Credentials.Count == 0)
        {
            return CredentialVerdict.Rejected;
        }

        if (!string.Equals(credentials.Username, stored.Username, StringComparison.Ordinal))
        {
            return CredentialVerdict.Rejected;
        }

        var ha1 = Ha1For(stored, credentials.Algorithm ?? DigestAlgorithm.Md5);
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

    private static string? Ha1For(Stored stored, DigestAlgorithm algorithm)
    {
        var wanted = DigestAlgorithms.BaseOf(algorithm);
        foreach (var c in stored.Credentials)
        {
            if (c.Algorithm == wanted)
            {
                return c.Ha1;
            }
        }

        return null;
    }

    private async Task<Stored> LoadAsync(string aor, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(aor, out var hit) && now - hit.At < CacheFor)
        {
            return hit.Credentials;
        }

        var journal = PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = await journal.CurrentEventsByPersistenceId(UserEntity.PersistenceIdPrefix + aor, 0, long.MaxValue)
            .Select(e => e.Event)
            .RunWith(Sink.Seq<object>(), _system.Materializer())
            .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken)
            .ConfigureAwait(false);
        var stored = new Stored(null, null, []);
        foreach (var e in events)
        {
            stored = e switch
            {
                UserProvisioned p => stored with { Username = p.Username, Realm = p.Realm },
                CredentialsSet c => stored with { Credentials = c.Credentials },
                UserDeprovisioned => new Stored(null, null, []),
                _ => stored,
            };
        }

        _cache[aor] = (stored, now);
        return stored;
    }

    private sealed record Stored(string? Username, string? Realm, IReadOnlyList<Ha1Entry> Credentials);
}
