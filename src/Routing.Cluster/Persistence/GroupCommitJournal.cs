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
    private long _overloaded;

    protected GroupCommitJournal()
    {
        _system = (ExtendedActorSystem)Context.System;
    }

    protected ExtendedActorSystem ActorSystem => _system;

    /// <summary>The journal's writer; set by the subclass's constructor.</summary>
    private protected JournalGroupWriter Writer { get; set; } = null!;

    /// <summary><c>max-pending-events</c>, for the overload message.</summary>
    protected abstract int MaxPendingEvents { get; }

    /// <summary>
    /// Takes <see cref="WriteMessages"/> before <see cref="AsyncWriteJournal"/> does. Its path costs, per write, a
    /// circuit-breaker call with its own timer, three async state machines and two messages through one resequencer
    /// actor that orders every write of the journal, to restore an order the group writer keeps anyway: it commits
    /// requests in arrival order and completes them in that order on its one thread. Here the writer thread answers
    /// the persistent actor itself, with the same messages in the same order (<see cref="WriteMessagesSuccessful"/>,
    /// then one result per event). A persistent actor has one write in flight at a time (Akka's Eventsourced sends the
    /// next only after <see cref="WriteMessagesSuccessful"/>), so its answers cannot overtake each other. A batch with a
    /// non-persistent entry (<c>Defer</c>) takes Akka's path, which loops it back in order.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is WriteMessages write && OnlyAtomicWrites(write))
        {
            Write(write);
            return true;
        }

        return base.AroundReceive(receive, message);
    }

    private static bool OnlyAtomicWrites(WriteMessages write)
    {
        foreach (var m in write.Messages)
        {
            if (m is not AtomicWrite)
            {
                return false;
            }
        }

        return true;
    }

    private void Write(WriteMessages write)
    {
        var originals = new List<AtomicWrite>();
        foreach (var m in write.Messages)
        {
            originals.Add((AtomicWrite)m);
        }

        var rejections = new Exception?[originals.Count];
        JournalRow[]?[] rows;
        var events = 0;
        try
        {
            rows = SerializeAll(PreparePersistentBatch(write.Messages), originals.Count, rejections, out events);
        }
        catch (Exception e)
        {
            // An event adapter threw: every atomic write is rejected, as AsyncWriteJournal does.
            Array.Fill(rejections, e);
            rows = [];
            events = 0;
        }

        var request = new ActorWriteRequest(write, Self, originals, rejections, rows, events);
        if (events == 0)
        {
            request.Complete(null);
            return;
        }

        if (!Writer.TryEnqueue(request))
        {
            Interlocked.Add(ref _overloaded, events);
            RejectWritten(rows, rejections, Overload());
            request.Complete(null);
        }
    }

    /// <summary>Rejects every atomic write that had rows to write.</summary>
    private static void RejectWritten(JournalRow[]?[] rows, Exception?[] rejections, Exception cause)
    {
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i] is not null)
            {
                rejections[i] = cause;
            }
        }
    }

    /// <summary>Akka's path, taken only by a batch with a non-persistent entry (see <see cref="AroundReceive"/>).</summary>
    protected sealed override async Task<IImmutableList<Exception?>?> WriteMessagesAsync(IEnumerable<AtomicWrite> messages,
        CancellationToken cancellationToken)
    {
        var writes = messages as IReadOnlyList<AtomicWrite> ?? [.. messages];
        var rejections = new Exception?[writes.Count];
        var rows = SerializeAll(writes, writes.Count, rejections, out var events);
        if (events == 0)
        {
            return Rejections(rejections);
        }

        var request = new TaskWriteRequest(rows, events);
        if (!Writer.TryEnqueue(request))
        {
            Interlocked.Add(ref _overloaded, events);
            RejectWritten(rows, rejections, Overload());
            return rejections.ToImmutableList();
        }

        // A database failure faults this task: the whole call fails and each persistent actor gets OnPersistFailure.
        await request.Done.Task.ConfigureAwait(false);
        return Rejections(rejections);
    }

    private static ImmutableList<Exception?>? Rejections(Exception?[] rejections) =>
        Array.TrueForAll(rejections, r => r is null) ? null : rejections.ToImmutableList();

    private JournalOverloadedException Overload() =>
        new($"journal writer queue holds more than {MaxPendingEvents} events (max-pending-events)");

    /// <summary>Serializes each atomic write into rows; one that fails is rejected alone (Akka AsyncWriteJournal contract).</summary>
    private JournalRow[]?[] SerializeAll(IEnumerable<AtomicWrite> writes, int count, Exception?[] rejections, out int events)
    {
        var rows = new JournalRow[]?[count];
        var created = DateTime.UtcNow.Ticks;
        events = 0;
        var i = 0;
        foreach (var write in writes)
        {
            try
            {
                rows[i] = Serialize(write, created);
                events += rows[i]!.Length;
            }
            catch (Exception e)
            {
                rejections[i] = e;
            }

            i++;
        }

        return rows;
    }

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is SnapshotWriteRequest snapshot)
        {
            // A snapshot store sharing this journal's writer (GroupCommitSnapshotStore): the write joins the next batch.
            if (!Writer.TryEnqueue(snapshot))
            {
                snapshot.Complete(Overload());
            }

            return true;
        }

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

            (byte[] bytes, string manifest, int id) = Serialize(_system, payload);
            rows[i] = new JournalRow(p.PersistenceId, p.SequenceNr, p.Timestamp == 0 ? created : p.Timestamp, bytes, manifest, id, tags);
        }

        return rows;
    }

    /// <summary>
    /// A payload (an event, or a snapshot for <see cref="GroupCommitSnapshotStore"/>) to its bytes, manifest and
    /// serializer id: the same choice as Akka.Persistence.Sql's ByteArrayJournalSerializer and ByteArraySnapshotSerializer.
    /// </summary>
    internal static (byte[] Bytes, string Manifest, int SerializerId) Serialize(ExtendedActorSystem system, object payload) =>
        Akka.Serialization.Serialization.WithTransport(system, payload, o =>
        {
            var serializer = system.Serialization.FindSerializerForType(o.GetType());
            var manifest = serializer switch
            {
                Akka.Serialization.SerializerWithStringManifest s => s.Manifest(o),
                { IncludeManifest: true } => Akka.Util.TypeExtensions.TypeQualifiedName(o.GetType()),
                _ => string.Empty,
            };
            return (serializer.ToBinary(o), manifest, serializer.Identifier);
        });

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

/// <summary>
/// One <see cref="WriteMessages"/> taken by <see cref="GroupCommitJournal"/> itself: on completion the writer thread tells
/// the persistent actor what <see cref="AsyncWriteJournal"/> would have, in the same order.
/// </summary>
internal sealed class ActorWriteRequest(WriteMessages write, IActorRef journal, IReadOnlyList<AtomicWrite> originals,
    Exception?[] rejections, JournalRow[]?[] rows, int events) : JournalWriteRequest(rows, events)
{
    private readonly WriteMessages _write = write;
    private readonly IActorRef _journal = journal;

    /// <summary>The atomic writes as the persistent actor sent them (before event adapters): what it is answered with.</summary>
    private IReadOnlyList<AtomicWrite> Originals { get; } = originals;

    /// <summary>Per atomic write, why it was rejected (serialization, overload), else null.</summary>
    private Exception?[] Rejections { get; } = rejections;

    public override void Complete(Exception? failure)
    {
        var actor = _write.PersistentActor;
        var instance = _write.ActorInstanceId;
        if (failure is not null)
        {
            // The database failed the whole write: the actor stops after the first WriteMessageFailure (OnPersistFailure).
            actor.Tell(new WriteMessagesFailed(failure, Originals.Count), _journal);
            foreach (var write in Originals)
            {
                foreach (var p in (IImmutableList<IPersistentRepresentation>)write.Payload)
                {
                    actor.Tell(new WriteMessageFailure(p, failure, instance), p.Sender);
                }
            }

            return;
        }

        actor.Tell(WriteMessagesSuccessful.Instance, _journal);
        for (var i = 0; i < Originals.Count; i++)
        {
            var rejection = Rejections[i];
            foreach (var p in (IImmutableList<IPersistentRepresentation>)Originals[i].Payload)
            {
                actor.Tell(rejection is null ? new WriteMessageSuccess(p, instance) : new WriteMessageRejected(p, rejection, instance), p.Sender);
            }
        }
    }
}
