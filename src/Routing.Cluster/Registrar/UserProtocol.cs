using Routing.Cluster.Serialization;

namespace Routing.Cluster.Registrar;

/// <summary>Everything sent to a <c>user</c> entity; <see cref="Aor"/> is the entity id (the normalized address-of-record).</summary>
public interface IUserCommand : IRoutingSerializable
{
    string Aor { get; }
}

/// <summary>Persisted events of a user entity.</summary>
public interface IUserEvent : IRoutingSerializable;

/// <summary>How a binding arrived: the transport it came over (RFC 3261 §18) and what the edge saw.</summary>
/// <param name="Address">The packet's source "ip:port" (RFC 3261 §18.2.1 received/rport).</param>
/// <param name="Transport">udp, tcp, tls, ws, wss (lower case).</param>
public sealed record BindingSource(string Address, string Transport);

/// <summary>One contact of a REGISTER as the edge extracted it.</summary>
/// <param name="Uri">The contact URI as received, URI parameters and escaped headers included (RFC 4475 §3.3.13, §3.3.14).</param>
/// <param name="Parameters">The contact-params (header parameters after the URI) as received, with the leading ';' (RFC 4475 §3.3.12).</param>
/// <param name="Expires">The contact's expires parameter (RFC 3261 §10.2.1.1), null when absent.</param>
/// <param name="Q">q-value in thousandths (RFC 3261 §20.10), null when absent.</param>
/// <param name="Instance">+sip.instance (RFC 5626 §4.1), null when absent.</param>
/// <param name="RegId">reg-id (RFC 5626 §4.2), null when absent.</param>
public sealed record ContactRequest(string Uri, string Parameters, uint? Expires, int? Q, string? Instance, int? RegId);

/// <summary>RFC 3261 §10.3: a REGISTER, extracted by the edge, for the registrar entity of its To AOR.</summary>
/// <param name="Aor">The To URI as an address-of-record (<c>SipUri.ToAddressOfRecord</c>).</param>
/// <param name="Star">Contact: * (remove every binding, RFC 3261 §10.2.2).</param>
/// <param name="HeaderExpires">The Expires header (RFC 3261 §10.2.1.1), null when absent.</param>
/// <param name="Path">Path header values in order (RFC 3327 §5.3), the edge's own entry first.</param>
/// <param name="Authorization">The Authorization header value for our realm, null when the request carried none.</param>
/// <param name="Outbound">The UA listed "outbound" in Supported (RFC 5626 §5.2).</param>
public sealed record RegisterBindings(
    string Aor,
    string RequestUri,
    bool Star,
    IReadOnlyList<ContactRequest> Contacts,
    uint? HeaderExpires,
    string CallId,
    long CSeq,
    IReadOnlyList<string> Path,
    BindingSource Source,
    string? UserAgent,
    string? Authorization,
    bool Outbound) : IUserCommand;

/// <summary>Why a REGISTER was not accepted; each maps to one SIP response at the edge.</summary>
public enum RegisterRejection
{
    /// <summary>401: no or unusable credentials; challenge (RFC 3261 §22.4).</summary>
    Challenge,
    /// <summary>401 with stale=true: right password, expired nonce (RFC 7616 §3.3).</summary>
    StaleNonce,
    /// <summary>403: wrong credentials, or credentials for another user (RFC 3261 §10.3 step 4).</summary>
    Forbidden,
    /// <summary>403: too many failed attempts from this source for this AOR; try again after the lock-out window.</summary>
    LockedOut,
    /// <summary>404: no such user (only when user hiding is off, RFC 3261 §10.3 step 5).</summary>
    NotFound,
    /// <summary>423 with Min-Expires (RFC 3261 §10.3 step 7).</summary>
    IntervalTooBrief,
    /// <summary>400: Contact * with other contacts or a non-zero Expires (RFC 3261 §10.3 step 6).</summary>
    InvalidStar,
    /// <summary>400: the Call-ID is known and the CSeq is not higher (RFC 3261 §10.3 step 7).</summary>
    OutOfOrder,
    /// <summary>400: reg-id without +sip.instance, or several reg-ids for one flow (RFC 5626 §6).</summary>
    InvalidOutbound,
    /// <summary>403: more contacts than the configured maximum per AOR.</summary>
    TooManyBindings,
}

/// <summary>A binding as answered in the 200 (RFC 3261 §10.3 step 8) and shown by the admin API.</summary>
/// <param name="RemainingSeconds">Whole seconds until expiry (the 200's expires parameter).</param>
public sealed record BindingView(Binding Binding, long RemainingSeconds);

/// <summary>Answer to <see cref="RegisterBindings"/>: either the current bindings or a rejection.</summary>
/// <param name="Rejection">Null when accepted.</param>
/// <param name="MinExpires">For <see cref="RegisterRejection.IntervalTooBrief"/>: the Min-Expires to send.</param>
/// <param name="OutboundUsed">A binding with instance-id and reg-id was made: the 200 carries Require: outbound (RFC 5626 §6).</param>
public sealed record RegisterReply(RegisterRejection? Rejection, IReadOnlyList<BindingView> Bindings, uint MinExpires, bool OutboundUsed)
    : IRoutingSerializable
{
    public static RegisterReply Rejected(RegisterRejection reason, uint minExpires = 0) => new(reason, [], minExpires, false);
}

/// <summary>Stored HA1 = H(username:realm:password) for one digest algorithm (RFC 7616 §3.4.2); never the password.</summary>
public sealed record Ha1Entry(Routing.Sip.Auth.DigestAlgorithm Algorithm, string Ha1);

/// <summary>Admin: create the user (if new) and set its credentials.</summary>
/// <param name="Username">The digest username (the AOR's user part).</param>
/// <param name="Realm">The digest realm (the AOR's domain).</param>
public sealed record ProvisionUser(string Aor, string Username, string Realm, IReadOnlyList<Ha1Entry> Credentials) : IUserCommand;

/// <summary>Admin: remove the user and all its bindings.</summary>
public sealed record DeprovisionUser(string Aor) : IUserCommand;

/// <summary>Admin query: the user, its credentials' algorithms and its live bindings.</summary>
public sealed record GetUser(string Aor) : IUserCommand;

/// <summary>
/// Proxy query: the digest username, realm and HA1s of the user, to check a Proxy-Authorization (RFC 3261 §22.3). Answered
/// from the entity's state by <see cref="DigestCredentialsResult"/>; the password is never stored, so it never travels.
/// </summary>
public sealed record GetDigestCredentials(string Aor) : IUserCommand;

/// <summary>Answer to <see cref="GetDigestCredentials"/>.</summary>
/// <param name="Provisioned">False for an unknown AOR (or one that registered without provisioning): no credentials.</param>
public sealed record DigestCredentialsResult(string Aor, bool Provisioned, string? Username, string? Realm, IReadOnlyList<Ha1Entry> Credentials)
    : IRoutingSerializable
{
    /// <summary>Value equality, credentials compared element by element.</summary>
    public bool Equals(DigestCredentialsResult? other) =>
        other is not null && Aor == other.Aor && Provisioned == other.Provisioned && Username == other.Username && Realm == other.Realm
        && Credentials.SequenceEqual(other.Credentials);

    public override int GetHashCode() => HashCode.Combine(Aor, Provisioned, Username, Realm, Credentials.Count);
}

/// <summary>Answer to <see cref="ProvisionUser"/> / <see cref="DeprovisionUser"/>.</summary>
public sealed record UserChangeResult(string Aor, UserChangeOutcome Outcome) : IRoutingSerializable;

/// <summary>What an admin change did.</summary>
public enum UserChangeOutcome
{
    Created,
    Updated,
    Removed,
    NotFound,
    JournalUnavailable,
}

/// <summary>Answer to <see cref="GetUser"/>.</summary>
/// <param name="Provisioned">False for an AOR that registered without provisioning (--auth none) or is unknown.</param>
public sealed record UserResult(string Aor, bool Provisioned, IReadOnlyList<Routing.Sip.Auth.DigestAlgorithm> Algorithms,
    IReadOnlyList<BindingView> Bindings, int FailedAttempts) : IRoutingSerializable;

/// <summary>The hand-off / passivation stop message (akka-notes §2.7: never PoisonPill for a persistent entity).</summary>
public sealed record StopUser : IRoutingSerializable
{
    public static readonly StopUser Instance = new();

    private StopUser() { }
}

/// <summary>Reply when the journal refused or failed a write: the edge answers 500 with Retry-After (RFC 3261 §21.5.1).</summary>
public sealed record RegistrarUnavailable(string Aor) : IRoutingSerializable;
