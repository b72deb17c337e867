using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// Issue 7's promise, end to end: three members sharing one SIP address (SO_REUSEPORT) with a PostgreSQL journal,
/// 200 established SIPp calls, a steady stream of new calls and REGISTERs; every member drained and restarted in turn
/// (or one killed outright), then every established call hung up with BYE.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterCallsTests
{
    private static readonly string[] CallFlags = ["--auth", "none", "--domain", ClusterSipp.Domain];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task RollingRestart_200EstablishedCallsAndNewTraffic_NoEstablishedCallOrBindingLostAndCdrsComplete()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct, CallFlags);
        await using var load = new ClusterCallLoad(cluster);
        await load.EstablishAsync();
        load.StartStreams();
        var cycle = TimeProvider.System.GetTimestamp();
        var report = new List<string>();

        // Highest first, so the two seeds are never down together (akka-notes §2.7).
        foreach (var name in new[] { "node3", "node2", "node1" })
        {
            var member = cluster[name];
            var via = name == "node1" ? cluster["node2"] : cluster["node1"];
            var started = TimeProvider.System.GetTimestamp();
            var drain = await ClusterUnderTest.RoutectlAsync(via, Ct, "node", "drain", name, "--wait", "90");
            Assert.True(drain.ExitCode == 0, drain.Stderr + drain.Stdout);
            Assert.True(await member.Process!.WaitForExitAsync(TestEnvironment.Scaled(30), Ct), name + " did not exit after leaving");
            Assert.True(member.Process.ExitCode == 0, $"{name} exited with {member.Process.ExitCode}\n{member.Process.Stderr}");
            var drained = TimeProvider.System.GetElapsedTime(started);

            cluster.Start(member);
            await member.WaitReadyAsync(Ct);
            await ClusterUnderTest.WaitForAsync(via, 3, 0, TestEnvironment.Scaled(60), Ct);
            report.Add($"{name} drained {drained.TotalSeconds:0.0} s, Up again {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
        }

        var cycleTime = TimeProvider.System.GetElapsedTime(cycle);
        var streams = await load.StopStreamsAsync();
        Report($"rolling restart of 3 members in {cycleTime.TotalSeconds:0.0} s ({string.Join("; ", report)})");
        Report($"during the cycle: {streams}");
        Report($"failed new calls during the cycle: {streams.CallsFailed} of {streams.Calls}; failed REGISTERs: {streams.RegistersFailed} of {streams.Registers}");

        // Every held call lived through the whole cycle; now each caller hangs up.
        var ended = await load.EndHeldCallsAsync();
        Report($"established calls ended with BYE/200: {ended}/{ClusterCallLoad.Held}");
        await ClusterCallLoad.AssertBindingsAsync(cluster["node2"], streams.RegistersOk, load.RegisterContactPort);
        await load.AssertHeldCdrsAsync(cluster["node3"], TestEnvironment.Scaled(2));

        Assert.True(streams.Calls >= 100, $"only {streams.Calls} new calls placed during the cycle\n{streams.Errors}");
        Assert.True(streams.RegistersOk.Count >= 100, $"only {streams.RegistersOk.Count} REGISTERs acknowledged during the cycle\n{streams.Errors}");
        // A drain lets what is in flight on the member finish before its sockets close, and new requests that reach
        // it meanwhile are retransmitted to another member, so the goal is zero failures. While a member leaves or
        // rejoins, the shard coordinator's state write can take longer than its 5 s updating-state-timeout: a location
        // lookup or an in-dialog route waiting for a shard home is asked again (RepeatableAsk; a BYE used to get 500
        // here), but a REGISTER is not (its CSeq rule makes a repeat unsafe) and gets 500 with Retry-After from its
        // member (a phone retries; SIPp counts a failure). REGISTERs: bound 2 % (measured 0 of 125-219 in 16 runs on
        // 2026-11-27). New calls: 0-13 of 125-219 failed in 16 runs on 2026-11-27, each by a UDP retransmission
        // timeout at the caller, which is how this proxy bug ends a call: while a member was slow, a callee retransmitted its 200, the caller re-sent its ACK, and the proxy forwarded
        // that copy with a fresh branch, so the SIPp callee saw a second, different ACK and aborted the call (fixed:
        // RFC 3261 §16.11 stateless branch). Measured after the fix: 0-1 of 110-144 in 7 runs. Still open: node1 (the
        // oldest member, home of the coordinator) sometimes took 14 s instead of 5 s to drain; the bound is 5 % until
        // that is understood. The promises this test names (no established call or binding lost, CDRs complete) are
        // exact.
        Assert.True(streams.RegistersFailed <= Math.Max(1, streams.Registers / 50),
            $"{streams.RegistersFailed} of {streams.Registers} REGISTERs failed during the cycle\n{streams.Errors}");
        Assert.True(streams.CallsFailed <= Math.Max(1, streams.Calls / 20),
            $"{streams.CallsFailed} of {streams.Calls} new calls failed during the cycle\n{streams.Errors}");
    }

    [Fact]
    public async Task MemberKilled_200EstablishedCalls_DialogsRecoverFromJournalAndEndCleanly()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct, CallFlags);
        await using var load = new ClusterCallLoad(cluster);
        await load.EstablishAsync();
        load.StartStreams();

        // node3 (not a seed) dies outright: no drain, no hand-off.
        var victim = cluster["node3"];
        var killedAt = TimeProvider.System.GetTimestamp();
        using (var process = System.Diagnostics.Process.GetProcessById(victim.Process!.Id))
        {
            process.Kill(); // SIGKILL
        }

        // Converged: the survivors see two members Up and none unreachable (the resolver downed node3), and every
        // held call's dialog answers again (its shard restarted on a survivor, the entity recovered from the journal).
        var survivor = cluster["node1"];
        await ClusterUnderTest.WaitForAsync(survivor, 2, 0, TestEnvironment.Scaled(45), Ct);
        var downed = TimeProvider.System.GetElapsedTime(killedAt);
        var recovered = await ClusterCallLoad.ConfirmedDialogsAsync(survivor, TestEnvironment.Scaled(45));
        var converged = TimeProvider.System.GetElapsedTime(killedAt);
        Report($"node3 killed: downed and removed after {downed.TotalSeconds:0.0} s; {recovered}/{ClusterCallLoad.Held} dialogs confirmed " +
               $"after {converged.TotalSeconds:0.0} s");

        var streams = await load.StopStreamsAsync();
        Report($"while node3 died: {streams}");
        var ended = await load.EndHeldCallsAsync();
        Report($"established calls recovered and ended with BYE/200: {ended}/{ClusterCallLoad.Held} ({100.0 * ended / ClusterCallLoad.Held:0.0} %)");
        await ClusterCallLoad.AssertBindingsAsync(survivor, streams.RegistersOk, load.RegisterContactPort);
        await load.AssertHeldCdrsAsync(cluster["node2"], TestEnvironment.Scaled(2));
        Assert.Equal(ClusterCallLoad.Held, recovered);
        // SIP's 32 s transaction timeout is the budget cluster.conf is sized for (Timer B/F, RFC 3261 §17.1.1.2).
        Assert.True(converged < TestEnvironment.Scaled(32), $"converged after {converged.TotalSeconds:0.0} s");
    }
}
