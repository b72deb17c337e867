using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Time.Testing;
using Routing.Cluster.Cdr;
using Routing.Cluster.Dialogs;

namespace Routing.Cluster.Tests.Cdr;

public sealed class DialogWakerTests : Akka.TestKit.Xunit.TestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString(
        $"akka.test.timefactor = {Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}");

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public DialogWakerTests() : base(TestConfig) { }

    [Fact]
    public void Sweep_EveryOpenCallInTheWindow_GetsAWakeWithoutSender()
    {
        var store = new OpenCalls(["call-a", "call-b"]);
        var region = CreateTestProbe();
        var settings = new DialogWakerSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(12));
        Sys.ActorOf(DialogWaker.Props(store, () => region.Ref, settings, new FakeTimeProvider(T0)));

        var woken = new[]
        {
            region.ExpectMsg<WakeDialog>(Dilated(TimeSpan.FromSeconds(5)), cancellationToken: TestContext.Current.CancellationToken),
            region.ExpectMsg<WakeDialog>(Dilated(TimeSpan.FromSeconds(5)), cancellationToken: TestContext.Current.CancellationToken),
        };
        Assert.Equal(["call-a", "call-b"], woken.Select(w => w.CallId));
        Assert.True(region.LastSender.IsNobody() || region.LastSender.Equals(Sys.DeadLetters));

        var query = store.Queries[0];
        Assert.True(query.ActiveOnly);
        Assert.Equal(T0 - TimeSpan.FromHours(12), query.Since);
    }

    private sealed class OpenCalls(string[] callIds) : ICdrStore
    {
        public List<CdrQuery> Queries { get; } = [];

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<long> LoadOffsetAsync(CancellationToken cancellationToken) => Task.FromResult(0L);

        public Task ApplyAsync(IReadOnlyList<CdrInput> batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<CdrRecord>> QueryAsync(CdrQuery query, CancellationToken cancellationToken)
        {
            lock (Queries)
            {
                Queries.Add(query);
            }

            return Task.FromResult<IReadOnlyList<CdrRecord>>([.. callIds.Select(id => new CdrRecord { CallId = id })]);
        }
    }
}
