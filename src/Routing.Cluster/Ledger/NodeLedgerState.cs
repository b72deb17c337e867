namespace Routing.Cluster.Ledger;

/// <summary>State of the node ledger as a pure fold over <see cref="NodeStarted"/> events.</summary>
public sealed class NodeLedgerState
{
    public static readonly NodeLedgerState Empty = new([]);

    private readonly NodeStarted[] _starts;

    private NodeLedgerState(NodeStarted[] starts) => _starts = starts;

    public IReadOnlyList<NodeStarted> Starts => _starts;

    /// <summary>The incarnation the next start gets: one past the last recorded one.</summary>
    public long NextIncarnation => _starts.Length == 0 ? 1 : _starts[^1].Incarnation + 1;

    public NodeStarted Decide(RecordNodeStart command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new NodeStarted(NextIncarnation, command.StartedAt, command.Version, command.Address);
    }

    public NodeLedgerState Evolve(NodeStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        var next = new NodeStarted[_starts.Length + 1];
        _starts.CopyTo(next, 0);
        next[^1] = started;
        return new NodeLedgerState(next);
    }
}
