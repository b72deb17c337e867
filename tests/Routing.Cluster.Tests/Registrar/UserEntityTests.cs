using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Microsoft.Extensions.Time.Testing;
using Routing.Cluster.Registrar;
using Routing.Cluster.Serialization;
using static Routing.Cluster.Tests.Registrar.RegistrarFixtures;

namespace Routing.Cluster.Tests.Registrar;

/// <summary>The user entity over the Akka.Persistence TestKit journal (failure injection) with a fake clock.</summary>
public sealed class UserEntityTests : Akka.TestKit.Xunit.TestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { routing = "{{typeof(RoutingSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(IRoutingSerializable).AssemblyQualifiedName}}" = routing }
        }
        akka.persistence {
          journal {
            plugin = "akka.persistence.journal.test"
            test {
              class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
          }
          snapshot-store {
            plugin = "akka.persistence.snapshot-store.test"
            test {
              class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
          }
        }
        akka.test.timefactor = {{Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}}
        """);

    private readonly FakeTimeProvider _time = new(T0);

    public UserEntityTests() : base(TestConfig) { }

    private ITestJournal Journal => TestJournal.FromRef(Persistence.Instance.Apply(Sys).JournalFor(null));

    private IActorRef Entity(string aor = Aor, RegistrarSettings? settings = null) =>
        Sys.ActorOf(UserEntity.Props(aor, settings ?? NoAuth, Verifier, _time));

    private Task<T> AskAsync<T>(IActorRef actor, object message) =>
        actor.Ask<T>(message, Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

    private async Task StopAsync(IActorRef actor)
    {
        Watch(actor);
        actor.Tell(StopUser.Instance);
        await ExpectTerminatedAsync(actor, cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Recovery_AfterStop_GivesTheSameBindings()
    {
        var entity = Entity();
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], callId: "a"));
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.6", expires: 600, parameters: ";+sip.instance=\"<urn:uuid:1>\"")],
            callId: "b", path: ["<sip:edge.example.com;lr>"]));
        var before = await AskAsync<UserResult>(entity, new GetUser(Aor));
        await StopAsync(entity);

        var recovered = await AskAsync<UserResult>(Entity(), new GetUser(Aor));

        Assert.Equal(2, recovered.Bindings.Count);
        Assert.Equal(before.Bindings, recovered.Bindings);
    }

    [Fact]
    public async Task Recovery_FromSnapshotAndLaterEvents_GivesTheSameBindings()
    {
        var settings = NoAuth with { SnapshotEvery = 2 };
        var entity = Entity(settings: settings);
        for (var i = 0; i < 5; i++)
        {
            await AskAsync<RegisterReply>(entity, Register([Contact($"sip:alice@10.0.0.{i + 1}")], callId: "c" + i));
        }

        var before = await AskAsync<UserResult>(entity, new GetUser(Aor));
        await StopAsync(entity);

        var recovered = await AskAsync<UserResult>(Entity(settings: settings), new GetUser(Aor));

        Assert.Equal(5, recovered.Bindings.Count);
        Assert.Equal(before.Bindings, recovered.Bindings);
    }

    [Fact]
    public void SnapshotPhase_SpreadsAorsCreatedTogetherOverTheWholeCycle()
    {
        const int every = 100;
        var perPhase = new int[every];
        for (var i = 0; i < 10_000; i++)
        {
            var phase = UserEntity.SnapshotPhase($"{UserEntity.PersistenceIdPrefix}sip:user{i:D5}@127.0.0.1", every);
            Assert.InRange(phase, 0, every - 1);
            perPhase[phase]++;
        }

        // 100 per phase on average: no phase holds a wave, none is empty.
        Assert.InRange(perPhase.Min(), 50, 100);
        Assert.InRange(perPhase.Max(), 100, 160);
        Assert.Equal(UserEntity.SnapshotPhase("user-sip:a@b", every), UserEntity.SnapshotPhase("user-sip:a@b", every));
        Assert.Equal(0, UserEntity.SnapshotPhase("user-sip:a@b", 1));
    }

    [Fact]
    public async Task JournalWriteFailure_AnswersUnavailableAndLosesNothingAcknowledged()
    {
        var entity = Entity();
        var acknowledged = await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], callId: "a"));
        Assert.Null(acknowledged.Rejection);

        await Journal.OnWrite.Fail();
        var failed = await AskAsync<object>(entity, Register([Contact("sip:alice@10.0.0.9")], callId: "b"));
        await Journal.OnWrite.Pass();

        Assert.IsType<RegistrarUnavailable>(failed);
        var recovered = await AskAsync<UserResult>(Entity(), new GetUser(Aor));
        var binding = Assert.Single(recovered.Bindings);
        Assert.Equal("sip:alice@10.0.0.5", binding.Binding.ContactUri);
    }

    [Fact]
    public async Task JournalWriteRejected_AnswersUnavailableAndKeepsServing()
    {
        var entity = Entity();
        await Journal.OnWrite.Reject();
        var rejected = await AskAsync<object>(entity, Register([Contact("sip:alice@10.0.0.9")], callId: "b"));
        await Journal.OnWrite.Pass();
        var accepted = await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], callId: "c"));

        Assert.IsType<RegistrarUnavailable>(rejected);
        Assert.Equal("sip:alice@10.0.0.5", Assert.Single(accepted.Bindings).Binding.ContactUri);
    }

    [Fact]
    public async Task Expiry_WhenTheFakeClockPassesIt_RemovesTheBindingWithAnEvent()
    {
        var entity = Entity();
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5", expires: 60)], callId: "a"));
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.6", expires: 3600)], callId: "b"));

        _time.Advance(TimeSpan.FromSeconds(61));
        await AwaitAssertAsync(async () =>
        {
            var user = await AskAsync<UserResult>(entity, new GetUser(Aor));
            Assert.Equal("sip:alice@10.0.0.6", Assert.Single(user.Bindings).Binding.ContactUri);
        }, cancellationToken: TestContext.Current.CancellationToken);
        await StopAsync(entity);

        // The expiry was persisted: the recovered entity replays BindingExpired and lists only the live binding.
        var recovered = await AskAsync<UserResult>(Entity(), new GetUser(Aor));
        Assert.Single(recovered.Bindings);
    }

    [Fact]
    public async Task Expiry_WhoseWriteTheJournalRefused_IsTriedAgainWithoutAnyOtherCommand()
    {
        var entity = Entity();
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5", expires: 60)], callId: "a"));
        await Journal.OnWrite.Reject();

        _time.Advance(TimeSpan.FromSeconds(61));
        // Answered after the tick's refused write (the entity holds commands while it writes).
        await AskAsync<UserResult>(entity, new GetUser(Aor));
        await Journal.OnWrite.Pass();
        Assert.DoesNotContain(await EventsAsync(), e => e is BindingExpired);

        _time.Advance(UserEntity.ExpiryRetry);
        await AwaitAssertAsync(async () => Assert.Contains(await EventsAsync(), e => e is BindingExpired),
            cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>The events the journal holds for the AOR, in order.</summary>
    private async Task<List<object>> EventsAsync()
    {
        var probe = CreateTestProbe();
        Persistence.Instance.Apply(Sys).JournalFor(null)
            .Tell(new ReplayMessages(0, long.MaxValue, long.MaxValue, UserEntity.PersistenceIdPrefix + Aor, probe.Ref));
        var events = new List<object>();
        while (true)
        {
            var message = await probe.ReceiveOneAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);
            switch (message)
            {
                case ReplayedMessage replayed:
                    events.Add(replayed.Persistent.Payload);
                    break;
                case RecoverySuccess:
                    return events;
                default:
                    throw new InvalidOperationException($"unexpected replay answer {message}");
            }
        }
    }

    [Fact]
    public async Task Expiry_AfterARefreshMovedItLater_TheEarlierTimerTickExpiresNothingAndTheLaterOneDoes()
    {
        var entity = Entity();
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5", expires: 60)], callId: "a", cseq: 1));
        _time.Advance(TimeSpan.FromSeconds(30));
        // The refresh moves the expiry from T0+60 to T0+90; the timer armed for T0+60 is kept and fires early.
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5", expires: 60)], callId: "a", cseq: 2));

        _time.Advance(TimeSpan.FromSeconds(31));
        var user = await AskAsync<UserResult>(entity, new GetUser(Aor));
        Assert.Single(user.Bindings);
        Assert.DoesNotContain(await EventsAsync(), e => e is BindingExpired);

        _time.Advance(TimeSpan.FromSeconds(30));
        await AwaitAssertAsync(async () =>
        {
            var events = await EventsAsync();
            Assert.IsType<BindingExpired>(events[^1]);
            Assert.Single(events, e => e is BindingExpired);
        }, cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Coalesce_RefreshWithinTheWindowIsNotWrittenAndOneAfterItIs()
    {
        var entity = Entity(settings: NoAuth with { RefreshPersistence = RefreshPersistence.Coalesce, CoalesceWindow = TimeSpan.FromMinutes(5) });
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], callId: "a", cseq: 1));
        Assert.IsType<BindingAdded>(Assert.Single(await EventsAsync()));

        _time.Advance(TimeSpan.FromMinutes(1));
        var refreshed = await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], callId: "b", cseq: 1));
        Assert.Null(refreshed.Rejection);
        Assert.Single(await EventsAsync());

        _time.Advance(TimeSpan.FromMinutes(5));
        await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], callId: "c", cseq: 1));
        var events = await EventsAsync();
        Assert.Equal(2, events.Count);
        Assert.Equal("c", Assert.IsType<BindingRefreshed>(events[1]).Binding.CallId);
    }

    [Fact]
    public async Task Provision_ThenDigestRegister_Succeeds()
    {
        var entity = Entity(settings: Digest);
        var created = await AskAsync<UserChangeResult>(entity, Provision());
        var updated = await AskAsync<UserChangeResult>(entity, Provision("new-secret"));
        var reply = await AskAsync<RegisterReply>(entity, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0, password: "new-secret")));

        Assert.Equal(UserChangeOutcome.Created, created.Outcome);
        Assert.Equal(UserChangeOutcome.Updated, updated.Outcome);
        Assert.Null(reply.Rejection);
    }

    [Fact]
    public async Task Deprovision_UnknownUser_AnswersNotFound()
    {
        var result = await AskAsync<UserChangeResult>(Entity("sip:nobody@example.com"), new DeprovisionUser("sip:nobody@example.com"));

        Assert.Equal(UserChangeOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task GetDigestCredentials_ProvisionedUser_AnswersTheStoredHa1sFromStateAfterRecovery()
    {
        var entity = Entity(settings: Digest);
        await AskAsync<UserChangeResult>(entity, Provision());
        await StopAsync(entity);

        var credentials = await AskAsync<DigestCredentialsResult>(Entity(settings: Digest), new GetDigestCredentials(Aor));

        Assert.True(credentials.Provisioned);
        Assert.Equal("alice", credentials.Username);
        Assert.Equal(Realm, credentials.Realm);
        Assert.Equal(Provision().Credentials, credentials.Credentials);
    }

    [Fact]
    public async Task GetDigestCredentials_DeprovisionedUser_AnswersNoCredentials()
    {
        var entity = Entity(settings: Digest);
        await AskAsync<UserChangeResult>(entity, Provision());
        await AskAsync<UserChangeResult>(entity, new DeprovisionUser(Aor));

        var credentials = await AskAsync<DigestCredentialsResult>(entity, new GetDigestCredentials(Aor));

        Assert.False(credentials.Provisioned);
        Assert.Null(credentials.Username);
        Assert.Empty(credentials.Credentials);
    }
}
