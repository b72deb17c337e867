using System.Text;
using Routing.Edge.Transactions;
using Routing.Sip.Transactions;

namespace Routing.Edge.Tests.Transactions;

/// <summary>The byte store that keeps completed non-INVITE server transactions over UDP for Timer J (RFC 3261 §17.2.2).</summary>
public sealed class CompletedServerTransactionsTests
{
    private static readonly TimeSpan J = TimeSpan.FromSeconds(32);

    private static ServerRequestInfo Info(string branch = "z9hG4bKa1", string host = "10.0.0.1", int port = 5060, string method = "REGISTER",
        string callId = "c1", string? fromTag = "f1", string? toTag = null, uint cseq = 1, string? cseqMethod = null, string requestUri = "",
        string topVia = "") =>
        new(method, requestUri, branch, new SentBy(host, port), topVia, callId, fromTag, toTag, cseq, cseqMethod ?? method);

    private static string Found(CompletedServerTransactions store, in ServerRequestInfo info) =>
        store.TryFind(info, out var response) ? Encoding.ASCII.GetString(response) : "<none>";

    [Fact]
    public void Rfc3261_17_2_3_FoundByBranchSentByAndMethod_HostCaseInsensitive()
    {
        var store = new CompletedServerTransactions(J);
        store.Add(Info(host: "Proxy.Example.COM"), mergeKey: true, "SIP/2.0 200 OK\r\n\r\n"u8, TimeSpan.Zero);

        Assert.Equal("SIP/2.0 200 OK\r\n\r\n", Found(store, Info(host: "proxy.example.com")));
        Assert.Equal("<none>", Found(store, Info(branch: "z9hG4bKa2", host: "proxy.example.com")));
        Assert.Equal("<none>", Found(store, Info(host: "proxy.example.com", port: 5070)));
        Assert.Equal("<none>", Found(store, Info(host: "proxy.example.com", method: "OPTIONS")));
        Assert.Equal("<none>", Found(store, Info(host: "proxy.example.org")));
    }

    [Fact]
    public void Rfc3261_17_2_2_TimerJ_KeptUntil64T1ThenGone()
    {
        var store = new CompletedServerTransactions(J);
        store.Add(Info(), mergeKey: true, "r1"u8, TimeSpan.FromSeconds(1));

        Assert.Equal(0, store.Expire(TimeSpan.FromSeconds(32.99)));
        Assert.Equal("r1", Found(store, Info()));
        Assert.Equal(1, store.Expire(TimeSpan.FromSeconds(33)));
        Assert.Equal("<none>", Found(store, Info()));
        Assert.False(store.HoldsMergeKey(Info(branch: "z9hG4bKother")));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Rfc4320_4_2_AbandonedTransaction_FoundWithNoResponse()
    {
        var store = new CompletedServerTransactions(J);
        store.Add(Info(), mergeKey: false, default, TimeSpan.Zero);

        Assert.True(store.TryFind(Info(), out var response));
        Assert.True(response.IsEmpty);
    }

    [Fact]
    public void Rfc3261_8_2_2_2_MergeKey_FromTagCallIdAndCSeq_OnlyWithoutToTag()
    {
        var store = new CompletedServerTransactions(J);
        store.Add(Info(), mergeKey: true, "r"u8, TimeSpan.Zero);

        Assert.True(store.HoldsMergeKey(Info(branch: "z9hG4bKpath2", host: "10.0.0.9")));
        Assert.False(store.HoldsMergeKey(Info(branch: "z9hG4bKpath2", toTag: "t1")));
        Assert.False(store.HoldsMergeKey(Info(branch: "z9hG4bKpath2", cseq: 2)));
        Assert.False(store.HoldsMergeKey(Info(branch: "z9hG4bKpath2", fromTag: "f2")));
        Assert.False(store.HoldsMergeKey(Info(branch: "z9hG4bKpath2", callId: "c2")));

        var without = new CompletedServerTransactions(J);
        without.Add(Info(), mergeKey: false, "r"u8, TimeSpan.Zero);
        Assert.False(without.HoldsMergeKey(Info(branch: "z9hG4bKpath2")));
    }

    [Fact]
    public void Rfc3261_17_2_3_Rfc2543Key_IncludesTheToTagARetransmissionRepeats()
    {
        var store = new CompletedServerTransactions(J);
        var legacy = Info(branch: "old1", requestUri: "sip:a@b", topVia: "SIP/2.0/UDP 10.0.0.1;branch=old1", toTag: "t1");
        store.Add(legacy, mergeKey: true, "r"u8, TimeSpan.Zero);

        Assert.Equal("r", Found(store, legacy));
        Assert.Equal("<none>", Found(store, legacy with { ToTag = "t2" }));
        Assert.Equal("<none>", Found(store, legacy with { CSeqNumber = 2 }));
    }

    [Fact]
    public void EntryLargerThanAChunk_KeptInAChunkOfItsOwn_EntriesAroundItFound()
    {
        var store = new CompletedServerTransactions(J);
        var large = new byte[100_000];
        large[^1] = 7;
        store.Add(Info(branch: "z9hG4bKbefore"), mergeKey: true, "small"u8, TimeSpan.Zero);
        store.Add(Info(branch: "z9hG4bKlarge"), mergeKey: true, large, TimeSpan.Zero);
        store.Add(Info(branch: "z9hG4bKafter"), mergeKey: true, "small"u8, TimeSpan.Zero);

        Assert.True(store.TryFind(Info(branch: "z9hG4bKlarge"), out var found));
        Assert.Equal(100_000, found.Length);
        Assert.Equal(7, found[^1]);
        Assert.Equal("small", Found(store, Info(branch: "z9hG4bKbefore")));
        Assert.Equal("small", Found(store, Info(branch: "z9hG4bKafter")));
        Assert.Equal(3, store.Expire(J));
    }

    [Fact]
    public void ManyEntriesOverSeveralChunks_EveryOneFound_ChunksReusedOnceExpired()
    {
        var store = new CompletedServerTransactions(J);
        var response = new byte[1500];
        for (var i = 0; i < 5000; i++)
        {
            response[0] = (byte)i;
            store.Add(Info(branch: "z9hG4bK" + i), mergeKey: true, response, TimeSpan.FromMilliseconds(i));
        }

        Assert.Equal(5000, store.Count);
        for (var i = 0; i < 5000; i += 97)
        {
            Assert.True(store.TryFind(Info(branch: "z9hG4bK" + i), out var found));
            Assert.Equal((byte)i, found[0]);
            Assert.Equal(1500, found.Length);
        }

        var peak = store.ChunkBytes;
        Assert.True(peak >= 5000L * 1500);
        Assert.Equal(2500, store.Expire(J + TimeSpan.FromMilliseconds(2499)));
        Assert.False(store.TryFind(Info(branch: "z9hG4bK2499"), out _));
        Assert.True(store.TryFind(Info(branch: "z9hG4bK2500"), out _));

        // The next 5000 reuse the freed chunks (at most 16 kept) instead of growing without bound.
        Assert.Equal(2500, store.Expire(J + TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 5000; i++)
        {
            store.Add(Info(branch: "z9hG4bKnext" + i), mergeKey: true, response, J + TimeSpan.FromSeconds(10));
        }

        Assert.True(store.ChunkBytes <= peak + (4L << 20), $"{store.ChunkBytes} bytes of chunks after reuse, {peak} at the peak");
        Assert.True(store.TryFind(Info(branch: "z9hG4bKnext0"), out _));
        Assert.True(store.TryFind(Info(branch: "z9hG4bKnext4999"), out _));
    }
}
