using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;

namespace Routing.Cluster.Tests.Journal;

/// <summary>
/// Akka's journal protocol spoken by a test directly to a journal plugin (write, replay), shared by the SQLite and the
/// PostgreSQL journal cases (linked into Routing.Node.Tests, which starts the PostgreSQL).
/// </summary>
internal static class JournalProtocol
{
    private static int s_instance;

    /// <summary>A writer-instance id for <see cref="WriteMessages"/>, unique in the process.</summary>
    public static int NextInstance() => Interlocked.Increment(ref s_instance);

    public static Persistent Event(string pid, long seq, object payload) =>
        new(payload, seq, pid, string.Empty, false, ActorRefs.NoSender, "writer");

    public static AtomicWrite Atomic(params IPersistentRepresentation[] events) => new(events.ToImmutableList());

    /// <summary>Writes events <paramref name="from"/>..<paramref name="to"/> ("pid-seq"), one atomic write each, and checks each success.</summary>
    public static void WriteEvents(this TestKitBase kit, IActorRef journal, string pid, long from, long to)
    {
        var writes = new List<IPersistentEnvelope>();
        for (var seq = from; seq <= to; seq++)
        {
            writes.Add(Atomic(Event(pid, seq, pid + "-" + seq)));
        }

        journal.Tell(new WriteMessages(writes, kit.TestActor, NextInstance()));
        kit.ExpectMsg<WriteMessagesSuccessful>(cancellationToken: TestContext.Current.CancellationToken);
        for (var seq = from; seq <= to; seq++)
        {
            Assert.Equal(seq, kit.ExpectMsg<WriteMessageSuccess>(cancellationToken: TestContext.Current.CancellationToken).Persistent.SequenceNr);
        }
    }

    /// <summary>Replays a range and checks the highest sequence number the journal reports with it.</summary>
    public static List<IPersistentRepresentation> Replay(this TestKitBase kit, IActorRef journal, string pid, long from, long to, long max,
        long expectedHighest)
    {
        journal.Tell(new ReplayMessages(from, to, max, pid, kit.TestActor));
        var replayed = new List<IPersistentRepresentation>();
        while (true)
        {
            var message = kit.ReceiveOne(cancellationToken: TestContext.Current.CancellationToken);
            if (message is ReplayedMessage r)
            {
                replayed.Add(r.Persistent);
                continue;
            }

            Assert.Equal(expectedHighest, Assert.IsType<RecoverySuccess>(message).HighestSequenceNr);
            return replayed;
        }
    }
}
