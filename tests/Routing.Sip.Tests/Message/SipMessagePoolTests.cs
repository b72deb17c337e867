using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

/// <summary>
/// Tests that depend on nothing else renting from the process-wide message pool meanwhile: a parse in a test running in
/// parallel could take the disposed message back out of the pool and make it live again.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SipMessagePoolCollection
{
    public const string Name = "SIP message pool";
}

[Collection(SipMessagePoolCollection.Name)]
public sealed class SipMessagePoolTests
{
    [Fact]
    public void Message_AfterDispose_ThrowsInsteadOfReadingReusedBytes()
    {
        var m = SipParser.ParseDatagram(TestMessages.Wire(
            "OPTIONS sip:b@example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\nFrom: <sip:a@example.com>;tag=1\n"
            + "To: <sip:b@example.com>\nCall-ID: c1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n")).Message!;
        m.Dispose();

        Assert.Throws<ObjectDisposedException>(() => m.Span.Length);
    }

    [Fact]
    public void Message_DisposedByTwoThreadsAtOnce_GoesBackToThePoolOnce()
    {
        using var start = new Barrier(2);
        for (var i = 0; i < 5_000; i++)
        {
            var m = SipMessage.Rent();
            var other = new Thread(() =>
            {
                start.SignalAndWait();
                m.Dispose();
            });
            other.Start();
            start.SignalAndWait(TestContext.Current.CancellationToken);
            m.Dispose();
            other.Join();

            // Returned twice, the pool would hand the same message to the next two renters.
            var first = SipMessage.Rent();
            var second = SipMessage.Rent();
            Assert.NotSame(first, second);
            first.Dispose();
            second.Dispose();
        }
    }
}
