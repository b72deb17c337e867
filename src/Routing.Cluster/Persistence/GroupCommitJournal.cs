using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Routing.Cluster.Journal;

/// <summary>Asks a <see cref="GroupCommitJournal"/> for its counters; answered with <see cref="JournalStats"/>.</summary>
public sealed record GetJournalStats
{
    public static readonly GetJournalStats Instance = new();
}

/// <summary>Counters of one journal: transactions committed, events committed, events rejected for overload.</summary>
public sealed record JournalStats(long Commits, long Events, long Overloaded);

/// <summary>Thrown as the rejection of a write that found the writer queue full.</summary>
public sealed class JournalOverloadedException(string message) : Exception(message);

/// <summary>
/// The write side shared by our SQL journals (<see cref="SqliteJournal"/>, <see cref="PostgresJournal"/>): events are
/// serialized into the rows Akka.Persistence.Sql 1.5.73 writes with the default table mapping and the tag table (same
/// serializer id, manifest, ticks in <c>created</c>, <c>writer_uuid</c> in "N" format, tags in the tag table keyed by
/// <c>ordering</c>), so its read journal, snapshot store and existing databases keep working, and handed to a
/// <see cref="JournalGroupWriter"/> that commits many persistence ids' writes together.
/// </summary>
public abstract class GroupCommitJournal : AsyncWriteJournal
{
    private readonly ExtendedActorSystem _system;
    private readonly Akka.Serialization.Serialization _serialization;
    private long _overloaded;

    protected GroupCommitJournal()
    {
        _system = (ExtendedActorSystem)Context.System;
        _serialization = _system.Serialization;
    }

    protected ExtendedActorSystem ActorSystem => _system;

    /// <summary>The journal's writer; set by the subclass's constructor.</summary>
    private protected JournalGroupWriter Writer { get; set; } = null!;

    /// <summary><c>max-pending-events</c>, for the overload message.</summary>
    protected abstract int MaxPendingEvents { get; }

    protected sealed override async Task<IImmutableList<Exception?>?> WriteMessagesAsync(IEnumerable<AtomicWrite> messages,
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
        if (!Writer.TryEnqueue(request))
        {
            Interlocked.Add(ref _overloaded, events);
            rejections ??= new Exception?[writes.Count];
            var overload = new JournalOverloadedException(
                $"journal writer queue holds more than {MaxPendingEvents} events (max-pending-events)");
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

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is GetJournalStats)
        {
            Sender.Tell(new JournalStats(Writer.Commits, Writer.Events, Interlocked.Read(ref _overloaded)));
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
        Writer?.Dispose();
        base.PostStop();
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

    /// <summary>A row's payload back to its event (also used by <see cref="SqliteReadJournal"/>).</summary>
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
