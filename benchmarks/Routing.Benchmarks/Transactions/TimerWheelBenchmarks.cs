using BenchmarkDotNet.Attributes;
using Routing.Sip.Transactions;

namespace Routing.Benchmarks.Transactions;

/// <summary>The timing wheel with 100 k live timers spread over 64 s, as 100 k live transactions would hold.</summary>
[MemoryDiagnoser]
public class TimerWheelBenchmarks
{
    private const int Live = 100_000;
    private const int Batch = 1000;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private TimerWheel<int> _wheel = null!;
    private Rescheduler _handler = null!;
    private TimeSpan _now;
    private TimeSpan[] _offsets = [];

    [GlobalSetup]
    public void Setup()
    {
        _wheel = new TimerWheel<int>(Tick, Live * 2);
        _handler = new Rescheduler(_wheel);
        var random = new Random(7);
        for (var i = 0; i < Live; i++)
        {
            _wheel.Schedule(TimeSpan.FromMilliseconds(random.Next(1, 64_000)), i);
        }

        _offsets = new TimeSpan[Batch];
        for (var i = 0; i < Batch; i++)
        {
            _offsets[i] = TimeSpan.FromMilliseconds(random.Next(500, 64_000));
        }
    }

    /// <summary>Schedule a timer and cancel it again (what a transaction does when a response stops Timer A/E).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public bool ScheduleThenCancel()
    {
        var cancelled = false;
        for (var i = 0; i < Batch; i++)
        {
            var handle = _wheel.Schedule(_now + _offsets[i], i);
            cancelled = _wheel.Cancel(handle);
        }

        return cancelled;
    }

    /// <summary>One 10 ms tick with 100 k live timers; each fired timer is rescheduled 64 s out, keeping 100 k live.</summary>
    [Benchmark]
    public int AdvanceOneTick()
    {
        _now += Tick;
        _handler.Now = _now;
        return _wheel.Advance(_now, _handler);
    }

    private sealed class Rescheduler(TimerWheel<int> wheel) : ITimerWheelHandler<int>
    {
        public TimeSpan Now { get; set; }

        public void OnTimerDue(int payload, TimeSpan dueAt) => wheel.Schedule(Now + TimeSpan.FromSeconds(64), payload);
    }
}
