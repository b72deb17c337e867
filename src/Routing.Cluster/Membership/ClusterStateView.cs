using Akka.Cluster;

namespace Routing.Cluster.Membership;

/// <summary>One member as the admin API shows it.</summary>
public sealed record MemberView(
    string Address,
    string Status,
    IReadOnlyList<string> Roles,
    bool Reachable,
    bool Leader,
    bool Self,
    string AppVersion);

/// <summary>The cluster as this node sees it right now.</summary>
public sealed record ClusterStateView(
    string Self,
    string SelfStatus,
    string? Leader,
    IReadOnlyList<MemberView> Members,
    IReadOnlyList<string> Unreachable)
{
    /// <summary>Snapshot of <paramref name="cluster"/>'s current state; members ordered by address.</summary>
    public static ClusterStateView From(Akka.Cluster.Cluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var state = cluster.State;
        var self = cluster.SelfAddress;
        var unreachable = new HashSet<Akka.Actor.Address>();
        foreach (var m in state.Unreachable)
        {
            unreachable.Add(m.Address);
        }

        var members = new List<MemberView>(state.Members.Count);
        foreach (var m in state.Members)
        {
            var roles = new List<string>(m.Roles);
            roles.Sort(StringComparer.Ordinal);
            members.Add(new MemberView(
                m.Address.ToString(),
                m.Status.ToString(),
                roles,
                !unreachable.Contains(m.Address),
                m.Address.Equals(state.Leader),
                m.Address.Equals(self),
                m.AppVersion.ToString()));
        }

        members.Sort((a, b) => string.CompareOrdinal(a.Address, b.Address));
        var unreachableList = new List<string>(unreachable.Count);
        foreach (var a in unreachable)
        {
            unreachableList.Add(a.ToString());
        }

        unreachableList.Sort(StringComparer.Ordinal);
        var selfMember = cluster.SelfMember;
        return new ClusterStateView(
            self.ToString(),
            selfMember.Status.ToString(),
            state.Leader?.ToString(),
            members,
            unreachableList);
    }
}
