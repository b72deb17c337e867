using BenchmarkDotNet.Attributes;
using Routing.Edge.Transactions;
using Routing.Sip.Transactions;

namespace Routing.Benchmarks.Transactions;

/// <summary>
/// The Timer J store of completed non-INVITE UDP server transactions at a registrar's steady state: 768 000 live
/// entries (24 000 REGISTER/s for 32 s), far beyond the caches. Per transaction, what the edge does: look up the new
/// request (a miss) and its §8.2.2.2 merge key (a miss), keep it with its response once answered, and expire the
/// oldest.
/// </summary>
[MemoryDiagnoser]
public class CompletedServerTransactionsBenchmarks
{
    private const int Live = 768_000;
    private const int Distinct = 1 << 20;
    private const int Batch = 1000;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(32.0 / Live);

    private readonly byte[] _response = new byte[380];
    private ServerRequestInfo[] _requests = [];
    private CompletedServerTransactions _store = null!;
    private TimeSpan _now;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _requests = new ServerRequestInfo[Distinct];
        for (var i = 0; i < Distinct; i++)
        {
            var branch = $"z9hG4bK-{i:x8}-{(uint)(i * 2654435761u):x8}";
            var host = $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";
            _requests[i] = new ServerRequestInfo("REGISTER", "sip:example.com", branch, new SentBy(host, 5060),
                $"SIP/2.0/UDP {host}:5060;branch={branch}", $"{i:x8}-call@{host}", $"ft{i:x6}", null, (uint)(i & 0xffff) + 1, "REGISTER");
        }

        _store = new CompletedServerTransactions(TimeSpan.FromSeconds(32));
        for (var i = 0; i < Live; i++)
        {
            Once();
        }
    }

    /// <summary>One REGISTER's use of the store. Per transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int LookupKeepExpire()
    {
        var found = 0;
        for (var i = 0; i < Batch; i++)
        {
            found += Once();
        }

        return found;
    }

    private int Once()
    {
        ref readonly var request = ref _requests[_next];
        _next = (_next + 1) & (Distinct - 1);
        var found = _store.TryFind(request, out _) || _store.HoldsMergeKey(request) ? 1 : 0;
        _now += Step;
        _store.Add(request, mergeKey: true, _response, _now);
        _store.Expire(_now);
        return found;
    }
}
