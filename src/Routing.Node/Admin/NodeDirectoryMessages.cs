namespace Routing.Node.Admin;

/// <summary>Marker for the admin messages that cross nodes; bound to <see cref="AdminWireSerializer"/>.</summary>
public interface IAdminWire;

/// <summary>What a node tells other members about itself: how operators name it and where its admin API is.</summary>
/// <param name="Name">Operator-facing name (<c>routing.node.name</c>, else the node id).</param>
/// <param name="Address">Akka cluster address, e.g. <c>akka.tcp://routing@127.0.0.1:4053</c>.</param>
/// <param name="Admin">Admin API base URL.</param>
/// <param name="Sip">SIP listeners as <c>transport:ip:port</c>.</param>
/// <param name="Pid">Operating-system process id.</param>
public sealed record NodeCard(
    string Name,
    string NodeId,
    string Address,
    string Admin,
    IReadOnlyList<string> Sip,
    int Pid,
    string Version,
    IReadOnlyList<string> Roles,
    DateTimeOffset StartedAt,
    string Journal,
    bool Draining) : IAdminWire;

/// <summary>Asks a node's directory actor for its <see cref="NodeCard"/>.</summary>
public sealed record DescribeNode : IAdminWire
{
    public static readonly DescribeNode Instance = new();
}

/// <summary>Asks a node to drain itself (what <c>POST /api/node/drain</c> does locally).</summary>
public sealed record DrainNodeRequest(string RequestedBy) : IAdminWire;

/// <summary>Answer to <see cref="DrainNodeRequest"/>: the drain started now or was already running.</summary>
public sealed record DrainNodeAccepted(string Name, string Address, bool AlreadyDraining) : IAdminWire;
