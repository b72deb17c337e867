namespace Routing.Cluster.Ledger;

/// <summary>Marker for events the node ledger persists; bound to <see cref="Serialization.RoutingSerializer"/>.</summary>
public interface INodeLedgerEvent : Serialization.IRoutingSerializable;

/// <summary>Persisted once per process start: the node's incarnation counter, when, which build and where.</summary>
/// <param name="Incarnation">1 for the first start recorded in this journal, then +1 per start.</param>
/// <param name="StartedAt">Wall-clock time of the start (from the host's <see cref="TimeProvider"/>).</param>
/// <param name="Version">The node's informational version.</param>
/// <param name="Address">The Akka address the node had at that start.</param>
public sealed record NodeStarted(long Incarnation, DateTimeOffset StartedAt, string Version, string Address) : INodeLedgerEvent;

/// <summary>Command: record that this process has started.</summary>
public sealed record RecordNodeStart(DateTimeOffset StartedAt, string Version, string Address);

/// <summary>Reply to <see cref="RecordNodeStart"/> once the event is in the journal.</summary>
public sealed record NodeStartRecorded(NodeStarted Start);

/// <summary>Query for the whole start history.</summary>
public sealed record GetNodeLedger
{
    public static readonly GetNodeLedger Instance = new();
    private GetNodeLedger() { }
}

/// <summary>Answer to <see cref="GetNodeLedger"/>: every recorded start, oldest first.</summary>
public sealed record NodeLedgerResult(IReadOnlyList<NodeStarted> Starts)
{
    public long StartCount => Starts.Count;
}
