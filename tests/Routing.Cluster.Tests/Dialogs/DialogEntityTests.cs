using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Microsoft.Extensions.Time.Testing;
using Routing.Cluster.Dialogs;
using Routing.Cluster.Serialization;
using static Routing.Cluster.Tests.Dialogs.DialogFixtures;

namespace Routing.Cluster.Tests.Dialogs;

public sealed class DialogEntityTests : Akka.TestKit.Xunit.TestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { routing = "{{typeof(RoutingSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(IRoutingSerializable).AssemblyQualifiedName}}" = routing }
        }
        akka.test.timefactor = {{Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}}
        """);

    private readonly FakeTimeProvider _time = new(T0);

    public DialogEntityTests() : base(TestConfig) { }

    private async Task<T> Ask<T>(IActorRef entity, object message) =>
        await entity.Ask<T>(message, Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Entity_StoppedAndRecreated_RecoversDialogAndRoutesBye()
    {
        var settings = new DialogSettings();
        var entity = Sys.ActorOf(DialogEntity.Props("call-r", settings, _time));
        await Ask<DialogAck>(entity, Start("call-r"));
        await Ask<DialogAck>(entity, new RecordAnswer("call-r", 0, "ttag", Bob(), null));
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity, cancellationToken: TestContext.Current.CancellationToken);

        var again = Sys.ActorOf(DialogEntity.Props("call-r", settings, _time));
        var route = await Ask<InDialogRoute>(again, new RouteInDialog("call-r", Key(2, "BYE", "z9hG4bKb"), "ftag", "ttag", Alice(), false, null));
        Assert.Equal("tok-b", route.Target!.FlowToken);
        var view = await Ask<DialogView>(again, new GetDialog("call-r"));
        Assert.Equal(DialogPhase.Terminated, view.Phase);
        Assert.Equal(3, view.History.Count);
    }

    [Fact]
    public async Task Rfc4028_SessionIntervalPassesWithoutRefresh_EntityTerminatesAndPassivates()
    {
        var settings = new DialogSettings { Linger = TimeSpan.FromSeconds(5) };
        var parent = CreateTestProbe();
        var entity = parent.ChildActorOf(DialogEntity.Props("call-s", settings, _time), TestContext.Current.CancellationToken);
        await Ask<DialogAck>(entity, Start("call-s") with { SessionExpires = 90 });
        await Ask<DialogAck>(entity, new RecordAnswer("call-s", 0, "ttag", Bob(), 90));

        _time.Advance(TimeSpan.FromSeconds(90) + settings.SessionGrace + TimeSpan.FromSeconds(1));
        await AwaitAssertAsync(async () =>
        {
            var view = await Ask<DialogView>(entity, new GetDialog("call-s"));
            Assert.Equal(DialogPhase.Terminated, view.Phase);
            Assert.Equal(TerminationReason.SessionExpired, ((DialogTerminated)view.History[^1]).Reason);
        }, Dilated(TimeSpan.FromSeconds(5)), cancellationToken: TestContext.Current.CancellationToken);

        _time.Advance(settings.Linger + TimeSpan.FromSeconds(1));
        var passivate = await parent.ExpectMsgAsync<Passivate>(Dilated(TimeSpan.FromSeconds(5)), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Same(StopDialog.Instance, passivate.StopMessage);
    }

    [Fact]
    public async Task Entity_RetransmittedStart_OneDialogStartedEvent()
    {
        var entity = Sys.ActorOf(DialogEntity.Props("call-d", new DialogSettings(), _time));
        Assert.False((await Ask<DialogAck>(entity, Start("call-d"))).Duplicate);
        Assert.True((await Ask<DialogAck>(entity, Start("call-d"))).Duplicate);
        var view = await Ask<DialogView>(entity, new GetDialog("call-d"));
        Assert.Single(view.History);
    }

    [Fact]
    public async Task UnknownDialog_QueriedOnly_PassivatesAfterLinger()
    {
        var settings = new DialogSettings { Linger = TimeSpan.FromSeconds(5) };
        var parent = CreateTestProbe();
        var entity = parent.ChildActorOf(DialogEntity.Props("call-none", settings, _time), TestContext.Current.CancellationToken);
        var view = await Ask<DialogView>(entity, new GetDialog("call-none"));
        Assert.Equal(DialogPhase.None, view.Phase);

        _time.Advance(settings.Linger + TimeSpan.FromSeconds(1));
        var passivate = await parent.ExpectMsgAsync<Passivate>(Dilated(TimeSpan.FromSeconds(5)), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Same(StopDialog.Instance, passivate.StopMessage);
    }
}
