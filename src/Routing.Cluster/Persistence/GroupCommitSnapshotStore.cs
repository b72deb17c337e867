using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace Routing.Cluster.Journal;

/// <summary>One snapshot as the snapshot table stores it (Akka.Persistence.Sql's default mapping: ticks in <c>created</c>).</summary>
internal sealed record SnapshotRow(string PersistenceId, long SequenceNr, long Created, byte[] Snapshot, string Manifest, int SerializerId);

/// <summary>Which snapshots of one persistence id a deletion removes (inclusive bounds, ticks for times).</summary>
internal sealed record SnapshotDeletion(string PersistenceId, long MinSequenceNr, long MaxSequenceNr, long MinCreated, long MaxCreated);

/// <summary>
/// A snapshot save or deletion handed to the journal's group writer, so that it commits in the writer's own batched
/// transaction beside the events (<see cref="GroupCommitSnapshotStore"/>). Counts as one event against the writer's queue
/// bound; not counted as an event written.
/// </summary>
internal sealed class SnapshotWriteRequest : TaskWriteRequest
{
    private SnapshotWriteRequest(string table, SnapshotRow? save, SnapshotDeletion? deletion)
        : base([], 1)
    {
        Table = table;
        Save = save;
        Deletion = deletion;
    }

    public static SnapshotWriteRequest Saving(string table, SnapshotRow row) => new(table, row, null);

    public static SnapshotWriteRequest Deleting(string table, SnapshotDeletion deletion) => new(table, null, deletion);

    /// <summary>The snapshot table (a plain identifier, checked by <see cref="GroupCommitSnapshotStore"/>).</summary>
    public string Table { get; }

    /// <summary>The snapshot to write; the same persistence id's older snapshots go with it.</summary>
    public SnapshotRow? Save { get; }

    public SnapshotDeletion? Deletion { get; }
}

/// <summary>A snapshot request the writer could not carry out; fails that request alone, not its batch.</summary>
public sealed class SnapshotWriteException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Akka.Persistence snapshot store whose writes go through the group writer of the <see cref="GroupCommitJournal"/>
/// named by <c>journal-plugin</c>, on the same database: a save (or a deletion) is a request in the writer's next
/// batch, committed in its transaction beside the events. Akka.Persistence.Sql's store saved each snapshot in a
/// transaction of its own on another connection: about 300 µs of CPU per save on SQLite, and there a second writer
/// fighting the journal's writer for the one write lock; registrar entities created together reached their snapshot
/// together and those waves stalled REGISTERs (benchmarks/RESULTS.md, runs 13 and 14). The rows and table are
/// Akka.Persistence.Sql's (default mapping, same serializer choice, ticks in <c>created</c>), so databases either
/// wrote stay readable by both. A save keeps only the newest snapshot of its persistence id: recovery only ever asks
/// for the newest, and the table stays one row per entity. Loads are the subclass's, on connections of their own.
/// </summary>
public abstract class GroupCommitSnapshotStore : SnapshotStore
{
    private readonly string _journalPluginId;
    private IActorRef? _journal;

    protected GroupCommitSnapshotStore(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConnectionString = config.GetString("connection-string", string.Empty);
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ConfigurationException("connection-string: required");
        }

        Table = JournalSettings.Identifier("default.snapshot.table-name", config.GetString("default.snapshot.table-name", "snapshot"));
        _journalPluginId = config.GetString("journal-plugin", string.Empty);
        if (string.IsNullOrWhiteSpace(_journalPluginId))
        {
            throw new ConfigurationException("journal-plugin: required (the journal whose writer commits the snapshots)");
        }

        AutoInitialize = config.GetBoolean("auto-initialize", true);
        ActorSystem = (ExtendedActorSystem)Context.System;
    }

    protected string ConnectionString { get; }

    /// <summary>The snapshot table.</summary>
    protected string Table { get; }

    /// <summary><c>auto-initialize</c>: create the table if it is missing.</summary>
    protected bool AutoInitialize { get; }

    protected ExtendedActorSystem ActorSystem { get; }

    private IActorRef Journal => _journal ??= Persistence.Instance.Apply(ActorSystem).JournalFor(_journalPluginId);

    /// <summary>The newest snapshot first: the load statement's criteria, in the order the subclasses bind them.</summary>
    protected string LoadSql(Func<int, string> parameter) =>
        $"SELECT sequence_number, created, snapshot, manifest, serializer_id FROM {Table} " +
        $"WHERE persistence_id = {parameter(1)} AND sequence_number >= {parameter(2)} AND sequence_number <= {parameter(3)} " +
        $"AND created >= {parameter(4)} AND created <= {parameter(5)} ORDER BY sequence_number DESC LIMIT 1";

    /// <summary>The load statement's values for (persistence id, criteria), in parameter order.</summary>
    protected static object[] LoadParameters(string persistenceId, SnapshotSelectionCriteria criteria) =>
        [persistenceId, criteria.MinSequenceNr, criteria.MaxSequenceNr, (criteria.MinTimestamp ?? DateTime.MinValue).Ticks, criteria.MaxTimeStamp.Ticks];

    /// <summary>A loaded row back to Akka's snapshot.</summary>
    protected SelectedSnapshot Selected(string persistenceId, long sequenceNr, long created, byte[] bytes, string manifest, int? serializerId) =>
        new(new SnapshotMetadata(persistenceId, sequenceNr, new DateTime(created, DateTimeKind.Utc)),
            GroupCommitJournal.Deserialize(ActorSystem, bytes, serializerId, manifest));

    protected sealed override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        // The snapshot object itself, serialized as Akka.Persistence.Sql does.
        var (bytes, manifest, serializerId) = GroupCommitJournal.Serialize(ActorSystem, snapshot);
        var created = metadata.Timestamp == DateTime.MinValue ? DateTime.UtcNow.Ticks : metadata.Timestamp.Ticks;
        var row = new SnapshotRow(metadata.PersistenceId, metadata.SequenceNr, created, bytes, manifest, serializerId);
        return Send(SnapshotWriteRequest.Saving(Table, row));
    }

    protected sealed override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        // As Akka.Persistence.Sql: a timestamp, when given, must match too.
        var at = metadata.Timestamp == DateTime.MinValue ? (long?)null : metadata.Timestamp.Ticks;
        return Send(SnapshotWriteRequest.Deleting(Table, new SnapshotDeletion(
            metadata.PersistenceId, metadata.SequenceNr, metadata.SequenceNr, at ?? long.MinValue, at ?? long.MaxValue)));
    }

    protected sealed override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken = default) =>
        Send(SnapshotWriteRequest.Deleting(Table, new SnapshotDeletion(persistenceId, criteria.MinSequenceNr,
            criteria.MaxSequenceNr, (criteria.MinTimestamp ?? DateTime.MinValue).Ticks, criteria.MaxTimeStamp.Ticks)));

    private Task Send(SnapshotWriteRequest request)
    {
        Journal.Tell(request);
        return request.Done.Task;
    }
}
