using Microsoft.Extensions.Time.Testing;
using Routing.Sip.Transactions;

namespace Routing.Sip.Tests.Transactions;

/// <summary>A stand-in for a parsed message: the table never looks inside.</summary>
internal sealed record FakeMessage(string Label, int Status = 0);

internal enum OutputEventKind
{
    Transmit,
    Retransmit,
    BuildAck,
    BuildTrying,
    DeliverResponse,
    DeliverRequest,
    Failed,
    Terminated,
}

internal sealed record OutputEvent(OutputEventKind Kind, TimeSpan At, FakeMessage? Message, Transaction<FakeMessage> Transaction, TransactionFailure Failure = 0);

/// <summary>Records every callback with the table time at which it happened.</summary>
internal sealed class RecordingOutput : ITransactionOutput<FakeMessage>
{
    public List<OutputEvent> Events { get; } = [];

    public Func<TimeSpan> Clock { get; set; } = () => TimeSpan.Zero;

    public bool SendTrying { get; set; } = true;

    public Action<Transaction<FakeMessage>, FakeMessage>? OnDeliverRequest { get; set; }

    public Action<Transaction<FakeMessage>, FakeMessage>? OnTransmit { get; set; }

    public void Transmit(Transaction<FakeMessage> transaction, FakeMessage message, bool retransmission)
    {
        Events.Add(new(retransmission ? OutputEventKind.Retransmit : OutputEventKind.Transmit, Clock(), message, transaction));
        OnTransmit?.Invoke(transaction, message);
    }

    public FakeMessage BuildAck(Transaction<FakeMessage> transaction, FakeMessage response)
    {
        var ack = new FakeMessage("ACK", response.Status);
        Events.Add(new(OutputEventKind.BuildAck, Clock(), ack, transaction));
        return ack;
    }

    public FakeMessage? BuildTrying(Transaction<FakeMessage> transaction)
    {
        if (!SendTrying)
        {
            return null;
        }

        var trying = new FakeMessage("100 Trying", 100);
        Events.Add(new(OutputEventKind.BuildTrying, Clock(), trying, transaction));
        return trying;
    }

    public void DeliverResponse(Transaction<FakeMessage> transaction, FakeMessage response) =>
        Events.Add(new(OutputEventKind.DeliverResponse, Clock(), response, transaction));

    public void DeliverRequest(Transaction<FakeMessage> transaction, FakeMessage request)
    {
        Events.Add(new(OutputEventKind.DeliverRequest, Clock(), request, transaction));
        OnDeliverRequest?.Invoke(transaction, request);
    }

    public void Failed(Transaction<FakeMessage> transaction, TransactionFailure failure) =>
        Events.Add(new(OutputEventKind.Failed, Clock(), null, transaction, failure));

    public void Terminated(Transaction<FakeMessage> transaction) =>
        Events.Add(new(OutputEventKind.Terminated, Clock(), null, transaction));

    public List<OutputEvent> OfKind(OutputEventKind kind) => Events.FindAll(e => e.Kind == kind);

    public double[] SecondsOf(OutputEventKind kind) => OfKind(kind).ConvertAll(e => e.At.TotalSeconds).ToArray();
}

/// <summary>A table on a fake clock, advanced in fixed steps like a real driver would.</summary>
internal sealed class TableHarness
{
    public TableHarness(TransactionOptions? options = null)
    {
        Time = new FakeTimeProvider();
        Output = new RecordingOutput();
        Table = new TransactionTable<FakeMessage>(Output, Time, options);
        Output.Clock = () => Table.Now;
    }

    public FakeTimeProvider Time { get; }

    public RecordingOutput Output { get; }

    public TransactionTable<FakeMessage> Table { get; }

    /// <summary>Advances the clock by <paramref name="duration"/> in 10 ms steps, calling Advance after each.</summary>
    public void RunFor(TimeSpan duration)
    {
        var step = TimeSpan.FromMilliseconds(10);
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += step)
        {
            Time.Advance(step);
            Table.Advance();
        }
    }

    public void RunForSeconds(double seconds) => RunFor(TimeSpan.FromSeconds(seconds));
}

internal static class Requests
{
    public static ServerRequestInfo Info(
        string method,
        string branch = "z9hG4bK-branch-1",
        string callId = "call-1@example.com",
        string? fromTag = "from-1",
        string? toTag = null,
        uint cseq = 1,
        string? cseqMethod = null,
        string host = "client.example.com",
        int port = 5060,
        string requestUri = "sip:bob@example.com") =>
        new(
            method,
            requestUri,
            branch,
            new SentBy(host, port),
            $"SIP/2.0/UDP {host}:{port};branch={branch}",
            callId,
            fromTag,
            toTag,
            cseq,
            cseqMethod ?? (method == "ACK" ? "ACK" : method));
}

internal static class Steps
{
    public static TransactionActionKind[] Kinds(TransactionStep step) => Array.ConvertAll(step.ToArray(), a => a.Kind);

    public static TransactionAction Single(TransactionStep step, TransactionActionKind kind) =>
        Array.Find(step.ToArray(), a => a.Kind == kind);

    public static bool Has(TransactionStep step, TransactionActionKind kind) =>
        Array.Exists(step.ToArray(), a => a.Kind == kind);

    public static TransactionAction StartOf(TransactionStep step, TransactionTimer timer) =>
        Array.Find(step.ToArray(), a => a.Kind == TransactionActionKind.StartTimer && a.Timer == timer);

    public static bool Starts(TransactionStep step, TransactionTimer timer) =>
        Array.Exists(step.ToArray(), a => a.Kind == TransactionActionKind.StartTimer && a.Timer == timer);

    public static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);
}
