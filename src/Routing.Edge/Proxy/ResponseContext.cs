namespace Routing.Edge.Proxy;

/// <summary>Where one branch (client transaction) of a forked request stands.</summary>
public enum BranchState : byte
{
    /// <summary>Its q-group has not started.</summary>
    NotStarted,

    /// <summary>Sent, no response yet.</summary>
    Trying,

    /// <summary>A provisional response arrived.</summary>
    Proceeding,

    /// <summary>A final response arrived (or was synthesised for a timeout).</summary>
    Completed,

    /// <summary>Never started: forking ended (2xx, 6xx, caller CANCEL) before its group came.</summary>
    Skipped,
}

/// <summary>What the glue must do after an input to <see cref="ResponseContext"/>.</summary>
/// <param name="Start">Branches to send now.</param>
/// <param name="Cancel">Pending branches to CANCEL (RFC 3261 §16.7 step 10, §16.10).</param>
/// <param name="ForwardResponse">Forward the response just received upstream (1xx except 100, every 2xx, a 6xx).</param>
/// <param name="ArmGroupTimer">Arm the group timer for this group; -1 for none.</param>
/// <param name="Final">The final response to send upstream now, when the context has chosen one.</param>
public sealed record ProxyStep(int[] Start, int[] Cancel, bool ForwardResponse, int ArmGroupTimer, FinalChoice? Final)
{
    public static readonly ProxyStep Nothing = new([], [], false, -1, null);
}

/// <summary>
/// The response the proxy sends upstream when forking ends without a 2xx or 6xx (RFC 3261 §16.7 step 6).
/// </summary>
/// <param name="Branch">The branch whose response is forwarded; -1 when the proxy makes the response itself.</param>
/// <param name="StatusCode">The status to send (a 503 from a branch becomes 500, §16.7 step 6).</param>
/// <param name="ChallengeBranches">For 401/407: every branch whose challenge headers go into the response (§16.7 step 7).</param>
public sealed record FinalChoice(int Branch, int StatusCode, int[] ChallengeBranches);

/// <summary>
/// The RFC 3261 §16.7 response context of one forked INVITE (or non-INVITE) request, as a pure state machine: inputs
/// are responses per branch, group timeouts and the caller's CANCEL; outputs are <see cref="ProxyStep"/>s. It never
/// touches the network; the glue keeps the response bytes by branch index.
/// </summary>
public sealed class ResponseContext
{
    private readonly ForkPlan _plan;
    private readonly BranchState[] _state;
    private readonly int[] _status;
    private readonly bool[] _timedOut;
    private readonly bool[] _synthetic;
    private int _group = -1;
    private bool _finalSent;

    public ResponseContext(ForkPlan plan)
    {
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        if (plan.Targets.Count == 0)
        {
            throw new ArgumentException("a response context needs at least one branch", nameof(plan));
        }

        _state = new BranchState[plan.Targets.Count];
        _status = new int[plan.Targets.Count];
        _timedOut = new bool[plan.Targets.Count];
        _synthetic = new bool[plan.Targets.Count];
    }

    public ForkPlan Plan => _plan;

    public int CurrentGroup => _group;

    /// <summary>A 2xx was forwarded (RFC 3261 §16.7 step 5: later 2xx are forwarded too, nothing else is).</summary>
    public bool Answered { get; private set; }

    /// <summary>The caller cancelled (§16.10).</summary>
    public bool Cancelled { get; private set; }

    /// <summary>No further final response will be sent upstream.</summary>
    public bool Finished => _finalSent || Answered;

    public BranchState StateOf(int branch) => _state[branch];

    public int StatusOf(int branch) => _status[branch];

    /// <summary>Starts the first q-group.</summary>
    public ProxyStep Start()
    {
        if (_group >= 0)
        {
            throw new InvalidOperationException("already started");
        }

        return StartGroup(0, []);
    }

    /// <summary>A response on <paramref name="branch"/> (RFC 3261 §16.7).</summary>
    public ProxyStep OnResponse(int branch, int statusCode)
    {
        var state = _state[branch];
        if (statusCode < 200)
        {
            if (state is BranchState.Trying or BranchState.Proceeding)
            {
                _state[branch] = BranchState.Proceeding;

                // §16.7 step 5: provisional responses other than 100 are forwarded while no final response went up.
                return new ProxyStep([], [], statusCode != 100 && !Finished && !Cancelled, -1, null);
            }

            return ProxyStep.Nothing;
        }

        if (statusCode < 300)
        {
            // §16.7 step 5: every 2xx is forwarded, even after the first one (each may create a dialog).
            var first = !Answered;
            _state[branch] = BranchState.Completed;
            _status[branch] = statusCode;
            if (_finalSent)
            {
                return new ProxyStep([], [], true, -1, null);
            }

            Answered = true;
            return new ProxyStep([], first ? PendingBranches() : [], true, -1, null);
        }

        if (state is BranchState.Completed or BranchState.NotStarted or BranchState.Skipped)
        {
            return ProxyStep.Nothing;
        }

        _state[branch] = BranchState.Completed;
        // A branch cancelled because its group timed out answers 487; for the caller that is a 408 (§16.7 step 6).
        _synthetic[branch] = _timedOut[branch] && statusCode == 487;
        _status[branch] = _synthetic[branch] ? 408 : statusCode;
        if (Finished)
        {
            return ProxyStep.Nothing;
        }

        if (statusCode >= 600)
        {
            // §16.7 step 5 / step 10: a 6xx ends forking; pending branches are cancelled and it goes up at once.
            _finalSent = true;
            SkipRemaining();
            return new ProxyStep([], PendingBranches(), true, -1, null);
        }

        return AdvanceIfGroupDone();
    }

    /// <summary>The group timer of <paramref name="group"/> fired: its pending branches are cancelled and the next group starts.</summary>
    public ProxyStep OnGroupTimeout(int group)
    {
        if (group != _group || Finished || Cancelled)
        {
            return ProxyStep.Nothing;
        }

        var cancel = new List<int>();
        var range = _plan.BranchesOf(group);
        for (var i = range.Start.Value; i < range.End.Value; i++)
        {
            if (_state[i] is BranchState.Trying or BranchState.Proceeding)
            {
                _timedOut[i] = true;
                cancel.Add(i);
            }
        }

        if (group + 1 < _plan.GroupCount)
        {
            return StartGroup(group + 1, [.. cancel]);
        }

        return new ProxyStep([], [.. cancel], false, -1, null);
    }

    /// <summary>
    /// A branch's client transaction gave up without a final response (Timer B/C/F, or the flow is gone): it counts as
    /// a 408 (§16.7 step 2; §16.8).
    /// </summary>
    public ProxyStep OnBranchTimeout(int branch)
    {
        if (_state[branch] is not (BranchState.Trying or BranchState.Proceeding))
        {
            return ProxyStep.Nothing;
        }

        _state[branch] = BranchState.Completed;
        _status[branch] = Cancelled ? 487 : 408;
        _synthetic[branch] = true;
        return Finished ? ProxyStep.Nothing : AdvanceIfGroupDone();
    }

    /// <summary>
    /// The caller cancelled (RFC 3261 §16.10): every pending branch gets a CANCEL and no further group starts; the
    /// final response (a 487 from the branches) is chosen as usual once they complete.
    /// </summary>
    public ProxyStep OnCallerCancel()
    {
        if (Finished || Cancelled)
        {
            return ProxyStep.Nothing;
        }

        Cancelled = true;
        SkipRemaining();
        var pending = PendingBranches();
        return pending.Length == 0 ? Choose() : new ProxyStep([], pending, false, -1, null);
    }

    private ProxyStep StartGroup(int group, int[] cancel)
    {
        _group = group;
        var range = _plan.BranchesOf(group);
        var start = new int[range.End.Value - range.Start.Value];
        for (var i = 0; i < start.Length; i++)
        {
            start[i] = range.Start.Value + i;
            _state[start[i]] = BranchState.Trying;
        }

        return new ProxyStep(start, cancel, false, group, null);
    }

    private ProxyStep AdvanceIfGroupDone()
    {
        if (PendingBranches().Length > 0)
        {
            return ProxyStep.Nothing;
        }

        if (!Cancelled && _group + 1 < _plan.GroupCount)
        {
            return StartGroup(_group + 1, []);
        }

        return Choose();
    }

    private ProxyStep Choose()
    {
        _finalSent = true;
        return new ProxyStep([], [], false, -1, BestResponse());
    }

    /// <summary>
    /// RFC 3261 §16.7 step 6: a 6xx if any, else the lowest class; within 4xx the responses that help a resubmission
    /// (401, 407, 415, 420, 484) win; a 503 becomes 500; no response at all is 408. With 401/407 chosen, every branch's
    /// challenge is aggregated (§16.7 step 7).
    /// </summary>
    public FinalChoice BestResponse()
    {
        var best = -1;
        for (var i = 0; i < _status.Length; i++)
        {
            if (_state[i] != BranchState.Completed || _status[i] < 300)
            {
                continue;
            }

            if (best < 0 || Rank(_status[i]) < Rank(_status[best]))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            return new FinalChoice(-1, Cancelled ? 487 : 408, []);
        }

        var status = _status[best];
        if (status is 401 or 407)
        {
            var challengers = new List<int>();
            for (var i = 0; i < _status.Length; i++)
            {
                if (_state[i] == BranchState.Completed && _status[i] is 401 or 407)
                {
                    challengers.Add(i);
                }
            }

            // §16.7 step 7: a 407 among them makes the aggregate a 407.
            var any407 = false;
            foreach (var c in challengers)
            {
                any407 |= _status[c] == 407;
            }

            return new FinalChoice(best, any407 ? 407 : 401, [.. challengers]);
        }

        // A synthesised status has no response bytes of its own: the proxy writes that response.
        return new FinalChoice(_synthetic[best] || status == 503 ? -1 : best, status == 503 ? 500 : status, []);
    }

    private static int Rank(int status)
    {
        var cls = status / 100;
        var rank = cls switch
        {
            6 => 0,
            3 => 100,
            4 => 200,
            5 => 300,
            _ => 400,
        };
        if (cls == 4 && status is 401 or 407 or 415 or 420 or 484)
        {
            rank -= 50;
        }

        // 408 and 487 from timeouts rank last within 4xx so a real answer wins.
        if (status is 408 or 487)
        {
            rank += 40;
        }

        return rank;
    }

    private int[] PendingBranches()
    {
        var pending = new List<int>();
        for (var i = 0; i < _state.Length; i++)
        {
            if (_state[i] is BranchState.Trying or BranchState.Proceeding)
            {
                pending.Add(i);
            }
        }

        return [.. pending];
    }

    private void SkipRemaining()
    {
        for (var i = 0; i < _state.Length; i++)
        {
            if (_state[i] == BranchState.NotStarted)
            {
                _state[i] = BranchState.Skipped;
            }
        }
    }
}
