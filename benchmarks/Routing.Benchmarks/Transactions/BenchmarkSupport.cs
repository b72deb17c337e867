using Routing.Sip.Transactions;

namespace Routing.Benchmarks.Transactions;

/// <summary>A clock the benchmark moves by hand, so timer expiry is part of the measured work without waiting.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}

/// <summary>The message stand-in: the table only passes it through.</summary>
public sealed class BenchMessage(int status)
{
    public int Status { get; } = status;
}

/// <summary>An output that does nothing but hand back a prebuilt ACK and 100: measures the table alone.</summary>
public sealed class NullOutput : ITransactionOutput<BenchMessage>
{
    private readonly BenchMessage _ack = new(0);
    private readonly BenchMessage _trying = new(100);

    public long Transmitted { get; private set; }

    public long Delivered { get; private set; }

    public void Transmit(Transaction<BenchMessage> transaction, BenchMessage message, bool retransmission) => Transmitted++;

    public BenchMessage BuildAck(Transaction<BenchMessage> transaction, BenchMessage response) => _ack;

    public BenchMessage? BuildTrying(Transaction<BenchMessage> transaction) => _trying;

    public void DeliverResponse(Transaction<BenchMessage> transaction, BenchMessage response) => Delivered++;

    public void DeliverRequest(Transaction<BenchMessage> transaction, BenchMessage request) => Delivered++;

    public void Failed(Transaction<BenchMessage> transaction, TransactionFailure failure)
    {
    }

    public void Terminated(Transaction<BenchMessage> transaction)
    {
    }
}
