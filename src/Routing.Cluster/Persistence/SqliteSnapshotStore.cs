using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>One snapshot as the snapshot table stores it (Akka.Persistence.Sql's default mapping: ticks in <c>created</c>).</summary>
internal sealed record SnapshotRow(string PersistenceId, long SequenceNr, long Created, byte[] Snapshot, string Manifest, int SerializerId);

/// <summary>Which snapshots of one persistence id a deletion removes (inclusive bounds, ticks for times).</summary>
internal sealed record SnapshotDeletion(string PersistenceId, long MinSequenceNr, long MaxSequenceNr, long MinCreated, long MaxCreated);

/// <summary>
/// A snapshot save or deletion handed to the journal's group writer, so that it commits in the writer's own batched
/// transaction beside the events (<see cref="SqliteSnapshotStore"/>). Counts as one event against the writer's queue
/// bound; not counted as an event written.
/// </summary>
internal sealed class SnapshotWriteRequest : JournalWriteRequest
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

    /// <summary>The snapshot table (a plain identifier, checked by <see cref="SqliteSnapshotStore"/>).</summary>
    public string Table { get; }

    /// <summary>The snapshot to write; the same persistence id's older snapshots go with it.</summary>
    public SnapshotRow? Save { get; }

    public SnapshotDeletion? Deletion { get; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete(Exception? failure)
    {
        if (failure is null)
        {
            Done.TrySetResult();
        }
        else
        {
            Done.TrySetException(failure);
        }
    }
}

/// <summary>A snapshot request the writer could not carry out; fails that request alone, not its batch.</summary>
public sealed class SnapshotWriteException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Akka.Persistence snapshot store on SQLite whose writes go through the group writer of a <see cref="SqliteJournal"/>
/// on the same file (<c>journal-plugin</c>). Akka.Persistence.Sql's store saved each snapshot in a transaction of its
/// own on another connection: about 300 µs of CPU per save, and a second writer fighting the journal's writer for
/// SQLite's one write lock. Registrar entities created together reach their snapshot together, so those saves came
/// in waves of thousands and stalled REGISTERs (benchmarks/RESULTS.md, run 13). Here a save is a row in the next
/// batch. The rows and table are Akka.Persistence.Sql's (default mapping, same serializer choice), so files either
/// wrote stay readable by both. A save keeps only the newest snapshot of its persistence id: recovery only ever
/// asks for the newest, and the table stays one row per entity. Loads read on their own connection (WAL).
/// </summary>
public sealed class SqliteSnapshotStore : SnapshotStore
{
    private readonly string _connectionString;
    private readonly string _table;
    private readonly string _journalPluginId;
    private readonly TimeSpan _busyTimeout;
    private readonly string _loadSql;
    private readonly ExtendedActorSystem _system;
    private readonly Akka.Serialization.Serialization _serialization;
    private IActorRef? _journal;

    public SqliteSnapshotStore(Config config)
    {
        _connectionString = config.GetString("connection-string", string.Empty);
        if (string.IsNullOrWhiteSpace(_connectionString))
        {
            throw new ConfigurationException("connection-string: required");
        }

        _table = JournalSettings.Identifier("default.snapshot.table-name", config.GetString("default.snapshot.table-name", "snapshot"));
        _journalPluginId = config.GetString("journal-plugin", string.Empty);
        if (string.IsNullOrWhiteSpace(_journalPluginId))
        {
            throw new ConfigurationException("journal-plugin: required (the SQLite journal whose writer commits the snapshots)");
        }

        _busyTimeout = config.GetTimeSpan("sqlite-busy-timeout", TimeSpan.FromSeconds(30));
        _loadSql = $"SELECT sequence_number, created, snapshot, manifest, serializer_id FROM [{_table}] " +
            "WHERE persistence_id = $pid AND sequence_number >= $minSeq AND sequence_number <= $maxSeq " +
            "AND created >= $minCreated AND created <= $maxCreated ORDER BY sequence_number DESC LIMIT 1";
        _system = (ExtendedActorSystem)Context.System;
        _serialization = _system.Serialization;
        if (config.GetBoolean("auto-initialize", true))
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = SqliteJournalSchema.SnapshotDdl(_table);
            command.ExecuteNonQuery();
        }
    }

    private IActorRef Journal => _journal ??= Persistence.Instance.Apply(_system).JournalFor(_journalPluginId);

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken = default) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = _loadSql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$minSeq", criteria.MinSequenceNr);
        command.Parameters.AddWithValue("$maxSeq", criteria.MaxSequenceNr);
        command.Parameters.AddWithValue("$minCreated", Ticks(criteria.MinTimestamp ?? DateTime.MinValue));
        command.Parameters.AddWithValue("$maxCreated", Ticks(criteria.MaxTimeStamp));
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var sequenceNr = reader.GetInt64(0);
        var created = reader.GetInt64(1);
        var bytes = (byte[])reader.GetValue(2);
        var manifest = reader.IsDBNull(3) ? string.Empty : reader.GetString(3);
        int? serializer = reader.IsDBNull(4) ? null : reader.GetInt32(4);
        var snapshot = GroupCommitJournal.Deserialize(_system, bytes, serializer, manifest);
        return new SelectedSnapshot(new SnapshotMetadata(persistenceId, sequenceNr, new DateTime(created, DateTimeKind.Utc)), snapshot);
    }, cancellationToken);

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        // Same serializer choice as Akka.Persistence.Sql ByteArraySnapshotSerializer: the snapshot object itself.
        var serializer = _serialization.FindSerializerFor(snapshot);
        var manifest = serializer switch
        {
            Akka.Serialization.SerializerWithStringManifest s => s.Manifest(snapshot),
            { IncludeManifest: true } => Akka.Util.TypeExtensions.TypeQualifiedName(snapshot.GetType()),
            _ => string.Empty,
        };
        var bytes = Akka.Serialization.Serialization.WithTransport(_system, (serializer, snapshot),
            s => s.serializer.ToBinary(s.snapshot));
        var created = metadata.Timestamp == DateTime.MinValue ? DateTime.UtcNow.Ticks : Ticks(metadata.Timestamp);
        var row = new SnapshotRow(metadata.PersistenceId, metadata.SequenceNr, created, bytes, manifest, serializer.Identifier);
        return Send(SnapshotWriteRequest.Saving(_table, row));
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        // As Akka.Persistence.Sql: a timestamp, when given, must match too.
        var at = metadata.Timestamp == DateTime.MinValue ? (long?)null : Ticks(metadata.Timestamp);
        return Send(SnapshotWriteRequest.Deleting(_table, new SnapshotDeletion(
            metadata.PersistenceId, metadata.SequenceNr, metadata.SequenceNr, at ?? long.MinValue, at ?? long.MaxValue)));
    }

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria,
        CancellationToken cancellationToken = default) =>
        Send(SnapshotWriteRequest.Deleting(_table, new SnapshotDeletion(persistenceId, criteria.MinSequenceNr,
            criteria.MaxSequenceNr, Ticks(criteria.MinTimestamp ?? DateTime.MinValue), Ticks(criteria.MaxTimeStamp))));

    private Task Send(SnapshotWriteRequest request)
    {
        Journal.Tell(request);
        return request.Done.Task;
    }

    private static long Ticks(DateTime time) => time.Ticks;

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout={(long)_busyTimeout.TotalMilliseconds};";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
