namespace Routing.Cluster.Registrar;

/// <summary>
/// One contact bound to an AOR (RFC 3261 §10.3 step 7, RFC 5626 §6, RFC 3327 §5.3). The contact URI and its
/// contact-params are kept apart, as received.
/// </summary>
/// <param name="ContactUri">The contact URI as received (URI parameters and escaped headers included).</param>
/// <param name="Parameters">The contact-params as received, including q, expires, +sip.instance, reg-id, pn-* and feature tags.</param>
/// <param name="Q">q in thousandths, null when absent.</param>
/// <param name="ExpiresAt">When the binding lapses.</param>
/// <param name="CallId">Call-ID of the REGISTER that last wrote the binding.</param>
/// <param name="CSeq">Its CSeq number.</param>
/// <param name="Instance">+sip.instance (RFC 5626), null when absent.</param>
/// <param name="RegId">reg-id (RFC 5626), null when absent.</param>
/// <param name="Path">Path values (RFC 3327): used as the Route set towards this contact.</param>
/// <param name="Source">Where the REGISTER came from, and over what.</param>
/// <param name="UserAgent">The REGISTER's User-Agent, null when absent.</param>
/// <param name="RegisteredAt">When the binding was first made.</param>
public sealed record Binding(
    string ContactUri,
    string Parameters,
    int? Q,
    DateTimeOffset ExpiresAt,
    string CallId,
    long CSeq,
    string? Instance,
    int? RegId,
    IReadOnlyList<string> Path,
    BindingSource Source,
    string? UserAgent,
    DateTimeOffset RegisteredAt)
{
    /// <summary>RFC 5626 §6: with instance and reg-id the flow, not the URI, names the binding.</summary>
    public bool IsOutboundFlow => Instance is not null && RegId is not null;

    /// <summary>The binding's key: "instance reg-id" for an outbound flow, else the contact URI.</summary>
    public string Key => IsOutboundFlow ? FlowKey(Instance!, RegId!.Value) : ContactUri;

    public static string FlowKey(string instance, int regId) => instance + " " + regId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Value equality, Path compared element by element (records compare lists by reference).</summary>
    public bool Equals(Binding? other) =>
        other is not null
        && ContactUri == other.ContactUri && Parameters == other.Parameters && Q == other.Q && ExpiresAt == other.ExpiresAt
        && CallId == other.CallId && CSeq == other.CSeq && Instance == other.Instance && RegId == other.RegId
        && Path.SequenceEqual(other.Path) && Source == other.Source && UserAgent == other.UserAgent && RegisteredAt == other.RegisteredAt;

    public override int GetHashCode() => HashCode.Combine(ContactUri, ExpiresAt, CallId, CSeq, Instance, RegId, Source);

    /// <summary>
    /// This binding, with every text equal to <paramref name="previous"/>'s taken from it. A refresh usually repeats
    /// the contact, Call-ID, User-Agent and source, and the state then holds the old (long-lived) strings instead of
    /// the request's new copies: the collector has far less to promote per REGISTER. Equal by value to this binding.
    /// </summary>
    public Binding SharingTextWith(Binding previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return new Binding(
            Same(ContactUri, previous.ContactUri), Same(Parameters, previous.Parameters), Q, ExpiresAt, Same(CallId, previous.CallId), CSeq,
            Same(Instance, previous.Instance), RegId, Path.SequenceEqual(previous.Path) ? previous.Path : Path,
            Source == previous.Source ? previous.Source : Source, Same(UserAgent, previous.UserAgent), RegisteredAt);
    }

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Same(string? value, string? previous) => string.Equals(value, previous, StringComparison.Ordinal) ? previous : value;
}

/// <summary>The user was created by an operator.</summary>
public sealed record UserProvisioned(string Aor, string Username, string Realm, DateTimeOffset At) : IUserEvent;

/// <summary>The user was removed; its bindings go with it.</summary>
public sealed record UserDeprovisioned(string Aor, DateTimeOffset At) : IUserEvent;

/// <summary>Digest credentials replaced (HA1 per algorithm, RFC 7616 §3.4.2); the password is never stored.</summary>
public sealed record CredentialsSet(IReadOnlyList<Ha1Entry> Credentials, DateTimeOffset At) : IUserEvent
{
    /// <summary>Value equality, credentials compared element by element.</summary>
    public bool Equals(CredentialsSet? other) => other is not null && At == other.At && Credentials.SequenceEqual(other.Credentials);

    public override int GetHashCode() => HashCode.Combine(At, Credentials.Count);
}

/// <summary>A new contact (or flow) was bound.</summary>
public sealed record BindingAdded(Binding Binding) : IUserEvent;

/// <summary>
/// An existing binding was rewritten by a later REGISTER (new expiry, Call-ID/CSeq, or a new contact URI / source for
/// the same RFC 5626 flow). The whole binding is carried so that replay needs no history.
/// </summary>
public sealed record BindingRefreshed(string Key, Binding Binding) : IUserEvent;

/// <summary>Why a binding went away.</summary>
public enum BindingRemovalReason
{
    /// <summary>expires=0 for this contact (RFC 3261 §10.2.2).</summary>
    Unregistered,
    /// <summary>Contact: * with Expires: 0.</summary>
    Wildcard,
    /// <summary>The user was deprovisioned.</summary>
    Deprovisioned,
}

/// <summary>A binding was removed on request.</summary>
public sealed record BindingRemoved(string Key, BindingRemovalReason Reason, DateTimeOffset At) : IUserEvent;

/// <summary>A binding reached its expiry without refresh (RFC 3261 §10.3: the registrar removes it).</summary>
public sealed record BindingExpired(string Key, DateTimeOffset At) : IUserEvent;
