using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Routing.Cluster.Tests.Dialogs;

/// <summary>The in-memory journal, counting the atomic writes (one journal transaction each) per persistence id.</summary>
public sealed class CountingJournal : MemoryJournal
{
    private static readonly ConcurrentDictionary<string, int> Counts = new();

    public static int WritesOf(string persistenceId) => Counts.TryGetValue(persistenceId, out var n) ? n : 0;

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        foreach (var write in list)
        {
            Counts.AddOrUpdate(write.PersistenceId, 1, (_, n) => n + 1);
        }

        return base.WriteMessagesAsync(list, cancellationToken);
    }
}
