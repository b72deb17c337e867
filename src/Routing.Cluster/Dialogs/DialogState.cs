using System.Collections.Immutable;

namespace Routing.Cluster.Dialogs;

/// <summary>Where a dialog is in its life.</summary>
public enum DialogPhase
{
    /// <summary>Nothing recorded yet.</summary>
    None,

    /// <summary>INVITE forked, no 2xx yet (ringing or trying).</summary>
    Early,

    /// <summary>A 2xx confirmed it.</summary>
    Confirmed,

    /// <summary>A confirmed dialog ended.</summary>
    Terminated,

    /// <summary>The INVITE failed.</summary>
    Failed,
}

/// <summary>The state of one dialog as a pure fold over <see cref="IDialogEvent"/>s.</summary>
public sealed record DialogState
{
    /// <summary>Request keys remembered for idempotency (a bounded window: in-dialog requests are few).</summary>
    public const int KeyWindow = 64;

    public static DialogState Empty(string callId) => new() { CallId = callId };

    public required string CallId { get; init; }

    public DialogPhase Phase { get; init; }

    public string? FromTag { get; init; }

    public string? ToTag { get; init; }

    public DialogParty? Caller { get; init; }

    public DialogParty? Callee { get; init; }

    public string? CalleeAor { get; init; }

    public int BranchesTried { get; init; }

    public uint? SessionExpires { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    /// <summary>Last dialog-creating or refreshing transaction (RFC 4028 §10: the session interval runs from here).</summary>
    public DateTimeOffset? RefreshedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Dialogs created by a 2xx on another branch after the first (<see cref="ExtraDialogAnswered"/>), by To tag.</summary>
    public ImmutableDictionary<string, DialogParty> Extras { get; init; } = ImmutableDictionary<string, DialogParty>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>To tags of the <see cref="Extras"/> that a BYE ended.</summary>
    public ImmutableHashSet<string> ExtrasEnded { get; init; } = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    /// <summary>Keys of the requests whose effect is recorded.</summary>
    public ImmutableQueue<RequestKey> Seen { get; init; } = [];

    /// <summary>Every event in order: the history `routectl dialog show` prints.</summary>
    public ImmutableList<IDialogEvent> History { get; init; } = [];

    public bool IsOver => Phase is DialogPhase.Terminated or DialogPhase.Failed;

    public bool HasSeen(RequestKey key)
    {
        foreach (var k in Seen)
        {
            if (k == key)
            {
                return true;
            }
        }

        return false;
    }

    public DialogState Remember(RequestKey key)
    {
        var seen = Seen.Enqueue(key);
        var count = 0;
        foreach (var _ in seen)
        {
            count++;
        }

        return this with { Seen = count > KeyWindow ? seen.Dequeue() : seen };
    }

    /// <summary>Applies one event.</summary>
    public DialogState Evolve(IDialogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var s = this with { History = History.Add(e) };
        return e switch
        {
            DialogStarted x => s.Remember(x.Key) with
            {
                Phase = DialogPhase.Early,
                FromTag = x.FromTag,
                Caller = x.Caller,
                CalleeAor = x.CalleeAor,
                SessionExpires = x.SessionExpires,
                StartedAt = x.At,
                RefreshedAt = x.At,
            },
            BranchForked => s with { BranchesTried = s.BranchesTried + 1 },
            DialogRinging => s,
            DialogAnswered x => s with
            {
                Phase = DialogPhase.Confirmed,
                ToTag = x.ToTag,
                Callee = x.Callee,
                SessionExpires = x.SessionExpires ?? s.SessionExpires,
                AnsweredAt = x.At,
                RefreshedAt = x.At,
            },
            TargetRefreshed x => (x.Key is { } k ? s.Remember(k) : s) with
            {
                Caller = x.Side == DialogSide.Caller ? x.Party : s.Caller,
                Callee = x.Side == DialogSide.Callee ? x.Party : s.Callee,
                SessionExpires = x.SessionExpires ?? s.SessionExpires,
                RefreshedAt = x.Key is null ? s.RefreshedAt : x.At,
            },
            SessionRefreshed x => s.Remember(x.Key) with
            {
                SessionExpires = x.SessionExpires ?? s.SessionExpires,
                RefreshedAt = x.At,
            },
            DialogTerminated x => (x.Key is { } k ? s.Remember(k) : s) with
            {
                Phase = DialogPhase.Terminated,
                EndedAt = x.At,
            },
            DialogFailed x => s with { Phase = DialogPhase.Failed, EndedAt = x.At },
            ExtraDialogAnswered x => s with { Extras = s.Extras.SetItem(x.ToTag, x.Callee) },
            ExtraDialogEnded x => s.Remember(x.Key) with { ExtrasEnded = s.ExtrasEnded.Add(x.ToTag) },
            _ => s,
        };
    }

    /// <summary>
    /// For a request on one of the <see cref="Extras"/>: which side sent it and that dialog's To tag; null when the tags
    /// name no extra dialog.
    /// </summary>
    public (DialogSide Side, string ExtraTag)? ExtraSideOf(string fromTag, string toTag)
    {
        if (FromTag is null || Extras.IsEmpty)
        {
            return null;
        }

        if (string.Equals(fromTag, FromTag, StringComparison.Ordinal) && Extras.ContainsKey(toTag))
        {
            return (DialogSide.Caller, toTag);
        }

        if (string.Equals(toTag, FromTag, StringComparison.Ordinal) && Extras.ContainsKey(fromTag))
        {
            return (DialogSide.Callee, fromTag);
        }

        return null;
    }

    /// <summary>The side that sent a request with this From tag (RFC 3261 §12.2: the caller's requests carry its tag in From).</summary>
    public DialogSide? SideOf(string fromTag, string toTag)
    {
        if (FromTag is null)
        {
            return null;
        }

        if (string.Equals(fromTag, FromTag, StringComparison.Ordinal) && (ToTag is null || string.Equals(toTag, ToTag, StringComparison.Ordinal)))
        {
            return DialogSide.Caller;
        }

        if (string.Equals(toTag, FromTag, StringComparison.Ordinal) && (ToTag is null || string.Equals(fromTag, ToTag, StringComparison.Ordinal)))
        {
            return DialogSide.Callee;
        }

        return null;
    }
}
