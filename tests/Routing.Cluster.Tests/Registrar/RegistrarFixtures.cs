using Routing.Cluster.Registrar;
using Routing.Sip.Auth;

namespace Routing.Cluster.Tests.Registrar;

/// <summary>Builders shared by the registrar tests: a provisioned alice@example.com, REGISTERs and digest answers.</summary>
internal static class RegistrarFixtures
{
    public const string Aor = "sip:alice@example.com";
    public const string Realm = "example.com";
    public const string Password = "secret";

    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static readonly DigestNonceService Nonces = new(new DigestNonceOptions { Secret = new byte[32] });

    public static readonly DigestVerifier Verifier = new(Nonces);

    public static readonly RegistrarSettings NoAuth = new() { Authentication = RegistrarAuthentication.None };

    public static readonly RegistrarSettings Digest = new() { Authentication = RegistrarAuthentication.Digest };

    public static ProvisionUser Provision(string password = Password) => new(Aor, "alice", Realm,
    [
        new Ha1Entry(DigestAlgorithm.Sha256, DigestHash.ComputeHa1(DigestAlgorithm.Sha256, "alice", Realm, password)),
        new Ha1Entry(DigestAlgorithm.Md5, DigestHash.ComputeHa1(DigestAlgorithm.Md5, "alice", Realm, password)),
    ]);

    public static UserState Provisioned()
    {
        var state = UserState.Empty(Aor);
        foreach (var e in RegistrarDecider.Decide(state, Provision(), T0))
        {
            state = state.Evolve(e);
        }

        return state;
    }

    public static ContactRequest Contact(string uri, uint? expires = null, string parameters = "", string? instance = null, int? regId = null) =>
        new(uri, parameters, expires, null, instance, regId);

    public static RegisterBindings Register(
        IReadOnlyList<ContactRequest> contacts,
        uint? headerExpires = 3600,
        string callId = "call-1",
        long cseq = 1,
        string source = "192.0.2.10:5060",
        string? authorization = null,
        bool star = false,
        bool outbound = false,
        IReadOnlyList<string>? path = null,
        string userAgent = "test-ua/1.0") =>
        new(Aor, "sip:example.com", star, contacts, headerExpires, callId, cseq, path ?? [], new BindingSource(source, "udp"), userAgent,
            authorization, outbound);

    /// <summary>Authorization for alice as a UA computes it (RFC 3261 §22.4, qop=auth).</summary>
    public static string Answer(DateTimeOffset issuedAt, string password = Password, DigestAlgorithm algorithm = DigestAlgorithm.Md5,
        string uri = "sip:example.com", string username = "alice")
    {
        var challenge = DigestChallenge.Create(Realm, Nonces.Issue(issuedAt, Realm), algorithm);
        return DigestCredentials.Answer(challenge, username, password, "REGISTER", uri, "0a4f113b").ToHeaderValue();
    }

    public static RegisterDecision Apply(ref UserState state, RegisterBindings command, DateTimeOffset now, RegistrarSettings settings)
    {
        var d = RegistrarDecider.Decide(state, command, now, settings, Verifier);
        state = d.Next;
        return d;
    }
}
