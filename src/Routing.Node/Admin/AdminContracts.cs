using Routing.Cluster.Ledger;

namespace Routing.Node.Admin;

/// <summary><c>GET /api/health</c>: liveness, readiness and why not ready.</summary>
public sealed record HealthResponse(
    bool Live,
    bool Ready,
    IReadOnlyList<string> Reasons,
    string MemberStatus,
    string Journal,
    bool ShuttingDown);

/// <summary>One SIP listener in <see cref="NodeInfoResponse"/>.</summary>
public sealed record ListenerInfo(string Transport, string Address);

/// <summary><c>GET /api/node</c>: this node's identity, configuration summary and start history.</summary>
public sealed record NodeInfoResponse(
    string NodeId,
    string Version,
    string Address,
    IReadOnlyList<string> Roles,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    long Incarnation,
    long Starts,
    IReadOnlyList<NodeStarted> History,
    IReadOnlyList<ListenerInfo> Sip,
    IReadOnlyList<string> Domains,
    string Admin,
    string DataDirectory,
    string Journal,
    string Auth);

/// <summary>Error body for every non-2xx answer of the admin API.</summary>
public sealed record ErrorResponse(string Error, string Detail);
