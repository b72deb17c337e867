namespace Routing.Edge.Proxy;

/// <summary>What the location service knows about an address-of-record.</summary>
public enum LocationStatus
{
    /// <summary>At least one live binding.</summary>
    Found,

    /// <summary>A known user without a live binding (480, RFC 3261 §21.4.18).</summary>
    NoBindings,

    /// <summary>No such user (404 unless user hiding is on).</summary>
    UnknownUser,

    /// <summary>The cluster could not answer in time (500 with Retry-After).</summary>
    Unavailable,
}

/// <summary>The answer of <see cref="ILocationPort.LookupAsync"/>.</summary>
public sealed record LocationResult(LocationStatus Status, IReadOnlyList<ProxyTarget> Targets)
{
    public static LocationResult Of(LocationStatus status) => new(status, []);
}

/// <summary>The proxy's port to the registrar's <c>user</c> entities (implemented by the node).</summary>
public interface ILocationPort
{
    /// <summary>The live bindings of <paramref name="aor"/>. Never throws for an answer; faults are <see cref="LocationStatus.Unavailable"/>.</summary>
    Task<LocationResult> LookupAsync(string aor, CancellationToken cancellationToken);
}

/// <summary>One end of a call as the edge sees it (mirrors the dialog entity's party).</summary>
public sealed record CallParty(
    string Aor,
    string Contact,
    string SourceAddress,
    string Transport,
    string? FlowToken,
    string? Instance,
    string? UserAgent,
    string? TlsFingerprint);

/// <summary>(CSeq, method, branch): what makes a request's effect idempotent in the dialog entity.</summary>
public sealed record CallKey(long CSeq, string Method, string Branch);

/// <summary>Which end of a call.</summary>
public enum CallSide
{
    Caller,
    Callee,
    Proxy,
}

/// <summary>A dialog-creating INVITE the proxy accepted.</summary>
/// <param name="At">When the edge took the INVITE (the CDR's setup time); null: when the port sends it.</param>
public sealed record DialogStart(string CallId, CallKey Key, string FromTag, CallParty Caller, string CalleeAor, string RequestUri, uint? SessionExpires,
    DateTimeOffset? At = null);

/// <summary>An in-dialog request arriving at this edge.</summary>
public sealed record InDialogRequest(string CallId, CallKey Key, string FromTag, string ToTag, CallParty Sender, bool TargetRefresh, uint? SessionExpires);

/// <summary>How an in-dialog lookup ended.</summary>
public enum InDialogStatus
{
    Routed,

    /// <summary>481 (RFC 3261 §12.2.2).</summary>
    NoSuchDialog,

    /// <summary>481: the dialog exists but has no answer with this To tag recorded (yet).</summary>
    NotAnswered,

    /// <summary>481: the dialog has ended (BYE, failure, expiry); nothing will make it routable again.</summary>
    Ended,

    /// <summary>500 with Retry-After.</summary>
    Unavailable,
}

/// <summary>Where an in-dialog request goes.</summary>
public sealed record InDialogTarget(InDialogStatus Status, CallParty? Target, CallSide TargetSide);

/// <summary>
/// The proxy's port to the <c>dialog</c> entities (implemented by the node). The recording calls are one-way and
/// keep their order per call; the entity is idempotent, so a redelivery does no harm. The answer and the failure
/// carry the start again: the entity keeps its set-up in memory until then, and an entity restarted elsewhere in
/// between (its routing node lost) gets the start back instead of dropping the answer.
/// </summary>
public interface IDialogPort
{
    /// <summary>Records the start; false when the journal could not take it (the proxy answers 500).</summary>
    Task<bool> StartAsync(DialogStart start, CancellationToken cancellationToken);

    void BranchForked(string callId, int branch, string contact, string? instance);

    void Provisional(string callId, int branch, int status, string? toTag);

    void Answered(DialogStart start, int branch, string toTag, CallParty callee, uint? sessionExpires);

    void Failed(DialogStart start, int status, CallSide by);

    Task<InDialogTarget> RouteAsync(InDialogRequest request, CancellationToken cancellationToken);

    /// <summary>The edge found <paramref name="side"/>'s flow gone and its device's current flow by +sip.instance.</summary>
    void TargetReplaced(string callId, CallSide side, CallParty party);
}

/// <summary>Outcome of checking Proxy-Authorization credentials.</summary>
public enum CredentialVerdict
{
    Ok,

    /// <summary>Right password, expired nonce: challenge again with stale=true (RFC 7616 §3.3).</summary>
    Stale,

    /// <summary>Wrong or foreign credentials: 403.</summary>
    Rejected,

    /// <summary>No usable credentials for the realm: challenge.</summary>
    Challenge,

    /// <summary>The cluster could not answer: 500 with Retry-After.</summary>
    Unavailable,
}

/// <summary>
/// Verifies Proxy-Authorization (RFC 3261 §22.3) against the From user's stored HA1 (implemented by the node over the
/// <c>user</c> entity, which alone holds the HA1).
/// </summary>
public interface IProxyCredentials
{
    Task<CredentialVerdict> VerifyAsync(string aor, string method, string authorization, string sourceAddress, CancellationToken cancellationToken);
}
