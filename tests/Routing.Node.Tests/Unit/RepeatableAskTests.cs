using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Routing.Cluster.Dialogs;
using Routing.Node.Proxy;

namespace Routing.Node.Tests.Unit;

/// <summary>
/// A location lookup or an in-dialog route whose answer was lost or late (a shard waiting for its home while a member
/// leaves) is asked again instead of failing the SIP request with 500.
/// </summary>
public sealed class RepeatableAskTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly List<TimeSpan> _asked = [];

    private Task<object> Ask(Func<int, Task<object>> answer) =>
        RepeatableAsk.AskAsync(timeout =>
        {
            _asked.Add(timeout);
            return answer(_asked.Count);
        }, Timeout, static r => r is DialogUnavailable, _time);

    private static Task<object> Lost() => Task.FromException<object>(new AskTimeoutException("no home for the shard yet"));

    [Fact]
    public async Task AnsweredAtOnce_AskedOnce()
    {
        var reply = await Ask(_ => Task.FromResult<object>("route"));

        Assert.Equal("route", reply);
        Assert.Equal([Timeout], _asked);
    }

    [Fact]
    public async Task LostTwice_AskedAgainWithTheSameTimeout_ThirdAnswerReturned()
    {
        var reply = await Ask(n => n < 3 ? Lost() : Task.FromResult<object>("route"));

        Assert.Equal("route", reply);
        Assert.Equal([Timeout, Timeout, Timeout], _asked);
    }

    [Fact]
    public async Task NeverAnswered_TheLastTimeoutIsThrownAfterEveryAttempt()
    {
        await Assert.ThrowsAsync<AskTimeoutException>(() => Ask(_ => Lost()));

        Assert.Equal(RepeatableAsk.Attempts, _asked.Count);
    }

    [Fact]
    public async Task RefusedOnce_WaitsTheRefusalPauseThenAsksAgain()
    {
        var ask = Ask(n => Task.FromResult<object>(n == 1 ? new DialogUnavailable("c1") : "route"));

        Assert.False(ask.IsCompleted);
        _time.Advance(RepeatableAsk.RefusalPause - TimeSpan.FromMilliseconds(1));
        Assert.Single(_asked);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("route", await ask.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, _asked.Count);
    }

    [Fact]
    public async Task RefusedEveryTime_PausesDouble_TheLastRefusalIsReturned()
    {
        var ask = Ask(_ => Task.FromResult<object>(new DialogUnavailable("c1")));
        var pause = RepeatableAsk.RefusalPause;
        for (var i = 1; i < RepeatableAsk.Attempts; i++)
        {
            // The pause doubles: 1 s, then 2 s.
            _time.Advance(pause - TimeSpan.FromMilliseconds(1));
            Assert.Equal(i, _asked.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            pause += pause;
        }

        Assert.IsType<DialogUnavailable>(await ask.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(RepeatableAsk.Attempts, _asked.Count);
    }

    [Fact]
    public async Task NeverRefused_ARefusalLikeAnswerIsReturnedAsIs()
    {
        var reply = await RepeatableAsk.AskAsync(_ => Task.FromResult<object>(new DialogUnavailable("c1")), Timeout, RepeatableAsk.NeverRefused, _time);

        Assert.IsType<DialogUnavailable>(reply);
    }
}
