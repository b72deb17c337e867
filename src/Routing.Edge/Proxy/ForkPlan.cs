namespace Routing.Edge.Proxy;

/// <summary>
/// One destination of a forked request: a binding of the callee as the location service returned it.
/// </summary>
/// <param name="ContactUri">The Request-URI for the branch (RFC 3261 §16.5: the binding's contact).</param>
/// <param name="Q">q in thousandths (RFC 3261 §20.10); null means 1000.</param>
/// <param name="Instance">+sip.instance of the device (RFC 5626), null when absent.</param>
/// <param name="Path">The binding's Path (RFC 3327): the pre-loaded Route set, edge's own entry included.</param>
/// <param name="SourceAddress">Where the REGISTER came from ("ip:port"): the fallback destination for UDP.</param>
/// <param name="Transport">udp, tcp, tls, ws, wss.</param>
public sealed record ProxyTarget(string ContactUri, int? Q, string? Instance, IReadOnlyList<string> Path, string SourceAddress, string Transport)
{
    public int EffectiveQ => Q ?? 1000;
}

/// <summary>
/// The target set of a request as forking groups (RFC 3261 §16.6, §20.10): targets with equal q are tried in parallel,
/// groups are tried one after another from the highest q down, each for at most a group timeout.
/// </summary>
public sealed class ForkPlan
{
    private readonly ProxyTarget[] _targets;
    private readonly int[] _groupOf;
    private readonly int[] _groupStart;

    private ForkPlan(ProxyTarget[] targets, int[] groupOf, int[] groupStart)
    {
        _targets = targets;
        _groupOf = groupOf;
        _groupStart = groupStart;
    }

    /// <summary>Branches in order: group by group, and within a group in the order the bindings were given.</summary>
    public IReadOnlyList<ProxyTarget> Targets => _targets;

    public int GroupCount => _groupStart.Length;

    public int GroupOf(int branch) => _groupOf[branch];

    /// <summary>The branch indexes of <paramref name="group"/>.</summary>
    public Range BranchesOf(int group) =>
        new(_groupStart[group], group + 1 < _groupStart.Length ? _groupStart[group + 1] : _targets.Length);

    /// <summary>Orders <paramref name="targets"/> by q descending, keeping the given order among equal q (a stable sort).</summary>
    public static ForkPlan Build(IReadOnlyList<ProxyTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var ordered = new ProxyTarget[targets.Count];
        var index = new int[targets.Count];
        for (var i = 0; i < ordered.Length; i++)
        {
            ordered[i] = targets[i];
            index[i] = i;
        }

        // Stable: sort by (q descending, original position).
        Array.Sort(index, (a, b) =>
        {
            var byQ = targets[b].EffectiveQ.CompareTo(targets[a].EffectiveQ);
            return byQ != 0 ? byQ : a.CompareTo(b);
        });
        for (var i = 0; i < index.Length; i++)
        {
            ordered[i] = targets[index[i]];
        }

        var groupOf = new int[ordered.Length];
        var starts = new List<int>();
        for (var i = 0; i < ordered.Length; i++)
        {
            if (i == 0 || ordered[i].EffectiveQ != ordered[i - 1].EffectiveQ)
            {
                starts.Add(i);
            }

            groupOf[i] = starts.Count - 1;
        }

        return new ForkPlan(ordered, groupOf, [.. starts]);
    }
}
