using System.Net;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// A rolling restart of a three-node cluster: each member in turn is drained through another member, exits 0, is
/// started again and rejoins, while OPTIONS keep arriving at the shared signalling address.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RollingRestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RollingRestart_EachMemberDrainedRestartedRejoins_SharedAddressAnswersEveryRequestAndStartsArePersisted()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct);
        await using var probe = new OptionsProbe(cluster.SharedSipPort);
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
            var rejoined = TimeProvider.System.GetElapsedTime(started);
            report.Add($"{name}: drained {drained.TotalSeconds:0.0} s, back Up {rejoined.TotalSeconds:0.0} s");

            // The restart is the member's second start in its ledger, read back from PostgreSQL.
            await AssertStartsAsync(member, 2);
        }

        await ClusterUnderTest.WaitForAsync(cluster["node1"], 3, 0, TestEnvironment.Scaled(10), Ct);
        var sent = probe.Sent;
        await probe.DisposeAsync();
        var total = TimeProvider.System.GetElapsedTime(cycle);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"rolling restart of 3 members in {total.TotalSeconds:0.0} s ({string.Join("; ", report)}); shared address: " +
            $"{probe.Answered}/{probe.Sent} OPTIONS answered, {probe.Unanswered} failed");
        Assert.True(sent > 100, $"only {sent} OPTIONS sent");
        Assert.True(probe.Unanswered == 0, $"{probe.Unanswered} of {probe.Sent} OPTIONS to the shared address were never answered");
    }

    private static async Task AssertStartsAsync(ClusterMember member, long expected)
    {
        var start = TimeProvider.System.GetTimestamp();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        long starts = 0;
        while (TimeProvider.System.GetElapsedTime(start) < TestEnvironment.Scaled(20) && await poll.WaitForNextTickAsync(Ct))
        {
            using var response = await member.GetAsync("/api/node", Ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                continue;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            starts = json.RootElement.GetProperty("starts").GetInt64();
            if (starts == expected)
            {
                return;
            }
        }

        Assert.Fail($"{member.Name}: ledger shows {starts} starts, expected {expected}");
    }
}
