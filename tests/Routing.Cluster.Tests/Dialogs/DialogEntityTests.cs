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
        akka.persistence.journal.plugin = "akka.persistence.journal.counting"
        akka.persistence.journal.counting {
          class = "{{typeof(CountingJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
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
    public async Task ForkedCallAnsweredTwice_ExtraDialogSurvivesRecovery_ItsByeReachesItsDevice()
    {
        var settings = new DialogSettings();
        var entity = Sys.ActorOf(DialogEntity.Props("call-x", settings, _time));
        await Ask<DialogAck>(entity, Start("call-x"));
        await Ask<DialogAck>(entity, new RecordAnswer("call-x", 0, "ttag", Bob(), null));
        Assert.False((await Ask<DialogAck>(entity, new RecordAnswer("call-x", 1, "other", Bob("10.0.0.3:5060") with { FlowToken = "tok-3" }, null))).Duplicate);
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity, cancellationToken: TestContext.Current.CancellationToken);

        var again = Sys.ActorOf(DialogEntity.Props("call-x", settings, _time));
        var extraBye = await Ask<InDialogRoute>(again, new RouteInDialog("call-x", Key(2, "BYE", "z9hG4bKx"), "ftag", "other", Alice(), false, null));
        var mainBye = await Ask<InDialogRoute>(again, new RouteInDialog("call-x", Key(3, "BYE", "z9hG4bKy"), "ftag", "ttag", Alice(), false, null));

        Assert.Equal(("tok-3", (InDialogRejection?)null), (extraBye.Target!.FlowToken, extraBye.Rejection));
        Assert.Equal("tok-b", mainBye.Target!.FlowToken);
        var view = await Ask<DialogView>(again, new GetDialog("call-x"));
        Assert.Equal(DialogPhase.Terminated, view.Phase);
        Assert.Contains(view.History, e => e is ExtraDialogEnded { ToTag: "other" });
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
    [Fact]
    public async Task SuccessfulCall_SetUpWrittenWithTheAnswer_TwoJournalWrites()
    {
        var entity = Sys.ActorOf(DialogEntity.Props("call-w2", new DialogSettings(), _time));
        await Ask<DialogAck>(entity, Start("call-w2"));
        await Ask<DialogAck>(entity, new RecordBranch("call-w2", 0, "sip:bob@10.0.0.2:5060", "<urn:uuid:b>"));
        await Ask<DialogAck>(entity, new RecordProvisional("call-w2", 0, 180, "ttag"));
        Assert.Equal(0, CountingJournal.WritesOf("dialog-call-w2"));

        await Ask<DialogAck>(entity, new RecordAnswer("call-w2", 0, "ttag", Bob(), null));
        Assert.Equal(1, CountingJournal.WritesOf("dialog-call-w2"));
        await Ask<InDialogRoute>(entity, new RouteInDialog("call-w2", Key(1, "ACK", "z9hG4bKa"), "ftag", "ttag", Alice(), false, null));
        await Ask<InDialogRoute>(entity, new RouteInDialog("call-w2", Key(2, "BYE", "z9hG4bKb"), "ftag", "ttag", Alice(), false, null));
        Assert.Equal(2, CountingJournal.WritesOf("dialog-call-w2"));

        // Every event is in the journal, in order: a new incarnation replays the whole history.
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity, cancellationToken: TestContext.Current.CancellationToken);
        var again = Sys.ActorOf(DialogEntity.Props("call-w2", new DialogSettings(), _time));
        var view = await Ask<DialogView>(again, new GetDialog("call-w2"));
        Assert.Equal(
            [typeof(DialogStarted), typeof(BranchForked), typeof(DialogRinging), typeof(DialogAnswered), typeof(DialogTerminated)],
            view.History.Select(e => e.GetType()));
    }

    [Fact]
    public async Task FailedCall_OneJournalWrite()
    {
        var entity = Sys.ActorOf(DialogEntity.Props("call-w1", new DialogSettings(), _time));
        await Ask<DialogAck>(entity, Start("call-w1"));
        await Ask<DialogAck>(entity, new RecordBranch("call-w1", 0, "sip:bob@10.0.0.2:5060", null));
        await Ask<DialogAck>(entity, new RecordFailure("call-w1", 486, DialogSide.Callee));
        Assert.Equal(1, CountingJournal.WritesOf("dialog-call-w1"));
    }

    [Fact]
    public async Task DurableStart_WrittenBeforeTheAck()
    {
        var entity = Sys.ActorOf(DialogEntity.Props("call-wd", new DialogSettings(), _time));
        await Ask<DialogAck>(entity, Start("call-wd") with { Durable = true });
        Assert.Equal(1, CountingJournal.WritesOf("dialog-call-wd"));
    }

    [Fact]
    public async Task HandOffStop_WritesDeferredSetUpBeforeStopping()
    {
        var entity = Sys.ActorOf(DialogEntity.Props("call-h", new DialogSettings(), _time));
        await Ask<DialogAck>(entity, Start("call-h"));
        await Ask<DialogAck>(entity, new RecordProvisional("call-h", 0, 180, "ttag"));
        Watch(entity);
        entity.Tell(StopDialog.Instance);
        ExpectTerminated(entity, cancellationToken: TestContext.Current.CancellationToken);

        var again = Sys.ActorOf(DialogEntity.Props("call-h", new DialogSettings(), _time));
        var view = await Ask<DialogView>(again, new GetDialog("call-h"));
        Assert.Equal(DialogPhase.Early, view.Phase);
        Assert.Equal([typeof(DialogStarted), typeof(DialogRinging)], view.History.Select(e => e.GetType()));
    }

    [Fact]
    public async Task EntityLostDuringSetUp_StartSentAgainWithTheAnswer_DialogConfirmed()
    {
        var entity = Sys.ActorOf(DialogEntity.Props("call-l", new DialogSettings(), _time));
        await Ask<DialogAck>(entity, Start("call-l"));
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity, cancellationToken: TestContext.Current.CancellationToken);

        // As the edge's port does: the start again (a duplicate for a live entity), then the answer.
        var again = Sys.ActorOf(DialogEntity.Props("call-l", new DialogSettings(), _time));
        Assert.False((await Ask<DialogAck>(again, Start("call-l"))).Duplicate);
        Assert.False((await Ask<DialogAck>(again, new RecordAnswer("call-l", 0, "ttag", Bob(), null))).Duplicate);
        var route = await Ask<InDialogRoute>(again, new RouteInDialog("call-l", Key(2, "BYE", "z9hG4bKb"), "ftag", "ttag", Alice(), false, null));
        Assert.Equal("tok-b", route.Target!.FlowToken);
    }

    [Fact]
    public async Task StartToldWithoutSender_NoDeadLetter()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Akka.Event.DeadLetter));
        var entity = Sys.ActorOf(DialogEntity.Props("call-ns", new DialogSettings(), _time));
        entity.Tell(Start("call-ns"), ActorRefs.NoSender);
        var view = await Ask<DialogView>(entity, new GetDialog("call-ns"));
        Assert.Equal(DialogPhase.Early, view.Phase);
        await ExpectNoMsgAsync(Dilated(TimeSpan.FromMilliseconds(300)), TestContext.Current.CancellationToken);
    }
}
