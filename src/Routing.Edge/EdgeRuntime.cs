using Routing.Edge.Transactions;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Edge;

/// <summary>What the edge runs on besides its options: clock, flows, flow tokens, transaction timers, TUs.</summary>
public sealed class EdgeRuntime
{
    /// <summary>The clock of every transaction timer. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The node's flows (connections and UDP sockets) and outbound connectors.</summary>
    public SipFlowTable Flows { get; init; } = new();

    /// <summary>Flow token codec with the cluster secret and node id; null disables tokens.</summary>
    public FlowTokenCodec? FlowTokens { get; init; }

    /// <summary>T1/T2/T4 and timer resolution (RFC 3261 §17, table 4).</summary>
    public TransactionOptions Transactions { get; init; } = TransactionOptions.Default;

    /// <summary>TUs asked in order for every new server transaction.</summary>
    public IReadOnlyList<IEdgeRequestHandler> Handlers { get; init; } = [];
}
