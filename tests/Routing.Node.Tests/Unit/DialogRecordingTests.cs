using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Routing.Cluster.Dialogs;
using Routing.Node.Proxy;

namespace Routing.Node.Tests.Unit;

/// <summary>
/// The answer of a call reaches the dialog entity at least once: a shard hand-off drops messages in flight, and a BYE
/// that then finds no answered dialog gets 481.
/// </summary>
public sealed class DialogRecordingTests
{
    private static readonly DialogParty Party = new("sip:carol@example.com", "sip:carol@10.0.0.1:5060", "10.0.0.1:5060", "udp", null, null, null, null);
    private static readonly StartDialog Start = new("c1", new RequestKey(1, "INVITE", "z9hG4bK1"), "f1", Party, "sip:bob@example.com", "sip:bob@example.com", null);
    private static readonly RecordAnswer Answer = new("c1", 0, "t1", Party, null);

    private readonly FakeTimeProvider _time = new();
    private readonly List<object> _sent = [];

    private Task<bool> Deliver(Func<object, Task<object>> entity) =>
        ClusterDialogPort.DeliverAtLeastOnceAsync((m, _) =>
        {
            lock (_sent)
            {
                _sent.Add(m);
            }

            return entity(m);
        }, Start, Answer, _time, NullLogger.Instance);

    private static Task<object> Lost() => Task.FromException<object>(new AskTimeoutException("lost in a hand-off"));

    [Fact]
    public async Task AnswerLostOnce_SentAgainWithItsStart_Acknowledged()
    {
        var answers = 0;
        var delivered = await Deliver(m => m is RecordAnswer
            ? ++answers == 1 ? Lost() : Task.FromResult<object>(new DialogAck("c1", false))
            : Task.FromResult(m));

        Assert.True(delivered);
        Assert.Equal([Start, Answer, Start, Answer], _sent);
    }

    [Fact]
    public async Task WriteRefusedOnce_WaitsASecondThenSendsAgain()
    {
        var answers = 0;
        var delivery = Deliver(m => m is RecordAnswer
            ? Task.FromResult<object>(++answers == 1 ? new DialogUnavailable("c1") : new DialogAck("c1", false))
            : Task.FromResult(m));

        Assert.False(delivery.IsCompleted);
        Assert.Equal(2, _sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(delivery.IsCompleted);
        Assert.Equal(2, _sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await delivery.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(4, _sent.Count);
    }

    [Fact]
    public async Task NeverAcknowledged_GivesUpAfterTheLastAttempt()
    {
        var delivered = await Deliver(m => m is RecordAnswer ? Lost() : Task.FromResult(m));

        Assert.False(delivered);
        Assert.Equal(2 * RepeatableAsk.Attempts, _sent.Count);
        Assert.All(_sent.Where((_, i) => i % 2 == 0), m => Assert.Same(Start, m));
    }
}
