using Akka.Actor;
using Akka.Persistence;

namespace Routing.Cluster.Ledger;

/// <summary>
/// Per-node persistent history of process starts. It exists so that an operator (and the end-to-end tests) can see
/// that a restarted node found its journal intact: the start count grows by one per start.
/// </summary>
public sealed class NodeLedgerActor : ReceivePersistentActor
{
    private NodeLedgerState _state = NodeLedgerState.Empty;

    public NodeLedgerActor(string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        PersistenceId = PersistenceIdFor(nodeId);

        Recover<NodeStarted>(e => _state = _state.Evolve(e));

        Command<RecordNodeStart>(cmd =>
        {
            var started = _state.Decide(cmd);
            Persist(started, e =>
            {
                _state = _state.Evolve(e);
                Sender.Tell(new NodeStartRecorded(e));
            });
        });
        Command<GetNodeLedger>(_ => Sender.Tell(new NodeLedgerResult(_state.Starts)));
    }

    public override string PersistenceId { get; }

    /// <summary>Persistence ids of ledgers start with this prefix, so projections can tell them from entities.</summary>
    public const string PersistenceIdPrefix = "node-ledger-";

    public static string PersistenceIdFor(string nodeId) => PersistenceIdPrefix + nodeId;

    public static Props Props(string nodeId) => Akka.Actor.Props.Create(() => new NodeLedgerActor(nodeId));
}
