using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace Routing.Cluster.Journal;

/// <summary>Asks a <see cref="SqliteJournal"/> for its counters; answered with <see cref="SqliteJournalStats"/>.</summary>
public sealed record GetSqliteJournalStats
{
    public static readonly GetSqliteJournalStats Instance = new();
}

/// <summary>Counters of one journal: transactions committed, events committed, events rejected for overload.</summary>
public sealed record SqliteJournalStats(long Commits, long Events, long Overloaded);

/// <summary>Thrown as the rejection of a write that found the writer queue full.</summary>
public sealed class JournalOverloadedException(string message) : Exception(message);

/// <summary>
/// Akka.Persistence write journal on SQLite with group commit (<see cref="SqliteJournalWriter"/>). It writes exactly
/// the rows Akka.Persistence.Sql 1.5.73 writes with the default table mapping and the tag table (same serializer id,
/// manifest, ticks in <c>created</c>, <c>writer_uuid</c> in "N" format, tags in the tag table keyed by
/// <c>ordering</c>), so its <c>SqlReadJournal</c>, snapshot store and existing files keep working. Reads and deletes
/// use their own pooled connections; WAL lets them run beside the writer.
/// </summary>
#pragma warning disable CA1001 // the writer is disposed in PostStop, the actor's end of life
public sealed class SqliteJournal : AsyncWriteJournal
#pragma warning restore CA1001
{
    private readonly SqliteJournalSettings _settings;
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly ExtendedActorSystem _system;
    private readonly SqliteJournalWriter _writer;
    private readonly string _highestSql;
    private readonly string _replaySql;
    private readonly string _deleteSql;
    private long _overloaded;

    public SqliteJournal(Config config)
    {
        _settings = SqliteJournalSettings.From(config);
        _system = (ExtendedActorSystem)Context.System;
        _serialization = _system.Serialization;
        var j = _settings.JournalTable;
        _highestSql = $"SELECT MAX(sequence_number) FROM [{j}] WHERE persistence_id = $pid";
        _replaySql = $"SELECT sequence_number, created, message, manifest, identifier, writer_uuid FROM [{j}] " +
            "WHERE persistence_id = $pid AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0 " +
            "ORDER BY sequence_number LIMIT $max";

        // As Akka.Persistence.Sql BaseByteArrayJournalDao.Delete (native mode): mark, keep the highest marked row so the
        // highest sequence number survives, remove the rest and their tags.
        _deleteSql = $"UPDATE [{j}] SET deleted = 1 WHERE persistence_id = $pid AND sequence_number <= $to; " +
            $"DELETE FROM [{j}] WHERE persistence_id = $pid AND sequence_number <= $to AND sequence_number < " +
            $"(SELECT MAX(sequence_number) FROM [{j}] WHERE persistence_id = $pid AND deleted = 1); " +
            $"DELETE FROM [{_settings.TagTable}] WHERE persistence_id = $pid AND sequence_nr <= $to;";

        using (var connection = Open(writer: false))
        {
            SqliteJournalSchema.Initialize(connection, _settings);
        }

        var uuid = _settings.UseWriterUuid ? Guid.NewGuid().ToString("N") : null;
        _writer = new SqliteJournalWriter(_settings, uuid, Self.Path.Name);
    }

    protected override async Task<IImmutableList<Exception?>?> WriteMessagesAsync(IEnumerable<AtomicWrite> messages,
        CancellationToken cancellationToken)
    {
        var writes = messages as IReadOnlyList<AtomicWrite> ?? [.. messages];
        var rows = new JournalRow[]?[writes.Count];
        Exception?[]? rejections = null;
        var events = 0;
        var created = DateTime.UtcNow.Ticks;
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                rows[i] = Serialize(writes[i], created);
                events += rows[i]!.Length;
            }
            catch (Exception e)
            {
                // A serialization failure rejects this atomic write only (Akka AsyncWriteJournal contract).
                (rejections ??= new Exception?[writes.Count])[i] = e;
            }
        }

        if (events == 0)
        {
            return rejections?.ToImmutableList();
        }

        var request = new JournalWriteRequest(rows, events);
        if (!_writer.TryEnqueue(request))
        {
            Interlocked.Add(ref _overloaded, events);
            rejections ??= new Exception?[writes.Count];
            var overload = new JournalOverloadedException(
                $"journal writer queue holds more than {_settings.MaxPendingEvents} events (max-pending-events)");
            for (var i = 0; i < rows.Length; i++)
            {
                if (rows[i] is not null)
                {
                    rejections[i] = overload;
                }
            }

            return rejections.ToImmutableList();
        }

        // A database failure faults this task: the whole call fails and each persistent actor gets OnPersistFailure.
        await request.Done.Task.ConfigureAwait(false);
        return rejections?.ToImmutableList();
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr,
        CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open(writer: false);
        using var command = connection.CreateCommand();
        command.CommandText = _highestSql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        return command.ExecuteScalar() is long highest ? highest : 0L;
    }, cancellationToken);

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr,
        long max, Action<IPersistentRepresentation> recoveryCallback) => Task.Run(() =>
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return;
        }

        using var connection = Open(writer: false);
        using var command = connection.CreateCommand();
        command.CommandText = _replaySql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$from", fromSequenceNr);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var sequenceNr = reader.GetInt64(0);
            var created = reader.GetInt64(1);
            var message = (byte[])reader.GetValue(2);
            var manifest = reader.IsDBNull(3) ? string.Empty : reader.GetString(3);
            int? identifier = reader.IsDBNull(4) ? null : reader.GetInt32(4);
            var writer = reader.IsDBNull(5) ? null : reader.GetString(5);
            var payload = Deserialize(_system, message, identifier, manifest);
            recoveryCallback(new Persistent(payload, sequenceNr, persistenceId, manifest, false, ActorRefs.NoSender, writer, created));
        }
    });

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr,
        CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open(writer: false);
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _deleteSql;
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$to", toSequenceNr);
        command.ExecuteNonQuery();
        transaction.Commit();
    }, cancellationToken);

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is GetSqliteJournalStats)
        {
            Sender.Tell(new SqliteJournalStats(_writer.Commits, _writer.Events, Interlocked.Read(ref _overloaded)));
            return true;
        }

        // SqlReadJournal's constructor asks its write plugin IsInitialized and waits for Initialized (both internal to
        // Akka.Persistence.Sql, see its SqlReadJournal.cs, issue #344). Our tables exist once the constructor ran.
        if (message.GetType().FullName == "Akka.Persistence.Sql.Utility.IsInitialized")
        {
            var initialized = message.GetType().Assembly.GetType("Akka.Persistence.Sql.Utility.Initialized", throwOnError: true)!
                .GetField("Instance", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
            Sender.Tell(initialized);
            return true;
        }

        return false;
    }

    protected override void PostStop()
    {
        _writer.Dispose();
        base.PostStop();
    }

    private SqliteConnection Open(bool writer)
    {
        var connection = new SqliteConnection(_settings.ConnectionString);
        try
        {
            connection.Open();
            SqliteJournalSchema.Configure(connection, _settings, writer);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private JournalRow[] Serialize(AtomicWrite write, long created)
    {
        var payloads = (IImmutableList<IPersistentRepresentation>)write.Payload;
        var rows = new JournalRow[payloads.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var p = payloads[i];
            var payload = p.Payload;
            var tags = Array.Empty<string>();
            if (payload is Tagged tagged)
            {
                payload = tagged.Payload;
                tags = tagged.Tags.Count == 0 ? tags : [.. tagged.Tags];
            }

            // Same choice of serializer and manifest as Akka.Persistence.Sql ByteArrayJournalSerializer.Serialize.
            (byte[] bytes, string manifest, int id) = Akka.Serialization.Serialization.WithTransport(_system, payload, o =>
            {
                var serializer = _serialization.FindSerializerForType(o.GetType());
                var m = serializer switch
                {
                    Akka.Serialization.SerializerWithStringManifest s => s.Manifest(o),
                    { IncludeManifest: true } => Akka.Util.TypeExtensions.TypeQualifiedName(o.GetType()),
                    _ => string.Empty,
                };
                return (Bytes: serializer.ToBinary(o), Manifest: m, Id: serializer.Identifier);
            });
            rows[i] = new JournalRow(p.PersistenceId, p.SequenceNr, p.Timestamp == 0 ? created : p.Timestamp, bytes, manifest, id, tags);
        }

        return rows;
    }

    /// <summary>A row's payload back to its event (shared with <see cref="SqliteReadJournal"/>).</summary>
    internal static object Deserialize(ExtendedActorSystem system, byte[] message, int? identifier, string manifest)
    {
        var serialization = system.Serialization;
        if (identifier is { } id)
        {
            return serialization.Deserialize(message, id, manifest);
        }

        // Rows from old plugins without a serializer id: the manifest is the type name.
        var type = Type.GetType(manifest, throwOnError: true)!;
        return Akka.Serialization.Serialization.WithTransport(system, (type, message),
            s => serialization.FindSerializerForType(s.type).FromBinary(s.message, s.type));
    }
}
