using Akka.Actor;
using Akka.Event;
using Microsoft.Data.Sqlite;
using Routing.Cluster.Cdr;
using Routing.Cluster.Journal;
using Routing.Cluster.Tests.Journal;

namespace Routing.Cluster.Tests.Cdr;

/// <summary>
/// The projector starts on the first try when its store really awaits (PostgreSQL does; SQLite's initialisation
/// completes synchronously): the actor's async handler keeps its context across the await.
/// </summary>
public sealed class CdrProjectorStartTests : Akka.TestKit.Xunit.TestKit
{
    private readonly JournalTestFile _file;

    public CdrProjectorStartTests() : this(new JournalTestFile()) { }

    private CdrProjectorStartTests(JournalTestFile file) : base(file.Config()) => _file = file;

    protected override void AfterAll()
    {
        base.AfterAll();
        _file.Dispose();
    }

    [Fact]
    public async Task StoreThatAwaitsItsInitialisation_StartsOnceWithoutAnErrorAndReadsTheOffset()
    {
        var store = new YieldingStore(new SqlCdrStore(SqliteFactory.Instance, _file.ConnectionString));
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));

        Sys.ActorOf(CdrProjector.Props(store, new CdrProjectionSettings(SqliteReadJournal.Identifier)), "cdr-projection");

        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref store.OffsetLoads) >= 1), cancellationToken: TestContext.Current.CancellationToken);
        errors.ExpectNoMsg(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        Assert.Equal(1, Volatile.Read(ref store.Initialisations));
    }

    /// <summary>The real store behind an initialisation that completes asynchronously, counting the calls.</summary>
    private sealed class YieldingStore(ICdrStore inner) : ICdrStore
    {
        public int Initialisations;
        public int OffsetLoads;

        public async Task InitializeAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Initialisations);
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            await inner.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        public Task<long> LoadOffsetAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref OffsetLoads);
            return inner.LoadOffsetAsync(cancellationToken);
        }

        public Task ApplyAsync(IReadOnlyList<CdrInput> batch, CancellationToken cancellationToken) => inner.ApplyAsync(batch, cancellationToken);

        public Task<IReadOnlyList<CdrRecord>> QueryAsync(CdrQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);
    }
}
