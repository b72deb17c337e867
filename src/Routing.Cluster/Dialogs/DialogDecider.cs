namespace Routing.Cluster.Dialogs;

/// <summary>Timers of the dialog entity.</summary>
public sealed class DialogSettings
{
    /// <summary>
    /// Slack after a session interval before the proxy gives up on a dialog (RFC 4028 §10: the parties send BYE
    /// min(32 s, interval/3) before it ends; the proxy waits for that BYE first).
    /// </summary>
    public TimeSpan SessionGrace { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>Longest a confirmed dialog without a session timer is kept (its parties may have vanished silently).</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Longest an INVITE may stay unanswered (RFC 3261 §16.6 step 11, Timer C is more than 3 minutes).</summary>
    public TimeSpan MaxSetup { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>How long an ended dialog stays up to answer retransmitted or redelivered requests before passivating.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(32);
}

/// <summary>What a command does: events to persist (possibly none) and the reply once they are written.</summary>
public sealed record DialogDecision(IReadOnlyList<IDialogEvent> Events, object Reply);

/// <summary>The dialog's rules as pure functions of (state, command, now).</summary>
public static class DialogDecider
{
    public static DialogDecision Decide(DialogState state, IDialogCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        var id = state.CallId;
        return command switch
        {
            StartDialog c => state.Phase is DialogPhase.None or DialogPhase.Failed && !state.HasSeen(c.Key)
                ? Emit(id, new DialogStarted(c.CallId, c.Key, c.FromTag, c.Caller, c.CalleeAor, c.RequestUri, c.SessionExpires, c.At ?? now))
                : Duplicate(id),
            RecordBranch c => state.Phase == DialogPhase.Early && c.Branch >= state.BranchesTried
                ? Emit(id, new BranchForked(c.Branch, c.Contact, c.Instance, c.At ?? now))
                : Duplicate(id),
            RecordProvisional c => state.Phase == DialogPhase.Early && c.Status is > 100 and < 200 && !HasRung(state)
                ? Emit(id, new DialogRinging(c.Branch, c.Status, c.ToTag, c.At ?? now))
                : Duplicate(id),
            RecordAnswer c => state.Phase == DialogPhase.Early
                ? Emit(id, new DialogAnswered(c.Branch, c.ToTag, c.Callee, c.SessionExpires, c.At ?? now))
                : IsNewExtra(state, c)
                    ? Emit(id, new ExtraDialogAnswered(c.Branch, c.ToTag, c.Callee, c.At ?? now))
                    : Duplicate(id),
            RecordFailure c => state.Phase == DialogPhase.Early
                ? Emit(id, new DialogFailed(c.Status, c.By, c.At ?? now))
                : Duplicate(id),
            ReplaceTarget c => state.Phase == DialogPhase.Confirmed
                ? Emit(id, new TargetRefreshed(c.Side, c.Party, null, null, now))
                : Duplicate(id),
            RouteInDialog c => Route(state, c, c.At ?? now),
            GetDialog => new DialogDecision([], View(state)),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "not a dialog command"),
        };
    }

    /// <summary>
    /// Routes an in-dialog request to the other party (RFC 3261 §16.12: the Route set leads back through the
    /// cluster; the entity knows where that party is now). A BYE ends the dialog (§15.1.1: the session is over once
    /// BYE is sent); a target refresh from a new contact or source records a handoff.
    /// </summary>
    private static DialogDecision Route(DialogState state, RouteInDialog c, DateTimeOffset now)
    {
        if (state.Phase == DialogPhase.None)
        {
            return Reject(state.CallId, InDialogRejection.NoSuchDialog);
        }

        var side = state.SideOf(c.FromTag, c.ToTag);
        if (side is null && state.ExtraSideOf(c.FromTag, c.ToTag) is { } extra && state.Caller is not null)
        {
            return RouteExtra(state, c, extra.Side, extra.ExtraTag, now);
        }

        if (side is not { } sender || state.Callee is null || state.Caller is null)
        {
            return Reject(state.CallId, state.IsOver ? InDialogRejection.Ended : InDialogRejection.TagMismatch);
        }

        var targetSide = sender == DialogSide.Caller ? DialogSide.Callee : DialogSide.Caller;
        var target = targetSide == DialogSide.Caller ? state.Caller : state.Callee;
        var duplicate = state.HasSeen(c.Key);
        if (state.IsOver)
        {
            // A retransmitted or redelivered request whose effect is recorded goes to the same place again.
            return duplicate
                ? new DialogDecision([], new InDialogRoute(state.CallId, target, targetSide, false, null))
                : Reject(state.CallId, InDialogRejection.Ended);
        }

        if (duplicate || string.Equals(c.Key.Method, "ACK", StringComparison.OrdinalIgnoreCase))
        {
            return new DialogDecision([], new InDialogRoute(state.CallId, target, targetSide, false, null));
        }

        if (string.Equals(c.Key.Method, "BYE", StringComparison.OrdinalIgnoreCase))
        {
            return new DialogDecision([new DialogTerminated(sender, TerminationReason.Bye, 200, c.Key, now)],
                new InDialogRoute(state.CallId, target, targetSide, false, null));
        }

        if (!c.TargetRefresh)
        {
            return new DialogDecision([], new InDialogRoute(state.CallId, target, targetSide, false, null));
        }

        var known = sender == DialogSide.Caller ? state.Caller : state.Callee;
        var moved = !string.Equals(known.Contact, c.Sender.Contact, StringComparison.Ordinal)
                    || !string.Equals(known.SourceAddress, c.Sender.SourceAddress, StringComparison.Ordinal)
                    || !string.Equals(known.FlowToken, c.Sender.FlowToken, StringComparison.Ordinal);
        IDialogEvent e = moved
            ? new TargetRefreshed(sender, Merge(known, c.Sender), c.Key, c.SessionExpires, now)
            : new SessionRefreshed(sender, c.Key, c.SessionExpires, now);
        return new DialogDecision([e], new InDialogRoute(state.CallId, target, targetSide, moved, null));
    }

    /// <summary>
    /// A 2xx on another branch once the dialog is confirmed (or already over: a late answer still creates a dialog
    /// the caller must ACK and end), with a To tag not yet recorded.
    /// </summary>
    private static bool IsNewExtra(DialogState state, RecordAnswer c) =>
        state.Phase is DialogPhase.Confirmed or DialogPhase.Terminated
        && !string.Equals(c.ToTag, state.ToTag, StringComparison.Ordinal)
        && !state.Extras.ContainsKey(c.ToTag);

    /// <summary>
    /// An in-dialog request on an extra dialog (§13.2.2.4: the caller ACKs every 2xx and BYEs the dialogs it does not
    /// keep; the device that answered may also hang up itself). It goes to that dialog's other party; a BYE ends that
    /// dialog alone. Target refreshes on it are routed but not recorded: the call is the first dialog.
    /// </summary>
    private static DialogDecision RouteExtra(DialogState state, RouteInDialog c, DialogSide sender, string extraTag, DateTimeOffset now)
    {
        var targetSide = sender == DialogSide.Caller ? DialogSide.Callee : DialogSide.Caller;
        var target = targetSide == DialogSide.Caller ? state.Caller! : state.Extras[extraTag];
        var route = new InDialogRoute(state.CallId, target, targetSide, false, null);
        var duplicate = state.HasSeen(c.Key);
        if (state.ExtrasEnded.Contains(extraTag))
        {
            return duplicate ? new DialogDecision([], route) : Reject(state.CallId, InDialogRejection.Ended);
        }

        return !duplicate && string.Equals(c.Key.Method, "BYE", StringComparison.OrdinalIgnoreCase)
            ? new DialogDecision([new ExtraDialogEnded(extraTag, sender, c.Key, now)], route)
            : new DialogDecision([], route);
    }

    /// <summary>
    /// The cleanup a timer tick decides (RFC 4028 §10 and the lifetime limits): an INVITE unanswered for too long
    /// fails, a confirmed dialog whose session interval passed without refresh, or that outlived the maximum, ends.
    /// </summary>
    public static IReadOnlyList<IDialogEvent> Expire(DialogState state, DialogSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        if (NextDue(state, settings) is not { } due || now < due)
        {
            return [];
        }

        return state.Phase == DialogPhase.Early
            ? [new DialogFailed(408, DialogSide.Proxy, now)]
            : [new DialogTerminated(DialogSide.Proxy, state.SessionExpires is null ? TerminationReason.MaxLifetime : TerminationReason.SessionExpired, 408, null, now)];
    }

    /// <summary>When the next cleanup is due; null when the dialog is over or has not started.</summary>
    public static DateTimeOffset? NextDue(DialogState state, DialogSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        return state.Phase switch
        {
            DialogPhase.Early when state.StartedAt is { } started => started + settings.MaxSetup,
            DialogPhase.Confirmed when state.SessionExpires is { } se && state.RefreshedAt is { } refreshed =>
                refreshed + TimeSpan.FromSeconds(se) + settings.SessionGrace,
            DialogPhase.Confirmed when state.AnsweredAt is { } answered => answered + settings.MaxLifetime,
            _ => null,
        };
    }

    public static DialogView View(DialogState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new DialogView(state.CallId, state.Phase, state.Caller, state.Callee, state.CalleeAor, [.. state.History]);
    }

    private static bool HasRung(DialogState state)
    {
        foreach (var e in state.History)
        {
            if (e is DialogRinging)
            {
                return true;
            }
        }

        return false;
    }

    private static DialogParty Merge(DialogParty known, DialogParty seen) => seen with
    {
        Aor = known.Aor,
        Instance = seen.Instance ?? known.Instance,
        UserAgent = seen.UserAgent ?? known.UserAgent,
        TlsFingerprint = seen.TlsFingerprint ?? known.TlsFingerprint,
    };

    private static DialogDecision Emit(string callId, IDialogEvent e) => new([e], new DialogAck(callId, false));

    private static DialogDecision Duplicate(string callId) => new([], new DialogAck(callId, true));

    private static DialogDecision Reject(string callId, InDialogRejection reason) =>
        new([], new InDialogRoute(callId, null, DialogSide.Caller, false, reason));
}
