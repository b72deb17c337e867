using Routing.Cluster.Serialization;

namespace Routing.Cluster.Dialogs;

/// <summary>
/// Everything sent to a <c>dialog</c> entity; <see cref="CallId"/> is the entity id. Recording commands carry the time
/// the edge saw the SIP message, so CDR times do not drift with journal latency.
/// </summary>
public interface IDialogCommand : IRoutingSerializable
{
    string CallId { get; }
}

/// <summary>Persisted events of a dialog entity (tagged <see cref="DialogEntity.Tag"/> for the CDR projection).</summary>
public interface IDialogEvent : IRoutingSerializable
{
    DateTimeOffset At { get; }
}

/// <summary>Which end of the dialog.</summary>
public enum DialogSide
{
    /// <summary>The UAC of the dialog-creating INVITE (its From).</summary>
    Caller,

    /// <summary>The UAS that answered (its To).</summary>
    Callee,

    /// <summary>The cluster itself (timeouts, session-timer expiry).</summary>
    Proxy,
}

/// <summary>
/// One end of a dialog as the edge saw it: where its requests come from and where requests for it must go.
/// </summary>
/// <param name="Aor">Its address-of-record.</param>
/// <param name="Contact">Its remote target (RFC 3261 §12.1: the Contact URI), refreshed by target-refresh requests.</param>
/// <param name="SourceAddress">"ip:port" of the packets (RFC 3261 §18.2.1 received/rport).</param>
/// <param name="Transport">udp, tcp, tls, ws, wss.</param>
/// <param name="FlowToken">The edge flow that reaches it (RFC 5626), null for plain UDP by address.</param>
/// <param name="Instance">+sip.instance of the device, null when unknown.</param>
/// <param name="UserAgent">User-Agent or Server header, null when absent.</param>
/// <param name="TlsFingerprint">SHA-256 fingerprint of its TLS client certificate, null when not TLS or none.</param>
public sealed record DialogParty(
    string Aor,
    string Contact,
    string SourceAddress,
    string Transport,
    string? FlowToken,
    string? Instance,
    string? UserAgent,
    string? TlsFingerprint);

/// <summary>
/// Identifies one SIP request for idempotency: a retransmission (same branch) or a redelivered cluster message has
/// the same key and must not repeat its effect.
/// </summary>
public sealed record RequestKey(long CSeq, string Method, string Branch)
{
    public override string ToString() => $"{CSeq} {Method} {Branch}";
}

/// <summary>The proxy accepted a dialog-creating INVITE and is about to fork it.</summary>
/// <param name="CalleeAor">The Request-URI as an address-of-record.</param>
/// <param name="SessionExpires">RFC 4028 Session-Expires of the INVITE in seconds, null when absent.</param>
/// <param name="At">When the edge saw the INVITE (the CDR's setup time); null: when the entity takes it.</param>
/// <param name="Durable">Write <see cref="DialogStarted"/> before acknowledging (<c>confirm-dialog-start</c>); otherwise the
/// start is kept in memory and written together with the answer or the failure.</param>
public sealed record StartDialog(string CallId, RequestKey Key, string FromTag, DialogParty Caller, string CalleeAor, string RequestUri,
    uint? SessionExpires, DateTimeOffset? At = null, bool Durable = false) : IDialogCommand;

/// <summary>The INVITE went out on one more branch (a binding of the callee).</summary>
public sealed record RecordBranch(string CallId, int Branch, string Contact, string? Instance, DateTimeOffset? At = null) : IDialogCommand;

/// <summary>A provisional response (180/183) came back on a branch.</summary>
public sealed record RecordProvisional(string CallId, int Branch, int Status, string? ToTag, DateTimeOffset? At = null) : IDialogCommand;

/// <summary>A 2xx came back: the dialog is confirmed with this device.</summary>
/// <param name="SessionExpires">RFC 4028 Session-Expires of the 2xx in seconds, null when absent.</param>
public sealed record RecordAnswer(string CallId, int Branch, string ToTag, DialogParty Callee, uint? SessionExpires, DateTimeOffset? At = null) : IDialogCommand;

/// <summary>Forking ended without a 2xx; <see cref="Status"/> went to the caller.</summary>
public sealed record RecordFailure(string CallId, int Status, DialogSide By, DateTimeOffset? At = null) : IDialogCommand;

/// <summary>
/// An in-dialog request (ACK, re-INVITE, UPDATE, INFO, BYE, ...) arrived at an edge: the entity answers with where it
/// goes and records its effect (target refresh, termination) once per <see cref="Key"/>.
/// </summary>
/// <param name="FromTag">The request's From tag: tells which side sent it.</param>
/// <param name="Sender">The sending party as this edge sees it now (a new source address or Contact means a handoff).</param>
/// <param name="TargetRefresh">The method refreshes the remote target (INVITE, UPDATE, RFC 3261 §12.2.2, RFC 3311).</param>
/// <param name="SessionExpires">RFC 4028 Session-Expires of a refresh, null when absent.</param>
public sealed record RouteInDialog(string CallId, RequestKey Key, string FromTag, string ToTag, DialogParty Sender, bool TargetRefresh,
    uint? SessionExpires, DateTimeOffset? At = null) : IDialogCommand;

/// <summary>The edge found the target's flow gone and re-resolved it through the user entity by +sip.instance.</summary>
public sealed record ReplaceTarget(string CallId, DialogSide Side, DialogParty Party) : IDialogCommand;

/// <summary>Admin query: the dialog's state and its event history.</summary>
public sealed record GetDialog(string CallId) : IDialogCommand;

/// <summary>Hand-off / passivation stop message (never PoisonPill for a persistent entity, akka-notes §2.2).</summary>
public sealed record StopDialog : IRoutingSerializable
{
    public static readonly StopDialog Instance = new();

    private StopDialog() { }
}

/// <summary>Acknowledges a recording command once its events are in the journal.</summary>
/// <param name="Duplicate">The command's effect was already recorded (a retransmission or redelivery).</param>
public sealed record DialogAck(string CallId, bool Duplicate) : IRoutingSerializable;

/// <summary>Why an in-dialog request cannot be routed.</summary>
public enum InDialogRejection
{
    /// <summary>481: the cluster knows no such dialog (RFC 3261 §12.2.2).</summary>
    NoSuchDialog,

    /// <summary>481: the dialog has ended.</summary>
    Ended,

    /// <summary>481: the tags match neither side.</summary>
    TagMismatch,

    /// <summary>500 with Retry-After: the journal refused the write.</summary>
    Unavailable,
}

/// <summary>Answer to <see cref="RouteInDialog"/>: the party the request goes to, or why not.</summary>
/// <param name="Target">The other party, its current contact and flow; null when rejected.</param>
/// <param name="TargetSide">Which side <see cref="Target"/> is.</param>
/// <param name="Refreshed">The request changed the sender's target (a handoff was recorded).</param>
public sealed record InDialogRoute(string CallId, DialogParty? Target, DialogSide TargetSide, bool Refreshed, InDialogRejection? Rejection)
    : IRoutingSerializable;

/// <summary>Answer to <see cref="GetDialog"/>.</summary>
public sealed record DialogView(string CallId, DialogPhase Phase, DialogParty? Caller, DialogParty? Callee, string? CalleeAor,
    IReadOnlyList<IDialogEvent> History) : IRoutingSerializable;
