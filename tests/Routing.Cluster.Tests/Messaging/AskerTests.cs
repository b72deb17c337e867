using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Time.Testing;
using Routing.Cluster.Messaging;

namespace Routing.Cluster.Tests.Messaging;

public sealed class AskerTests : Akka.TestKit.Xunit.TestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString($$"""
        akka.test.timefactor = {{Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1"}}
        """);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();

    public AskerTests() : base(TestConfig) { }

    private IActorRefProvider Provider => ((ExtendedActorSystem)Sys).Provider;

    /// <summary>Asks a fresh probe "question" and waits until the probe has it (its LastSender is the reply target).</summary>
    private (Akka.TestKit.TestProbe Target, Task<object?> Ask) AskAProbe(Asker asker)
    {
        var target = CreateTestProbe();
        var ask = asker.AskAsync(target.Ref, "question").AsTask();
        target.ExpectMsg("question", cancellationToken: TestContext.Current.CancellationToken);
        return (target, ask);
    }

    [Fact]
    public async Task Reply_CompletesTheAsk_WithTheMessageToldToTheSender()
    {
        using var asker = new Asker(Provider, Timeout, _time);
        var (target, ask) = AskAProbe(asker);
        target.LastSender.Tell("answer");

        Assert.Equal("answer", await ask.WaitAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));
        Assert.Equal(0, asker.Pending);
    }

    [Fact]
    public async Task ReplyTarget_WhilePending_ResolvesByItsPath_SoThatARemoteReplyFindsIt()
    {
        using var asker = new Asker(Provider, Timeout, _time);
        var (target, ask) = AskAProbe(asker);
        var sender = target.LastSender;
        // A reply from another node arrives by path: the provider must resolve it to the same target.
        var resolved = Provider.ResolveActorRef(sender.Path.ToSerializationFormatWithAddress(Provider.DefaultAddress));
        Assert.Same(sender, resolved);
        resolved.Tell("answer");

        Assert.Equal("answer", await ask.WaitAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));
        // Answered: no longer registered, so the temporary paths of finished asks do not accumulate.
        Assert.NotSame(sender, Provider.ResolveActorRef(sender.Path.ToSerializationFormatWithAddress(Provider.DefaultAddress)));
    }

    [Fact]
    public async Task SecondReply_AndReplyAfterTheTimeout_AreIgnored_WithoutThrowingIntoTheReplyingActor()
    {
        using var asker = new Asker(Provider, Timeout, _time);
        var (target, ask) = AskAProbe(asker);
        var replyTo = target.LastSender;
        replyTo.Tell("first");
        // The reply target completes once: a second Tell must neither change the result nor throw (it runs on the
        // answering actor's thread, where an exception would restart that actor).
        var second = Record.Exception(() => replyTo.Tell("second"));

        Assert.Null(second);
        Assert.Equal("first", await ask.WaitAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));

        var (late, timedOut) = AskAProbe(asker);
        _time.Advance(Timeout + TimeSpan.FromSeconds(1));
        Assert.Null(await timedOut.WaitAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));
        Assert.Null(Record.Exception(() => late.LastSender.Tell("too late")));
        Assert.Equal(0, asker.Pending);
    }

    [Fact]
    public async Task NoReply_WithinTheTimeout_CompletesWithNullWithinOneSweepPeriod()
    {
        using var asker = new Asker(Provider, Timeout, _time);
        var (target, ask) = AskAProbe(asker);
        _time.Advance(Timeout - TimeSpan.FromMilliseconds(600));
        Assert.False(ask.IsCompleted);
        Assert.Equal(1, asker.Pending);

        // The sweep runs every tenth of the timeout: the ask ends within one period after its deadline.
        _time.Advance(TimeSpan.FromMilliseconds(1100));

        Assert.Null(await ask.WaitAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));
        Assert.Equal(0, asker.Pending);
    }

    [Fact]
    public async Task Dispose_CompletesPendingAsksWithNull_AndRefusesNewOnes()
    {
        var asker = new Asker(Provider, Timeout, _time);
        var target = CreateTestProbe();
        var ask = asker.AskAsync(target.Ref, "question").AsTask();

        asker.Dispose();

        Assert.Null(await ask.WaitAsync(Dilated(TimeSpan.FromSeconds(5)), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await asker.AskAsync(target.Ref, "again"));
    }

    [Fact]
    public void AnsweredTarget_KeptByTheAnsweringActorAsItsSender_KeepsNoReferenceToTheReply()
    {
        using var asker = new Asker(Provider, Timeout, _time);
        var target = CreateTestProbe();

        var reply = AskAnswerAndTakeTheReply(asker, target, Dilated(TimeSpan.FromSeconds(5)));

        // The probe still holds the target as its last sender, as a persistent actor's cell does after a write.
        Assert.NotNull(target.LastSender);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
        Assert.False(reply.IsAlive, "the reply is still reachable through the answered target");
        GC.KeepAlive(target.LastSender);
    }

    /// <summary>
    /// Asks, answers with a fresh object and waits for the ask to hand it over; returns only a weak reference to it, so
    /// that nothing of this frame keeps it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference AskAnswerAndTakeTheReply(Asker asker, Akka.TestKit.TestProbe target, TimeSpan wait)
    {
        var task = asker.AskAsync(target.Ref, "question").AsTask();
        target.ExpectMsg("question", cancellationToken: TestContext.Current.CancellationToken);
        var payload = new byte[1024];
        var weak = new WeakReference(payload);
        target.LastSender.Tell(payload);
        Assert.True(task.Wait(wait, TestContext.Current.CancellationToken));
        Assert.Same(payload, task.Result);
        return weak;
    }
}
