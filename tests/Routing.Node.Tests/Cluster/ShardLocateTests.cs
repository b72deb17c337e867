using System.Net;
using System.Text;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary><c>routectl shard locate</c> against the <c>user</c> region of a three-node cluster.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ShardLocateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ShardLocate_ProvisionedAors_NamesTheMemberWhoseRegionHoldsEachEntity()
    {
        // No rebalancing while the test compares: a member whose region registered with the coordinator after the AoRs
        // were provisioned would otherwise be handed shards mid-test, and the moved entities stop until their next
        // message (no remember-entities), so the stats and the per-member contents read moments apart disagree.
        await using var cluster = await ClusterUnderTest.StartAsync(3, Ct, extraConfig: "akka.cluster.sharding.rebalance-interval = 1h");
        var node1 = cluster["node1"];
        var aors = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var aor = $"sip:user{i}@example.test";
            aors.Add(aor);
            using var created = await node1.PostJsonAsync("/api/users", JsonSerializer.Serialize(new { aor, password = "secret" + i }), Ct);

            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        }

        // Where each entity actually lives: the member whose own region hosts it.
        var actual = new Dictionary<string, string>();
        foreach (var m in cluster.Members)
        {
            using var local = await m.GetAsync("/api/shards/user/local", Ct);
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
            using var json = JsonDocument.Parse(await local.Content.ReadAsStringAsync(Ct));
            foreach (var shard in json.RootElement.GetProperty("shards").EnumerateArray())
            {
                foreach (var id in shard.GetProperty("entityIds").EnumerateArray())
                {
                    Assert.True(actual.TryAdd(id.GetString()!, m.Name), $"{id.GetString()} lives on two members");
                }
            }
        }

        var owners = new HashSet<string>();
        foreach (var aor in aors)
        {
            Assert.True(actual.TryGetValue(aor, out var owner), $"{aor} is live on no member");
            // locate reads the cluster-wide shard stats, which can come back partial under load: ask until the answer
            // names a member or the scaled deadline passes.
            var locateDeadline = DateTime.UtcNow + TestEnvironment.Scaled(30);
            var located = await ClusterUnderTest.RoutectlAsync(cluster["node3"], Ct, "shard", "locate", aor, "--json");
            while ((located.ExitCode != 0 || !located.Stdout.Contains($"\"{owner}\"", StringComparison.Ordinal)) && DateTime.UtcNow < locateDeadline)
            {
                located = await ClusterUnderTest.RoutectlAsync(cluster["node3"], Ct, "shard", "locate", aor, "--json");
            }

            Assert.True(located.ExitCode == 0, located.Stderr);
            using var json = JsonDocument.Parse(located.Stdout);
            Assert.Equal("user", json.RootElement.GetProperty("region").GetString());
            Assert.Equal(owner, json.RootElement.GetProperty("node").GetString());
            Assert.Equal(cluster[owner].Address, json.RootElement.GetProperty("address").GetString());
            var running = json.RootElement.GetProperty("entityRunning");
            if (owner == "node3")
            {
                Assert.True(running.GetBoolean(), $"{aor} lives on the asked node but is not reported running");
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, running.ValueKind);
            }

            owners.Add(owner);
        }

        // The per-member stats agree with the per-member contents. A stats query answers with what every shard told
        // it within its timeout, so on a loaded machine one answer can be partial: ask again until it is whole or the
        // (time-factor scaled) deadline passes, then assert on the last answer.
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(30);
        List<(string Node, int Expected, int Reported)> mismatches;
        do
        {
            var stats = await ClusterUnderTest.RoutectlAsync(cluster["node2"], Ct, "shard", "stats", "user", "--json");
            Assert.True(stats.ExitCode == 0, stats.Stderr);
            mismatches = [];
            using var json = JsonDocument.Parse(stats.Stdout);
            foreach (var m in json.RootElement.GetProperty("members").EnumerateArray())
            {
                var name = m.GetProperty("node").GetString()!;
                var expected = actual.Count(kv => kv.Value == name);
                var reported = m.GetProperty("entities").GetInt32();
                if (expected != reported)
                {
                    mismatches.Add((name, expected, reported));
                }
            }
        }
        while (mismatches.Count > 0 && DateTime.UtcNow < deadline);

        Assert.Empty(mismatches);

        TestContext.Current.TestOutputHelper?.WriteLine($"12 AoRs spread over {owners.Count} members");
    }
}
