using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Routing.Cli.Tests;

/// <summary>Answers admin API paths with canned status and JSON, and records the requests.</summary>
internal sealed class FakeNode : HttpMessageHandler
{
    private readonly Dictionary<string, (HttpStatusCode Status, string Body)> _routes = [];

    public List<HttpRequestMessage> Requests { get; } = [];

    public FakeNode On(string path, HttpStatusCode status, string body)
    {
        _routes[path] = (status, body);
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        if (!_routes.TryGetValue(request.RequestUri!.AbsolutePath, out var r))
        {
            r = (HttpStatusCode.NotFound, "{\"error\":\"not-found\",\"detail\":\"no such route\"}");
        }

        return Task.FromResult(new HttpResponseMessage(r.Status) { Content = new StringContent(r.Body, Encoding.UTF8, "application/json") });
    }
}

internal sealed class Unreachable : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));
}

public class RoutectlTests
{
    private const string ClusterJson = """
        {"self":"akka.tcp://routing@127.0.0.1:4053","selfStatus":"Up","leader":"akka.tcp://routing@127.0.0.1:4053",
         "members":[{"address":"akka.tcp://routing@127.0.0.1:4053","status":"Up","roles":["edge","media","routing"],
                     "reachable":true,"leader":true,"self":true,"appVersion":"0.1.0"},
                    {"address":"akka.tcp://routing@127.0.0.1:4054","status":"Up","roles":["edge"],
                     "reachable":false,"leader":false,"self":false,"appVersion":"0.1.0"}],
         "unreachable":["akka.tcp://routing@127.0.0.1:4054"]}
        """;

    private const string ReadyJson = """{"live":true,"ready":true,"reasons":[],"memberStatus":"Up","journal":"Answered","shuttingDown":false}""";
    private const string NotReadyJson = """{"live":true,"ready":false,"reasons":["Leaving","ShuttingDown"],"memberStatus":"Leaving","journal":"Answered","shuttingDown":true}""";

    private static Func<string, string?> NoEnv => _ => null;

    private static async Task<(int Code, string Out, string Err)> Run(HttpMessageHandler node, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RoutectlApp.RunAsync(args, stdout, stderr, NoEnv, node, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task ClusterShow_Table_ListsMembersWithRolesStatusReachabilityAndLeader()
    {
        var (code, output, _) = await Run(new FakeNode().On("/api/cluster", HttpStatusCode.OK, ClusterJson), "cluster", "show", "--token", "t");

        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Cluster seen from akka.tcp://routing@127.0.0.1:4053; leader: akka.tcp://routing@127.0.0.1:4053", lines[0], StringComparison.Ordinal);
        // The NAME column comes from /api/nodes; this fake node does not serve it, so names are unknown ("?").
        Assert.Matches("^NAME +ADDRESS +STATUS +ROLES +REACHABLE +LEADER +VERSION", lines[1]);
        Assert.Matches(@"^\? +akka\.tcp://routing@127\.0\.0\.1:4053 \(self\) +Up +edge,media,routing +yes +\* +0\.1\.0", lines[2]);
        Assert.Matches(@"^\? +akka\.tcp://routing@127\.0\.0\.1:4054 +Up +edge +NO", lines[3]);
        Assert.Contains("Unreachable: akka.tcp://routing@127.0.0.1:4054", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterShow_Json_PrintsTheNodesJson()
    {
        var (code, output, _) = await Run(new FakeNode().On("/api/cluster", HttpStatusCode.OK, ClusterJson), "--json", "cluster", "show", "--token", "t");

        Assert.Equal(ExitCodes.Ok, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("Up", doc.RootElement.GetProperty("members")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnyVerb_SendsTheBearerToken()
    {
        var node = new FakeNode().On("/api/cluster", HttpStatusCode.OK, ClusterJson);

        await Run(node, "cluster", "show", "--token", "s3cret");

        Assert.NotEmpty(node.Requests);
        var auth = node.Requests[0].Headers.Authorization!;
        Assert.All(node.Requests, r => Assert.Equal("s3cret", r.Headers.Authorization!.Parameter));
        Assert.Equal("Bearer", auth.Scheme);
        Assert.Equal("s3cret", auth.Parameter);
    }

    [Fact]
    public async Task NodeHealth_Ready_Exit0()
    {
        var (code, output, _) = await Run(new FakeNode().On("/api/health", HttpStatusCode.OK, ReadyJson), "node", "health", "--token", "t");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("ready:    yes", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeHealth_NotReady_Exit1WithReasons()
    {
        var (code, output, _) = await Run(new FakeNode().On("/api/health", HttpStatusCode.ServiceUnavailable, NotReadyJson), "node", "health", "--token", "t");

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("ready:    no (Leaving,ShuttingDown)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongToken_Exit1WithTheNodesDetail()
    {
        var node = new FakeNode().On("/api/cluster", HttpStatusCode.Unauthorized, """{"error":"unauthorized","detail":"missing or wrong bearer token"}""");

        var (code, _, err) = await Run(node, "cluster", "show", "--token", "wrong");

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Equal("routectl: the node answered 401 Unauthorized: missing or wrong bearer token", err.Trim());
    }

    [Fact]
    public async Task NodeUnreachable_Exit3()
    {
        var (code, _, err) = await Run(new Unreachable(), "cluster", "show", "--token", "t", "--node", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.Contains("cannot reach the node at http://127.0.0.1:1/: ConnectionRefused", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cluster", "shw")]
    [InlineData("cluster")]
    [InlineData("cluster", "show", "--bogus")]
    [InlineData("cluster", "show", "--node", "ftp://x")]
    [InlineData("cluster", "show", "--timeout", "-1")]
    [InlineData("cluster", "show", "extra")]
    public async Task BadCommandLine_Exit2WithOneLine(params string[] args)
    {
        var (code, _, err) = await Run(new FakeNode(), [.. args, "--token", "t"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("routectl: ", err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task NoToken_Exit2NamingTheWaysToGiveOne()
    {
        var stderr = new StringWriter();
        var code = await RoutectlApp.RunAsync(["cluster", "show", "--node", "http://127.0.0.1:9"], new StringWriter(), stderr, NoEnv,
            new FakeNode(), TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("ROUTECTL_TOKEN", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TokenSources_FlagBeatsFileBeatsEnvironment()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "from-file\n");
            Func<string, string?> env = name => name == GlobalOptions.TokenEnvironmentVariable ? "from-env" : null;

            GlobalOptions.TryParse(["--token", "from-flag", "--token-file", file], env, out var flag, out _);
            GlobalOptions.TryParse(["--token-file", file], env, out var fromFile, out _);
            GlobalOptions.TryParse([], env, out var fromEnv, out _);

            Assert.Equal("from-flag", flag.Token);
            Assert.Equal("from-file", fromFile.Token);
            Assert.Equal("from-env", fromEnv.Token);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TokenFile_Missing_UsageErrorNamingTheFile()
    {
        var error = GlobalOptions.TryParse(["--token-file", "/nonexistent/admin.token"], NoEnv, out _, out _);

        Assert.NotNull(error);
        Assert.StartsWith("--token-file: cannot read '/nonexistent/admin.token'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SipGroup_WithoutVerb_UsageErrorWithoutContactingNode()
    {
        var node = new FakeNode();
        var (code, _, _) = await Run(node, "sip");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(node.Requests);
    }

    [Fact]
    public void Help_ListsEveryVerbAndTheExitCodes()
    {
        foreach (var verb in RoutectlApp.Verbs)
        {
            Assert.Contains($"{verb.Group} {verb.Name}", GlobalOptions.Help, StringComparison.Ordinal);
        }

        Assert.Contains("0 ok, 1 failure reported by the node, 2 usage error, 3 node unreachable", GlobalOptions.Help, StringComparison.Ordinal);
    }
}
