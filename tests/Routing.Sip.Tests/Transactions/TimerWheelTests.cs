using Routing.Sip.Transactions;
using static Routing.Sip.Tests.Transactions.Steps;

namespace Routing.Sip.Tests.Transactions;

public class TimerWheelTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private sealed class Recorder : ITimerWheelHandler<int>
    {
        public List<(int Id, TimeSpan DueAt, TimeSpan FiredAt)> Fired { get; } = [];

        public TimeSpan Now { get; set; }

        public Action<int>? OnFire { get; set; }

        public void OnTimerDue(int payload, TimeSpan dueAt)
        {
            Fired.Add((payload, dueAt, Now));
            OnFire?.Invoke(payload);
        }
    }

    private static int AdvanceTo(TimerWheel<int> wheel, Recorder recorder, TimeSpan now)
    {
        recorder.Now = now;
        return wheel.Advance(now, recorder);
    }

    [Fact]
    public void Schedule_FiresAtDueTimeAndNotOneTickBefore()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        wheel.Schedule(S(0.5), 1);

        Assert.Equal(0, AdvanceTo(wheel, recorder, S(0.49)));
        Assert.Equal(1, AdvanceTo(wheel, recorder, S(0.5)));
        Assert.Equal((1, S(0.5), S(0.5)), Assert.Single(recorder.Fired));
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Schedule_DueBetweenTicks_RoundsUpToNextTick()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        wheel.Schedule(TimeSpan.FromMilliseconds(15), 1);

        Assert.Equal(0, AdvanceTo(wheel, recorder, TimeSpan.FromMilliseconds(15)));
        Assert.Equal(1, AdvanceTo(wheel, recorder, TimeSpan.FromMilliseconds(20)));
        Assert.Equal(TimeSpan.FromMilliseconds(15), recorder.Fired[0].DueAt);
    }

    [Fact]
    public void Schedule_InThePast_FiresOnNextAdvance()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        AdvanceTo(wheel, recorder, S(10));
        wheel.Schedule(S(3), 7);

        Assert.Equal(1, AdvanceTo(wheel, recorder, S(10)));
    }

    [Fact]
    public void Cancel_BeforeDue_NeverFiresAndSecondCancelReturnsFalse()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        var handle = wheel.Schedule(S(1), 1);

        Assert.True(wheel.Cancel(handle));
        Assert.False(wheel.Cancel(handle));
        Assert.False(wheel.IsScheduled(handle));
        AdvanceTo(wheel, recorder, S(5));
        Assert.Empty(recorder.Fired);
        Assert.False(wheel.Cancel(default));
    }

    [Fact]
    public void Cancel_StaleHandleAfterSlotReuse_DoesNotCancelNewTimer()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        var old = wheel.Schedule(S(1), 1);
        wheel.Cancel(old);
        var fresh = wheel.Schedule(S(2), 2);

        Assert.Equal(old.Index, fresh.Index);
        Assert.False(wheel.Cancel(old));
        AdvanceTo(wheel, recorder, S(2));
        Assert.Equal(2, Assert.Single(recorder.Fired).Id);
    }

    [Fact]
    public void Advance_FiresInDueOrderAcrossOneJump()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        int[] seconds = [40, 3, 200, 1, 7000, 2];
        foreach (var s in seconds)
        {
            wheel.Schedule(S(s), s);
        }

        AdvanceTo(wheel, recorder, S(8000));

        Assert.Equal([1, 2, 3, 40, 200, 7000], recorder.Fired.ConvertAll(f => f.Id));
    }

    [Fact]
    public void Advance_HandlerSchedulesDueTimer_FiresInSameAdvance()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        recorder.OnFire = id =>
        {
            if (id < 5)
            {
                wheel.Schedule(S(id + 1), id + 1);
            }
        };
        wheel.Schedule(S(1), 1);

        AdvanceTo(wheel, recorder, S(10));

        Assert.Equal([1, 2, 3, 4, 5], recorder.Fired.ConvertAll(f => f.Id));
        Assert.Equal([S(1), S(2), S(3), S(4), S(5)], recorder.Fired.ConvertAll(f => f.DueAt));
    }

    [Fact]
    public void Advance_HandlerCancelsTimerDueInSameTick_ItDoesNotFire()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        wheel.Schedule(S(1), 1);
        var second = wheel.Schedule(S(1), 2);
        recorder.OnFire = _ => wheel.Cancel(second);

        AdvanceTo(wheel, recorder, S(2));

        Assert.Equal(1, Assert.Single(recorder.Fired).Id);
    }

    [Theory]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(16385)]
    [InlineData(1048575)]
    [InlineData(1048576)]
    [InlineData(1048577)]
    [InlineData(67108863)]
    [InlineData(67108864)]
    [InlineData(67108865)]
    [InlineData(200000000)]
    public void Advance_LevelBoundaries_FireExactlyAtDueTick(long ticks)
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        AdvanceTo(wheel, recorder, Tick * 100);
        var due = Tick * (100 + ticks);
        wheel.Schedule(due, 1);

        Assert.Equal(0, AdvanceTo(wheel, recorder, due - Tick));
        Assert.Equal(1, AdvanceTo(wheel, recorder, due));
    }

    [Fact]
    public void Advance_FarFutureTimersAcrossRotations_FireOnlyWhenDue()
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        TimeSpan[] dues = [TimeSpan.FromMinutes(3), TimeSpan.FromHours(1), TimeSpan.FromHours(5), TimeSpan.FromDays(3), TimeSpan.FromDays(10), TimeSpan.FromDays(30)];
        for (var i = 0; i < dues.Length; i++)
        {
            wheel.Schedule(dues[i], i);
        }

        // Advance in irregular hour-sized chunks; each timer must fire in the chunk that contains its due time.
        var now = TimeSpan.Zero;
        var chunk = TimeSpan.FromMinutes(47);
        while (now < TimeSpan.FromDays(31))
        {
            var next = now + chunk;
            var before = recorder.Fired.Count;
            AdvanceTo(wheel, recorder, next);
            for (var i = before; i < recorder.Fired.Count; i++)
            {
                var due = recorder.Fired[i].DueAt;
                Assert.True(due > now && due <= next, $"timer due {due} fired in ({now}, {next}]");
            }

            now = next;
        }

        Assert.Equal([0, 1, 2, 3, 4, 5], recorder.Fired.ConvertAll(f => f.Id));
        Assert.Equal(0, wheel.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Advance_RandomOperations_MatchNaiveModel(int seed)
    {
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        var random = new Random(seed);
        var live = new Dictionary<int, (TimerHandle Handle, long DueTick)>();
        var nextId = 0;
        long nowTick = 0;
        long[] horizons = [10, 300, 20_000, 2_000_000, 100_000_000];
        for (var round = 0; round < 3000; round++)
        {
            var op = random.Next(10);
            if (op < 5)
            {
                var due = nowTick + random.NextInt64(horizons[random.Next(horizons.Length)]);
                live[nextId] = (wheel.Schedule(Tick * due, nextId), due);
                nextId++;
            }
            else if (op < 7 && live.Count > 0)
            {
                var victim = live.Keys.ElementAt(random.Next(live.Count));
                Assert.True(wheel.Cancel(live[victim].Handle));
                live.Remove(victim);
            }
            else
            {
                // Exactly the timers due by now fire: none early, none missed, none twice.
                nowTick += random.NextInt64(op == 9 ? 5_000_000 : 500);
                recorder.Fired.Clear();
                AdvanceTo(wheel, recorder, Tick * nowTick);
                var expected = live.Where(kv => kv.Value.DueTick <= nowTick).Select(kv => kv.Key).OrderBy(id => id).ToArray();
                Assert.Equal(expected, recorder.Fired.Select(f => f.Id).OrderBy(id => id).ToArray());
                foreach (var fired in recorder.Fired)
                {
                    live.Remove(fired.Id);
                }
            }

            Assert.Equal(live.Count, wheel.Count);
        }
    }

    [Fact]
    public void Advance_HundredThousandTimersWithCancellations_EachLiveTimerFiresOnceOnItsTick()
    {
        const int n = 100_000;
        var wheel = new TimerWheel<int>(Tick);
        var recorder = new Recorder();
        var random = new Random(4242);
        var dueTicks = new long[n];
        var handles = new TimerHandle[n];
        for (var i = 0; i < n; i++)
        {
            // Spread over 10 minutes: crosses level 0, 1 and 2.
            dueTicks[i] = 1 + random.Next(60_000);
            handles[i] = wheel.Schedule(Tick * dueTicks[i], i);
        }

        Assert.Equal(n, wheel.Count);
        var cancelled = new bool[n];
        for (var i = 0; i < n; i += 3)
        {
            Assert.True(wheel.Cancel(handles[i]));
            cancelled[i] = true;
        }

        var firedAtTick = new long[n];
        Array.Fill(firedAtTick, -1);
        recorder.OnFire = id =>
        {
            Assert.Equal(-1, firedAtTick[id]);
            firedAtTick[id] = recorder.Now.Ticks / Tick.Ticks;
        };

        // Step one second at a time: a timer must fire in the step containing its due tick, never earlier.
        for (var second = 1; second <= 601; second++)
        {
            AdvanceTo(wheel, recorder, S(second));
        }

        for (var i = 0; i < n; i++)
        {
            if (cancelled[i])
            {
                Assert.Equal(-1, firedAtTick[i]);
            }
            else
            {
                var stepEnd = ((dueTicks[i] + 99) / 100) * 100;
                Assert.Equal(stepEnd, firedAtTick[i]);
            }
        }

        Assert.Equal(n - ((n + 2) / 3), recorder.Fired.Count);
        Assert.Equal(0, wheel.Count);
    }
}

public class StatelessRejectTests
{
    [Fact]
    public void Rfc3261_17_Ack_NeverAnswered()
    {
        var decision = StatelessReject.Decide("ACK", StatelessRejectReason.BadRequest, canBuildResponse: true);

        Assert.Equal(StatelessRejectAction.Drop, decision.Action);
        Assert.Equal(StatelessDropCause.AckNeverAnswered, decision.DropCause);
        Assert.Equal(0, decision.StatusCode);
    }

    [Fact]
    public void Rfc3261_8_2_6_2_MissingHeadersForResponse_Dropped()
    {
        var decision = StatelessReject.Decide("INVITE", StatelessRejectReason.BadRequest, canBuildResponse: false);

        Assert.Equal(StatelessDropCause.CannotBuildResponse, decision.DropCause);
    }

    [Fact]
    public void Silent_Dropped()
    {
        Assert.Equal(StatelessDropCause.SilentDiscard, StatelessReject.Decide("REGISTER", StatelessRejectReason.Silent, true).DropCause);
    }

    [Theory]
    [InlineData(StatelessRejectReason.BadRequest, 400, "Bad Request")]
    [InlineData(StatelessRejectReason.Forbidden, 403, "Forbidden")]
    [InlineData(StatelessRejectReason.MethodNotAllowed, 405, "Method Not Allowed")]
    [InlineData(StatelessRejectReason.RequestEntityTooLarge, 413, "Request Entity Too Large")]
    [InlineData(StatelessRejectReason.UnsupportedUriScheme, 416, "Unsupported URI Scheme")]
    [InlineData(StatelessRejectReason.BadExtension, 420, "Bad Extension")]
    [InlineData(StatelessRejectReason.CallDoesNotExist, 481, "Call/Transaction Does Not Exist")]
    [InlineData(StatelessRejectReason.LoopDetected, 482, "Loop Detected")]
    [InlineData(StatelessRejectReason.TooManyHops, 483, "Too Many Hops")]
    [InlineData(StatelessRejectReason.NotImplemented, 501, "Not Implemented")]
    [InlineData(StatelessRejectReason.ServiceUnavailable, 503, "Service Unavailable")]
    [InlineData(StatelessRejectReason.VersionNotSupported, 505, "Version Not Supported")]
    [InlineData(StatelessRejectReason.MessageTooLarge, 513, "Message Too Large")]
    public void Decide_Reason_MapsToStatus(StatelessRejectReason reason, int status, string phrase)
    {
        var decision = StatelessReject.Decide("OPTIONS", reason, canBuildResponse: true);

        Assert.Equal(StatelessRejectAction.Respond, decision.Action);
        Assert.Equal(status, decision.StatusCode);
        Assert.Equal(phrase, decision.ReasonPhrase);
    }

    [Fact]
    public void Rfc3261_8_2_7_ToTag_SameForRetransmissionDifferentForOtherRequest()
    {
        var first = StatelessReject.ToTagFor("z9hG4bK-1", "call@x", "ft", 1);

        Assert.Equal(first, StatelessReject.ToTagFor("z9hG4bK-1", "call@x", "ft", 1));
        Assert.NotEqual(first, StatelessReject.ToTagFor("z9hG4bK-2", "call@x", "ft", 1));
        Assert.NotEqual(first, StatelessReject.ToTagFor("z9hG4bK-1", "call@x", "ft", 2));
        Assert.NotEqual(StatelessReject.ToTagFor("ab", "c", null, 1), StatelessReject.ToTagFor("a", "bc", null, 1));
        Assert.Equal(16, first.Length);
    }
}
