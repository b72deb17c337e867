using System.Net;

namespace Routing.Cli.Tests;

/// <summary>The cluster-operation verbs against a fake node: paths, argument checks, tables and exit codes.</summary>
public class ClusterVerbTests
{
    private const string NodesJson = """
        [{"name":"node1","address":"akka.tcp://routing@127.0.0.1:4053","status":"Up","reachable":true,"roles":["edge","routing"],
          "appVersion":"0.1.0","admin":"http://127.0.0.1:9111","sip":["udp:127.0.0.1:5061"],"pid":101,"version":"0.1.0+abc",
          "startedAt":"2026-01-01T00:00:00+00:00","journal":"postgres","draining":false,"answered":true},
         {"name":"node3","address":"akka.tcp://routing@127.0.0.1:4055","status":"Leaving","reachable":true,"roles":["edge","routing"],
          "appVersion":"0.1.0","admin":"http://127.0.0.1:9113","sip":["udp:127.0.0.1:5063"],"pid":103,"version":"0.1.0+abc",
          "startedAt":"2026-01-01T00:00:00+00:00","journal":"postgres","draining":true,"answered":true}]
        """;

    private static async Task<(int Code, string Out, string Err)> Run(HttpMessageHandler node, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RoutectlApp.RunAsync(["--token", "t", .. args], stdout, stderr, _ => null, node, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task NodeDrain_WithName_PostsToTheDrainRouteWithTheNodeEscaped()
    {
        var node = new FakeNode().On("/api/nodes/drain", HttpStatusCode.Accepted,
            """{"operation":"drain","addresses":["akka.tcp://routing@127.0.0.1:4055"],"node":"node3","alreadyRunning":false}""");

        var (code, output, _) = await Run(node, "node", "drain", "akka.tcp://routing@127.0.0.1:4055");

        Assert.Equal(ExitCodes.Ok, code);
        var request = Assert.Single(node.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("?node=akka.tcp%3A%2F%2Frouting%40127.0.0.1%3A4055", request.RequestUri!.Query);
        Assert.Contains("drain started on node3 (akka.tcp://routing@127.0.0.1:4055)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeDrain_WithoutNode_UsageErrorWithoutContactingNode()
    {
        var node = new FakeNode();

        var (code, _, error) = await Run(node, "node", "drain");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("usage: routectl node drain NODE", error, StringComparison.Ordinal);
        Assert.Empty(node.Requests);
    }

    [Fact]
    public async Task NodeDrain_UnknownNode_NodeFailureWithTheNodesReason()
    {
        var node = new FakeNode().On("/api/nodes/drain", HttpStatusCode.NotFound,
            """{"error":"unknown-node","detail":"no member is called 'nodeX'; see routectl cluster show"}""");

        var (code, _, error) = await Run(node, "node", "drain", "nodeX");

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("no member is called 'nodeX'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeDrain_BadWait_UsageError()
    {
        var (code, _, error) = await Run(new FakeNode(), "node", "drain", "node3", "--wait", "soon");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--wait: 'soon' is not a number of seconds", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterNodes_Table_ShowsNamesAdminUrlsPidsAndDraining()
    {
        var node = new FakeNode().On("/api/nodes", HttpStatusCode.OK, NodesJson);

        var (code, output, _) = await Run(node, "cluster", "nodes");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("NAME", output, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:9113", output, StringComparison.Ordinal);
        Assert.Contains("Leaving (draining)", output, StringComparison.Ordinal);
        Assert.Contains("103", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeInfo_WithName_PrintsThatMembersCard()
    {
        var node = new FakeNode().On("/api/nodes", HttpStatusCode.OK, NodesJson);

        var (code, output, _) = await Run(node, "node", "info", "node3");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("name:        node3", output, StringComparison.Ordinal);
        Assert.Contains("pid:         103", output, StringComparison.Ordinal);
        Assert.Contains("admin:       http://127.0.0.1:9113", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeInfo_UnknownName_NodeFailure()
    {
        var node = new FakeNode().On("/api/nodes", HttpStatusCode.OK, NodesJson);

        var (code, _, error) = await Run(node, "node", "info", "node9");

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("no member is called 'node9'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterDownUnreachable_NobodyUnreachable_SaysNothingToDo()
    {
        var node = new FakeNode().On("/api/cluster/down-unreachable", HttpStatusCode.Accepted,
            """{"operation":"down-unreachable","addresses":[],"node":null,"alreadyRunning":false}""");

        var (code, output, _) = await Run(node, "cluster", "down-unreachable");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("down-unreachable: nothing to do", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterLeave_TooManyArguments_UsageError()
    {
        var node = new FakeNode();

        var (code, _, error) = await Run(node, "cluster", "leave", "node1", "node2");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("takes at most 1 argument", error, StringComparison.Ordinal);
        Assert.Empty(node.Requests);
    }

    [Fact]
    public async Task ShardLocate_Aor_AsksLocateWithTheKeyAndPrintsTheOwner()
    {
        var node = new FakeNode().On("/api/shards/locate", HttpStatusCode.OK,
            """{"region":"user","entityId":"sip:alice@example.com","shardId":"42","address":"akka.tcp://routing@127.0.0.1:4054","node":"node2","entityRunning":true}""");

        var (code, output, _) = await Run(node, "shard", "locate", "sip:alice@example.com");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("?key=sip%3Aalice%40example.com", Assert.Single(node.Requests).RequestUri!.Query);
        Assert.Contains("node2", output, StringComparison.Ordinal);
        Assert.Contains("42", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShardStats_UnknownRegion_NodeFailure()
    {
        var node = new FakeNode().On("/api/shards/nope", HttpStatusCode.NotFound,
            """{"error":"unknown-region","detail":"no shard region 'nope' runs in this cluster; see routectl shard regions"}""");

        var (code, _, error) = await Run(node, "shard", "stats", "nope");

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("no shard region 'nope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterTail_CountReached_StopsAfterThatManyEventsPastTheCurrentMembers()
    {
        var node = new FakeNode().On("/api/nodes", HttpStatusCode.OK, NodesJson).On("/api/cluster/events", HttpStatusCode.OK,
            """
            {"time":"2026-01-01T00:00:00+00:00","event":"Current","address":"akka.tcp://routing@127.0.0.1:4053","status":"Up","roles":[]}
            {"time":"2026-01-01T00:00:01+00:00","event":"MemberLeft","address":"akka.tcp://routing@127.0.0.1:4055","status":"Leaving","roles":[]}
            {"time":"2026-01-01T00:00:02+00:00","event":"MemberExited","address":"akka.tcp://routing@127.0.0.1:4055","status":"Exiting","roles":[]}
            {"time":"2026-01-01T00:00:03+00:00","event":"MemberRemoved","address":"akka.tcp://routing@127.0.0.1:4055","status":"Removed","roles":[]}
            """);

        var (code, output, _) = await Run(node, "cluster", "tail", "--count", "2");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Current", output, StringComparison.Ordinal);
        Assert.Contains("MemberLeft         node3", output, StringComparison.Ordinal);
        Assert.Contains("MemberExited", output, StringComparison.Ordinal);
        Assert.DoesNotContain("MemberRemoved", output, StringComparison.Ordinal);
    }
}

/// <summary><c>--node NAME</c> resolved through .cluster/nodes.json.</summary>
public sealed class ClusterFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "routectl-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    public ClusterFileTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "node2.token"), "tok2\n");
        File.WriteAllText(Path.Combine(_dir, "nodes.json"), $$"""
            [{"name":"node1","admin":"http://127.0.0.1:9111","tokenFile":"{{Path.Combine(_dir, "node1.token")}}","sip":[],"pid":1},
             {"name":"node2","admin":"http://127.0.0.1:9112","tokenFile":"{{Path.Combine(_dir, "node2.token")}}","sip":[],"pid":2}]
            """);
    }

    private string? Env(string name) => name == ClusterFile.EnvironmentVariable ? Path.Combine(_dir, "nodes.json") : null;

    [Fact]
    public void NodeName_InClusterFile_UsesItsAdminUrlAndTokenFile()
    {
        var error = GlobalOptions.TryParse(["--node", "node2", "cluster", "show"], Env, out var options, out _);

        Assert.Null(error);
        Assert.Equal(new Uri("http://127.0.0.1:9112"), options.Node);
        Assert.Equal("tok2", options.Token);
    }

    [Fact]
    public void NodeName_ExplicitToken_WinsOverTheMembersTokenFile()
    {
        var error = GlobalOptions.TryParse(["--node", "node2", "--token", "mine", "cluster", "show"], Env, out var options, out _);

        Assert.Null(error);
        Assert.Equal("mine", options.Token);
    }

    [Fact]
    public void NodeName_NotInClusterFile_UsageErrorNamingTheFile()
    {
        var error = GlobalOptions.TryParse(["--node", "node7", "cluster", "show"], Env, out _, out _);

        Assert.NotNull(error);
        Assert.Contains("or a name in .cluster/nodes.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeName_TokenFileMissing_UsageError()
    {
        var error = GlobalOptions.TryParse(["--node", "node1", "cluster", "show"], Env, out _, out _);

        Assert.NotNull(error);
        Assert.Contains("cannot read the member's token file", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
