using BenchmarkDotNet.Attributes;
using Routing.Sip.Transactions;

namespace Routing.Benchmarks.Transactions;

/// <summary>
/// Whole transaction lifetimes through the table, timer expiry included. Keys and messages are prebuilt (a parser
/// would produce them), so the figures are the transaction layer's own cost per transaction.
/// </summary>
[MemoryDiagnoser]
public class TransactionTableBenchmarks
{
    private const int Batch = 1000;

    private readonly BenchMessage _request = new(0);
    private readonly BenchMessage _ringing = new(180);
    private readonly BenchMessage _ok = new(200);
    private ServerRequestInfo[] _serverRequests = [];
    private ClientTransactionKey[] _clientKeys = [];
    private ManualTimeProvider _clock = null!;
    private TransactionTable<BenchMessage> _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        _clock = new ManualTimeProvider();
        _table = new TransactionTable<BenchMessage>(new NullOutput(), _clock);
        _serverRequests = new ServerRequestInfo[Batch];
        _clientKeys = new ClientTransactionKey[Batch];
        var sentBy = new SentBy("198.51.100.7", 5060);
        for (var i = 0; i < Batch; i++)
        {
            var branch = $"z9hG4bK-{i:x8}-bench";
            _serverRequests[i] = new ServerRequestInfo(
                "OPTIONS",
                "sip:edge.example.com",
                branch,
                sentBy,
                $"SIP/2.0/UDP 198.51.100.7:5060;branch={branch}",
                $"call-{i}@198.51.100.7",
                $"ft{i}",
                null,
                1,
                "OPTIONS");
            _clientKeys[i] = new ClientTransactionKey(branch, "INVITE");
        }
    }

    /// <summary>Non-INVITE server over UDP: request in, 200 out, Timer J (32 s) expires. Per transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int NonInviteServerRequest200TimerJ()
    {
        for (var i = 0; i < Batch; i++)
        {
            var result = _table.ReceiveRequest(_serverRequests[i], _request, reliable: false);
            _table.SendResponse(result.Transaction!, 200, _ok);
        }

        _clock.Advance(TimeSpan.FromSeconds(33));
        return _table.Advance();
    }

    /// <summary>INVITE client over UDP: INVITE out, 180 and 200 in, Timer M (32 s) expires. Per transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int InviteClientInvite180And200TimerM()
    {
        for (var i = 0; i < Batch; i++)
        {
            var key = _clientKeys[i];
            _table.StartClient(key, _request, reliable: false);
            _table.ReceiveResponse(key, 180, _ringing);
            _table.ReceiveResponse(key, 200, _ok);
        }

        _clock.Advance(TimeSpan.FromSeconds(33));
        return _table.Advance();
    }
}
