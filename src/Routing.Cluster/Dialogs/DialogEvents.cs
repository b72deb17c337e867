namespace Routing.Cluster.Dialogs;

/// <summary>A dialog-creating INVITE was accepted for forking.</summary>
/// <param name="Key">The INVITE's request key (a retransmission does not start a second dialog).</param>
public sealed record DialogStarted(string CallId, RequestKey Key, string FromTag, DialogParty Caller, string CalleeAor, string RequestUri,
    uint? SessionExpires, DateTimeOffset At) : IDialogEvent;

/// <summary>The INVITE went out to one binding of the callee.</summary>
public sealed record BranchForked(int Branch, string Contact, string? Instance, DateTimeOffset At) : IDialogEvent;

/// <summary>The first provisional response with a To tag (or 180/183) came back on a branch: the callee is ringing.</summary>
public sealed record DialogRinging(int Branch, int Status, string? ToTag, DateTimeOffset At) : IDialogEvent;

/// <summary>A 2xx: the dialog is confirmed with the device that answered.</summary>
public sealed record DialogAnswered(int Branch, string ToTag, DialogParty Callee, uint? SessionExpires, DateTimeOffset At) : IDialogEvent;

/// <summary>
/// A 2xx from another branch after the dialog was confirmed (RFC 3261 §16.7 step 5 forwards every 2xx): a second
/// dialog with the same Call-ID and From tag and its own To tag. The caller ACKs it and then sends it a BYE (§13.2.2.4);
/// both are routed to the device that answered on that branch. The call itself (and its CDR) stays the first dialog.
/// </summary>
public sealed record ExtraDialogAnswered(int Branch, string ToTag, DialogParty Callee, DateTimeOffset At) : IDialogEvent;

/// <summary>A BYE on one of the <see cref="ExtraDialogAnswered"/> dialogs: it is over, the call goes on.</summary>
public sealed record ExtraDialogEnded(string ToTag, DialogSide By, RequestKey Key, DateTimeOffset At) : IDialogEvent;

/// <summary>
/// A target refresh (re-INVITE or UPDATE) from a new Contact or a new flow: a Wi-Fi/LTE handoff, or the edge replaced a
/// flow that had gone (<see cref="Key"/> null) with the device's current one found by +sip.instance.
/// </summary>
public sealed record TargetRefreshed(DialogSide Side, DialogParty Party, RequestKey? Key, uint? SessionExpires, DateTimeOffset At) : IDialogEvent;

/// <summary>A refresh that kept the target (a session-timer refresh, RFC 4028 §10): only the timer restarts.</summary>
public sealed record SessionRefreshed(DialogSide Side, RequestKey Key, uint? SessionExpires, DateTimeOffset At) : IDialogEvent;

/// <summary>Why a confirmed dialog ended.</summary>
public enum TerminationReason
{
    /// <summary>A BYE was answered (RFC 3261 §15).</summary>
    Bye,

    /// <summary>No refresh within the session interval (RFC 4028 §10): the parties are gone.</summary>
    SessionExpired,

    /// <summary>No session timer and the maximum dialog lifetime passed.</summary>
    MaxLifetime,
}

/// <summary>A confirmed dialog ended.</summary>
/// <param name="Key">The BYE that ended it, null for a timer.</param>
/// <param name="Status">The BYE's final status (or 408 for a timer).</param>
public sealed record DialogTerminated(DialogSide By, TerminationReason Reason, int Status, RequestKey? Key, DateTimeOffset At) : IDialogEvent;

/// <summary>The INVITE failed: no 2xx on any branch (busy, declined, no answer, cancelled by the caller).</summary>
public sealed record DialogFailed(int Status, DialogSide By, DateTimeOffset At) : IDialogEvent;
