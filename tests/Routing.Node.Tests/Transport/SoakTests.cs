using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Routing.Node.Tests.EndToEnd;
using static Routing.Node.Tests.Transport.Peers;

namespace Routing.Node.Tests.Transport;

/// <summary>A fresh node for the soak, so no other test's transactions or allocations blur its figures.</summary>
public sealed class SoakNodeFixture : IAsyncLifetime
{
    internal TransportNodeFixture Node { get; } = new();

    public ValueTask InitializeAsync() => Node.InitializeAsync();

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}

/// <summary>
/// Bounded soak: 50 000 UDP transactions on loopback; once their Timer J has ended them the transaction table is
/// empty and, after a full GC induced over the diagnostics port, the managed heap is back near its baseline.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SoakTests : IClassFixture<SoakNodeFixture>
{
    private const int Transactions = 50_000;
    private readonly TransportNodeFixture _node;

    public SoakTests(SoakNodeFixture fixture) => _node = fixture.Node;

    [Fact]
    public async Task Soak_FiftyThousandUdpTransactions_TableEmptiesAndHeapReturnsToBaseline()
    {
        var cancel = TestContext.Current.CancellationToken;
        // Warm-up over TCP (Timer J is 0 there, nothing lingers): JIT, pools and buffers reach their steady size.
        using (var warm = await SippAsync("options.xml", _node.SipPort, "t1", calls: 2_000, rate: 2_000, seconds: 30))
        {
            Assert.True(warm.ExitCode == 0, warm.Stdout + warm.Stderr);
        }

        await WaitForLiveAsync(0, TimeSpan.FromSeconds(5), cancel);
        var baselineHeap = await HeapAfterFullGcAsync(cancel);
        var baselineRss = _node.ResidentKilobytes();

        using (var soak = await SippAsync("options.xml", _node.SipPort, "u1", calls: Transactions, rate: 2_500, seconds: 90))
        {
            Assert.True(soak.ExitCode == 0, $"sipp exit {soak.ExitCode}\n{soak.Stdout}\n{soak.Stderr}");
        }

        var metrics = await _node.MetricsAsync(cancel);
        var peakLive = TransportNodeFixture.Series(metrics, "sip_transactions_live");
        var peakRss = _node.ResidentKilobytes();
        Assert.True(peakLive > Transactions / 4, $"live transactions right after the load: {peakLive}");

        // Timer J (64*T1 = 32 s on UDP) ends every transaction.
        await WaitForLiveAsync(0, TimeSpan.FromSeconds(40), cancel);
        var afterHeap = await HeapAfterFullGcAsync(cancel);
        var afterRss = _node.ResidentKilobytes();

        var figures = $"soak: small-object heap {baselineHeap.SmallObjects / 1024} -> {afterHeap.SmallObjects / 1024} KiB, " +
            $"large-object heap {baselineHeap.LargeObjects / 1024} -> {afterHeap.LargeObjects / 1024} KiB, " +
            $"pinned-object heap {baselineHeap.PinnedObjects / 1024} -> {afterHeap.PinnedObjects / 1024} KiB, " +
            $"RSS {baselineRss} -> peak {peakRss} -> {afterRss} KiB, peak live {peakLive}";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        // Every transaction object, message and buffer is gone: the small-object heap is back within 4 MiB of its
        // baseline. The large-object heap keeps the table's dictionary and timer-wheel arrays at the capacity the burst
        // needed (ready for the next one; Dictionary never shrinks), bounded here at 32 MiB for 50 000 transactions.
        // The pinned-object heap keeps the space of the completed transactions' byte chunks: it is swept, not
        // compacted, and every chunk has one size, so the next burst's chunks fill it. At most the burst's bytes: a
        // completed OPTIONS transaction (key and 200) takes well under 1 KiB.
        Assert.True(afterHeap.SmallObjects < baselineHeap.SmallObjects + (4L << 20), figures);
        Assert.True(afterHeap.LargeObjects < baselineHeap.LargeObjects + (32L << 20), figures);
        Assert.True(afterHeap.PinnedObjects < baselineHeap.PinnedObjects + Transactions * 1024L, figures);
        // Server GC keeps its segments committed, so RSS does not fall back; it must not keep growing either (the
        // induced compacting GC itself may commit a few tens of MiB).
        Assert.True(afterRss <= peakRss + 65_536, figures);
    }

    private async Task WaitForLiveAsync(double expected, TimeSpan within, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(within.TotalSeconds);
        double live;
        do
        {
            live = TransportNodeFixture.Series(await _node.MetricsAsync(cancel), "sip_transactions_live");
            if (live == expected)
            {
                return;
            }

            await Task.Delay(500, cancel);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"sip_transactions_live stayed at {live}, expected {expected}");
    }

    /// <summary>
    /// Induces a blocking full GC in the node as dotnet-gcdump does (runtime provider, GCHeapCollect keyword), then reads
    /// the heap sizes of that collection from /metrics.
    /// </summary>
    private async Task<(long SmallObjects, long LargeObjects, long PinnedObjects)> HeapAfterFullGcAsync(CancellationToken cancel)
    {
        var before = GcCount(await _node.MetricsAsync(cancel));
        var client = new DiagnosticsClient(_node.Node.Id);
        const long GcKeyword = 0x1;
        const long GcHeapCollectKeyword = 0x800000;
        using (var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)],
            requestRundown: false))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null, cancel);
            var deadline = DateTime.UtcNow + TestEnvironment.Scaled(15);
            while (GcCount(await _node.MetricsAsync(cancel)) <= before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancel);
            }

            await session.StopAsync(cancel);
            await drain;
        }

        var metrics = await _node.MetricsAsync(cancel);
        Assert.True(GcCount(metrics) > before, "no full GC was induced in the node");
        return (Sum(metrics, "gen0", "gen1", "gen2"), Sum(metrics, "loh"), Sum(metrics, "poh"));
    }

    private static long Sum(string metrics, params string[] generations)
    {
        long bytes = 0;
        foreach (var generation in generations)
        {
            bytes += (long)TransportNodeFixture.Series(metrics, $"dotnet_gc_last_collection_heap_size_bytes{{gc_heap_generation=\"{generation}\"}}");
        }

        return bytes;
    }

    private static double GcCount(string metrics) =>
        TransportNodeFixture.Series(metrics, "dotnet_gc_collections_total{gc_heap_generation=\"gen2\"}");
}
