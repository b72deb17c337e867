using Akka.Actor;
using Routing.Cluster.Dialogs;
using Routing.Cluster.Serialization;
using static Routing.Cluster.Tests.Dialogs.DialogFixtures;

namespace Routing.Cluster.Tests.Dialogs;

public sealed class DialogWireTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("wire");

    public void Dispose() => _system.Dispose();

    public static TheoryData<object> Messages() =>
    [
        new DialogStarted("c1", Key(1, "INVITE"), "f", Alice(), "sip:bob@example.com", "sip:bob@example.com", 1800, T0),
        new BranchForked(2, "sip:bob@10.0.0.2", null, T0),
        new DialogRinging(0, 180, "t", T0),
        new DialogAnswered(0, "t", Bob(), null, T0),
        new TargetRefreshed(DialogSide.Callee, Bob("1.2.3.4:5"), null, 90, T0),
        new SessionRefreshed(DialogSide.Caller, Key(3, "UPDATE"), 90, T0),
        new DialogTerminated(DialogSide.Proxy, TerminationReason.SessionExpired, 408, null, T0),
        new DialogFailed(487, DialogSide.Caller, T0),
        new ExtraDialogAnswered(1, "other", Bob("10.0.0.3:5060"), T0),
        new ExtraDialogEnded("other", DialogSide.Callee, Key(2, "BYE"), T0),
        Start(),
        Start() with { At = T0.AddSeconds(3) },
        Start() with { At = T0, Durable = true },
        new RecordAnswer("c1", 0, "t", Bob(), null, T0.AddSeconds(4)),
        new RouteInDialog("c1", Key(2, "BYE"), "f", "t", Alice(), false, null, T0.AddSeconds(9)),
        new RecordBranch("c1", 1, "sip:x@y", "<urn:uuid:1>"),
        new RecordProvisional("c1", 1, 183, null),
        new RecordAnswer("c1", 1, "t", Bob(), 600),
        new RecordFailure("c1", 404, DialogSide.Proxy),
        new RouteInDialog("c1", Key(2, "BYE"), "f", "t", Alice(), false, null),
        new ReplaceTarget("c1", DialogSide.Callee, Bob()),
        new GetDialog("c1"),
        new DialogAck("c1", true),
        new InDialogRoute("c1", null, DialogSide.Caller, false, InDialogRejection.Ended),
        new InDialogRoute("c1", Bob(), DialogSide.Callee, true, null),
        new DialogUnavailable("c1"),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void RoundTrip_EveryMessage_Equal(object message)
    {
        var serializer = new RoutingSerializer((ExtendedActorSystem)_system);
        var manifest = serializer.Manifest(message);
        Assert.StartsWith("DG", manifest, StringComparison.Ordinal);
        Assert.Equal(message, serializer.FromBinary(serializer.ToBinary(message), manifest));
    }

    [Fact]
    public void RoundTrip_ViewWithHistory_SameEvents()
    {
        var serializer = new RoutingSerializer((ExtendedActorSystem)_system);
        var view = DialogDecider.View(Confirmed());
        var back = (DialogView)serializer.FromBinary(serializer.ToBinary(view), serializer.Manifest(view));
        Assert.Equal(view.History, back.History);
        Assert.Equal(view.Callee, back.Callee);
        Assert.Equal(DialogPhase.Confirmed, back.Phase);
        Assert.Same(StopDialog.Instance, serializer.FromBinary(serializer.ToBinary(StopDialog.Instance), serializer.Manifest(StopDialog.Instance)));
    }
}
