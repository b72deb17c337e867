using System.Net;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// Three node processes on PostgreSQL with cluster-config/cluster.conf, driven by the built routectl: cluster-wide
/// answers from any member, drain with the others staying Up, SIGKILL downed by the split brain resolver.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterOperationsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Routectl_AskingAnyMember_AnswersForTheWholeCluster()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct);
        var node1 = cluster["node1"];
        var node3 = cluster["node3"];

        // cluster show through node3: every member Up, each named as in its config.
        var show = await ClusterUnderTest.RoutectlAsync(node3, Ct, "cluster", "show");
        Assert.True(show.ExitCode == 0, show.Stderr);
        foreach (var m in cluster.Members)
        {
            Assert.Contains(m.Name + " ", show.Stdout, StringComparison.Ordinal);
            Assert.Contains(m.Address, show.Stdout, StringComparison.Ordinal);
        }

        // cluster nodes through node2: names, admin URLs, SIP addresses and pids of all three processes.
        var nodes = await ClusterUnderTest.RoutectlAsync(cluster["node2"], Ct, "cluster", "nodes", "--json");
        Assert.True(nodes.ExitCode == 0, nodes.Stderr);
        using (var json = JsonDocument.Parse(nodes.Stdout))
        {
            Assert.Equal(3, json.RootElement.GetArrayLength());
            foreach (var m in cluster.Members)
            {
                var entry = FindByName(json.RootElement, m.Name);
                Assert.Equal(m.Address, entry.GetProperty("address").GetString());
                Assert.Equal(m.AdminUrl, entry.GetProperty("admin").GetString());
                Assert.Equal(m.Process!.Id, entry.GetProperty("pid").GetInt32());
                Assert.Contains($"udp:127.0.0.1:{m.SipPort}", entry.GetProperty("sip").EnumerateArray().Select(e => e.GetString()));
                Assert.Equal("Up", entry.GetProperty("status").GetString());
                Assert.Equal("postgres", entry.GetProperty("journal").GetString());
            }
        }

        // node info NODE through node3 about node1: version, uptime, roles, ports, journal.
        var info = await ClusterUnderTest.RoutectlAsync(node3, Ct, "node", "info", "node1");
        Assert.True(info.ExitCode == 0, info.Stderr);
        Assert.Contains("name:        node1", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("admin:       " + node1.AdminUrl, info.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pid:         {node1.Process!.Id}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("journal:     postgres", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("uptime:", info.Stdout, StringComparison.Ordinal);

        // A name no member has is a failure reported by the node (exit 1), not a crash.
        var unknown = await ClusterUnderTest.RoutectlAsync(node1, Ct, "node", "drain", "no-such-node");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no member is called 'no-such-node'", unknown.Stderr, StringComparison.Ordinal);
        await ClusterUnderTest.WaitForAsync(node1, 3, 0, TestEnvironment.Scaled(5), Ct);
    }

    [Fact]
    public async Task Leave_RequestedThroughAnotherMember_MemberRemovedAndItsProcessExitsZero()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(2, Ct);
        var node1 = cluster["node1"];
        var node2 = cluster["node2"];

        var leave = await ClusterUnderTest.RoutectlAsync(node1, Ct, "cluster", "leave", "node2");
        Assert.True(leave.ExitCode == 0, leave.Stderr + leave.Stdout);

        Assert.True(await node2.Process!.WaitForExitAsync(TestEnvironment.Scaled(60), Ct), "node2 did not exit after leaving");
        Assert.True(node2.Process.ExitCode == 0, $"node2 exited with {node2.Process.ExitCode}\n{node2.Process.Stderr}\n{node2.Process.Stdout}");
        await ClusterUnderTest.WaitForAsync(node1, 1, 0, TestEnvironment.Scaled(20), Ct);
    }

    [Fact]
    public async Task Drain_RequestedThroughAnotherMember_NodeUnreadyAtOnceLeavesExitsZeroOthersStayUpSharedAddressKeepsAnswering()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct);
        var node1 = cluster["node1"];
        var node3 = cluster["node3"];
        using var tail = ClusterUnderTest.StartRoutectl(node1, "cluster", "tail", "--json", "--for", "120");
        await WaitForOutputAsync(tail, out3 => CountEvents(out3, "Current") >= 3, "tail did not print the current members");

        await using var probe = new OptionsProbe(cluster.SharedSipPort);
        await WaitForAsync(() => probe.Answered >= 10, "the shared address did not answer OPTIONS before the drain");
        var started = TimeProvider.System.GetTimestamp();
        var drain = await ClusterUnderTest.RoutectlAsync(node1, Ct, "node", "drain", "node3");
        Assert.True(drain.ExitCode == 0, drain.Stderr);
        Assert.Contains("drain started on node3", drain.Stdout, StringComparison.Ordinal);

        // Readiness turns false at the start of the drain (the node may already be gone: then it is not ready either).
        try
        {
            using var ready = await node3.GetAsync("/api/health/ready", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("ShuttingDown", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            Assert.True(node3.Process!.HasExited, "node3's admin API refused while the process still runs");
        }

        Assert.True(await node3.Process!.WaitForExitAsync(TestEnvironment.Scaled(90), Ct), "node3 did not exit after the drain");
        var drained = TimeProvider.System.GetElapsedTime(started);
        Assert.True(node3.Process.ExitCode == 0, $"node3 exited with {node3.Process.ExitCode}\n{node3.Process.Stderr}\n{node3.Process.Stdout}");

        await ClusterUnderTest.WaitForAsync(node1, 2, 0, TestEnvironment.Scaled(20), Ct);
        await ClusterUnderTest.WaitForAsync(cluster["node2"], 2, 0, TestEnvironment.Scaled(20), Ct);

        // The shared signalling address answered throughout: requests the kernel had handed to node3 are retransmitted
        // (Timer E) and then reach node1 or node2.
        var sentAfterDrain = probe.Sent;
        await WaitForAsync(() => probe.Sent >= sentAfterDrain + 10, "the probe stopped sending");
        await probe.DisposeAsync();
        Assert.True(probe.Unanswered == 0, $"{probe.Unanswered} of {probe.Sent} OPTIONS to the shared address were never answered");
        Assert.Equal(probe.Sent, probe.Answered);

        // cluster tail showed the drain's membership events for node3, in order.
        await WaitForOutputAsync(tail, o => EventsFor(o, node3.Address).Contains("MemberRemoved"), "tail did not show node3 removed");
        var events = EventsFor(tail.Stdout, node3.Address);
        var left = events.IndexOf("MemberLeft");
        var exited = events.IndexOf("MemberExited");
        var removed = events.IndexOf("MemberRemoved");
        Assert.True(left >= 0 && exited > left && removed > exited, "events for node3: " + string.Join(", ", events));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"drain of node3: {drained.TotalSeconds:0.0} s from request to exit 0; shared address: {probe.Answered}/{probe.Sent} OPTIONS answered");
    }

    [Fact]
    public async Task Sigkill_OneOfThree_ResolverDownsItAndTheOthersConvergeWithinSipTransactionTimeout()
    {
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct);
        var node1 = cluster["node1"];
        var node2 = cluster["node2"];
        var node3 = cluster["node3"];
        using var tail = ClusterUnderTest.StartRoutectl(node1, "cluster", "tail", "--json", "--for", "120");
        await WaitForOutputAsync(tail, o => CountEvents(o, "Current") >= 3, "tail did not print the current members");

        var killed = TimeProvider.System.GetTimestamp();
        node3.Process!.Dispose();

        // Converged: both survivors see exactly two members, both Up, nobody unreachable. RFC 3261 §17.1.1.2: a
        // client transaction lives 64*T1 = 32 s; the resolver must have removed the dead member before that.
        await ClusterUnderTest.WaitForAsync(node1, 2, 0, TestEnvironment.Scaled(32), Ct);
        await ClusterUnderTest.WaitForAsync(node2, 2, 0, TestEnvironment.Scaled(32), Ct);
        var converged = TimeProvider.System.GetElapsedTime(killed);
        Assert.True(converged < TestEnvironment.Scaled(32), $"converged after {converged.TotalSeconds:0.0} s");

        await WaitForOutputAsync(tail, o => EventsFor(o, node3.Address).Contains("MemberRemoved"), "tail did not show node3 removed");
        var events = EventsFor(tail.Stdout, node3.Address);
        Assert.Contains("UnreachableMember", events);
        Assert.True(events.IndexOf("MemberDowned") > events.IndexOf("UnreachableMember") || events.Contains("MemberRemoved"),
            "events for node3: " + string.Join(", ", events));

        // Both survivors stay ready and answer cluster-wide.
        foreach (var m in new[] { node1, node2 })
        {
            using var ready = await m.GetAsync("/api/health/ready", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"SIGKILL of node3: cluster converged after {converged.TotalSeconds:0.0} s");
    }

    private static JsonElement FindByName(JsonElement array, string name)
    {
        foreach (var e in array.EnumerateArray())
        {
            if (e.GetProperty("name").GetString() == name)
            {
                return e;
            }
        }

        Assert.Fail("no entry named " + name + " in " + array.GetRawText());
        return default;
    }

    private static int CountEvents(string output, string kind)
    {
        var n = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.GetProperty("event").GetString() == kind)
            {
                n++;
            }
        }

        return n;
    }

    private static List<string> EventsFor(string output, string address)
    {
        var events = new List<string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("address", out var a) && a.GetString() == address)
            {
                events.Add(json.RootElement.GetProperty("event").GetString()!);
            }
        }

        return events;
    }

    private static async Task WaitForAsync(Func<bool> condition, string failure)
    {
        var start = TimeProvider.System.GetTimestamp();
        var limit = TestEnvironment.Scaled(30);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (TimeProvider.System.GetElapsedTime(start) < limit && await poll.WaitForNextTickAsync(Ct))
        {
            if (condition())
            {
                return;
            }
        }

        Assert.Fail(failure);
    }

    private static async Task WaitForOutputAsync(ChildProcess process, Func<string, bool> condition, string failure)
    {
        var start = TimeProvider.System.GetTimestamp();
        var limit = TestEnvironment.Scaled(30);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (TimeProvider.System.GetElapsedTime(start) < limit && await poll.WaitForNextTickAsync(Ct))
        {
            if (condition(process.Stdout))
            {
                return;
            }

            if (process.HasExited)
            {
                break;
            }
        }

        Assert.Fail($"{failure}\n{process.Stdout}\n{process.Stderr}");
    }
}
