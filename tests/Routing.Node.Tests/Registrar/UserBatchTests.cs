using Akka.Actor;
using Routing.Cluster.Registrar;
using Routing.Node.Admin;

namespace Routing.Node.Tests.Registrar;

/// <summary>
/// Stands in for the user region: holds provisioning requests until <c>window</c> are waiting (or all that remain), then
/// answers them, recording the most it ever held; AORs starting with "sip:old" are updates, "sip:slow" never answer.
/// </summary>
internal sealed class HoldingRegion : ReceiveActor
{
    public HoldingRegion(int window, int expected, int[] maxHeld)
    {
        var held = new List<(IActorRef Sender, ProvisionUser Command)>();
        var answered = 0;
        Receive<ProvisionUser>(p =>
        {
            if (p.Aor.StartsWith("sip:slow", StringComparison.Ordinal))
            {
                answered++;
                return;
            }

            held.Add((Sender, p));
            maxHeld[0] = Math.Max(maxHeld[0], held.Count);
            if (held.Count < Math.Min(window, expected - answered))
            {
                return;
            }

            foreach (var (sender, command) in held)
            {
                var outcome = command.Aor.StartsWith("sip:old", StringComparison.Ordinal) ? UserChangeOutcome.Updated : UserChangeOutcome.Created;
                sender.Tell(new UserChangeResult(command.Aor, outcome));
            }

            answered += held.Count;
            held.Clear();
        });
    }
}

public sealed class UserBatchTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("user-batch-tests");

    public void Dispose() => _system.Dispose();

    [Fact]
    public async Task ProvisionBatch_ManyLines_BoundedInFlightAndOneOutcomePerLineInOrder()
    {
        const int parallelism = 8;
        var items = Enumerable.Range(1, 50).Select(i => new UserBatchItem(i + 10, $"sip:{(i % 10 == 0 ? "old" : "u")}{i}@example.com", "pw")).ToList();
        items.Insert(3, new UserBatchItem(99, "tel:+1555", "pw"));
        items.Insert(7, new UserBatchItem(100, "sip:x@example.com", ""));
        var maxHeld = new int[1];
        var region = _system.ActorOf(Props.Create(() => new HoldingRegion(parallelism, 50, maxHeld)));

        var response = await UserEndpoints.ProvisionBatchAsync(region, items, parallelism, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(parallelism, maxHeld[0]);
        Assert.Equal(45, response.Created);
        Assert.Equal(5, response.Updated);
        Assert.Equal(2, response.Failed);
        Assert.Equal(items.Select(i => i.Line), response.Results.Select(r => r.Line));
        var tel = response.Results[3];
        Assert.Equal(("invalid", 99), (tel.Outcome, tel.Line));
        Assert.Contains("address-of-record", tel.Error, StringComparison.Ordinal);
        Assert.Equal("aor and password are required", response.Results[7].Error);
        Assert.Equal("created", response.Results[0].Outcome);
        Assert.Equal("sip:u1@example.com", response.Results[0].Aor);
    }

    [Fact]
    public async Task ProvisionBatch_EntityNeverAnswers_LineReportedUnavailableAndTheRestApplied()
    {
        var items = new List<UserBatchItem> { new(1, "sip:slow@example.com", "pw"), new(2, "sip:a@example.com", "pw") };
        var region = _system.ActorOf(Props.Create(() => new HoldingRegion(1, 2, new int[1])));

        var response = await UserEndpoints.ProvisionBatchAsync(region, items, 2, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);

        Assert.Equal(("journal-unavailable", 1), (response.Results[0].Outcome, response.Failed));
        Assert.Equal("created", response.Results[1].Outcome);
    }
}
