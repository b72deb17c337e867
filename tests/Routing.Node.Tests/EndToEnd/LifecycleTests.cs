using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Routing.Node.Tests.EndToEnd;

/// <summary>Start, stop, restart and refuse-to-start behaviour of the node process.</summary>
[Collection(ProcessCollection.Name)]
public sealed class LifecycleTests : IDisposable
{
    private readonly string _dir = TestEnvironment.TempDirectory();

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

    private static async Task<long> StartCountAsync(NodeUnderTest node)
    {
        using var response = await node.GetAsync("/api/node", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.GetProperty("starts").GetInt64();
    }

    private static async Task<long> WaitStartCountAsync(NodeUnderTest node, long expected)
    {
        // The start is persisted right after the node joins; readiness can come a moment before it.
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(20);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        long count;
        do
        {
            count = await StartCountAsync(node);
        }
        while (count < expected && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken));

        return count;
    }

    [Fact]
    public async Task Sigterm_StopsWithExitCode0WithinTenSeconds_AndSecondStartFindsTheJournalIntact()
    {
        using var node = new NodeUnderTest(Path.Combine(_dir, "data"));
        var first = node.Start();
        await node.WaitReadyAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, await WaitStartCountAsync(node, 1));

        var clock = Stopwatch.StartNew();
        first.Terminate();
        var exited = await first.WaitForExitAsync(TestEnvironment.Scaled(10), TestContext.Current.CancellationToken);
        clock.Stop();

        Assert.True(exited, $"still running {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM\n{first.Stdout}");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("coordinated shutdown", first.Stdout, StringComparison.OrdinalIgnoreCase);

        var second = node.Start();
        await node.WaitReadyAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, await WaitStartCountAsync(node, 2));
        second.Terminate();
        Assert.True(await second.WaitForExitAsync(TestEnvironment.Scaled(10), TestContext.Current.CancellationToken));
        Assert.Equal(0, second.ExitCode);
    }

    private async Task<ChildProcess> RunNodeToExitAsync(params string[] args)
    {
        var p = ChildProcess.Start("dotnet", [TestEnvironment.NodeDll, .. args], _dir);
        Assert.True(await p.WaitForExitAsync(TestEnvironment.Scaled(30), TestContext.Current.CancellationToken), "node did not exit\n" + p.Stdout);
        return p;
    }

    private static void AssertOneLine(ChildProcess p, params string[] fragments)
    {
        var lines = p.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("routing-node: ", line, StringComparison.Ordinal);
        foreach (var f in fragments)
        {
            Assert.Contains(f, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", p.Stdout + p.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--sip", "sctp:127.0.0.1:5060" }, "--sip", "udp:IP:PORT or tcp:IP:PORT")]
    [InlineData(new[] { "--sip", "udp:127.0.0.1:99999" }, "--sip", "port 1-65535")]
    [InlineData(new[] { "--roles", "edge,billing" }, "--roles", "edge, routing, media")]
    [InlineData(new[] { "--journal", "mysql" }, "--journal", "sqlite or postgres")]
    [InlineData(new[] { "--journal", "postgres" }, "--journal-connection", "required")]
    [InlineData(new[] { "--journal", "postgres", "--journal-connection", "Host=db;Frobnicate=1" }, "--journal-connection", "not a usable Npgsql connection string")]
    [InlineData(new[] { "--frobnicate" }, "--frobnicate", "unknown flag")]
    [InlineData(new[] { "--admin" }, "--admin", "needs a value")]
    [InlineData(new[] { "--auth", "basic" }, "--auth", "digest or none")]
    public async Task BadFlag_OneClearLineAndExitCode2(string[] args, string setting, string accepted)
    {
        using var p = await RunNodeToExitAsync(args);

        Assert.Equal(2, p.ExitCode);
        AssertOneLine(p, setting, accepted);
    }

    [Theory]
    [InlineData("routing.registrar.max-in-flight = 0", "routing.registrar.max-in-flight", "positive")]
    [InlineData("routing.registrar.timeout = soon", "routing.registrar", "soon")]
    [InlineData("routing.proxy.max-calls-setting-up = many", "routing.proxy", "many")]
    [InlineData("routing.registrar.refresh-persistance = coalesce", "routing.registrar.refresh-persistance", "unknown key")]
    [InlineData("routing.node.journal.sqlite-sync = normal", "routing.node.journal.sqlite-sync", "unknown key")]
    public async Task BadOrUnknownRoutingSetting_OneClearLineAndExitCode2(string line, string setting, string value)
    {
        var node = new NodeUnderTest(Path.Combine(_dir, "data"));
        var config = Path.Combine(_dir, "bad.conf");
        await File.WriteAllTextAsync(config, line + "\n", TestContext.Current.CancellationToken);

        using var p = await RunNodeToExitAsync("--config", config, "--sip", $"udp:127.0.0.1:{node.SipPort}", "--admin", node.AdminUrl,
            "--akka", $"127.0.0.1:{node.AkkaPort}", "--data", node.DataDirectory);

        Assert.Equal(2, p.ExitCode);
        AssertOneLine(p, setting, value);
    }

    [Fact]
    public async Task SipUdpPortInUse_OneClearLineAndExitCode1()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var node = new NodeUnderTest(Path.Combine(_dir, "data"));

        using var p = await RunNodeToExitAsync("--sip", $"udp:127.0.0.1:{port}", "--admin", node.AdminUrl, "--akka", $"127.0.0.1:{node.AkkaPort}",
            "--data", node.DataDirectory);

        Assert.Equal(1, p.ExitCode);
        AssertOneLine(p, "--sip", $"udp:127.0.0.1:{port} is already in use");
    }

    [Fact]
    public async Task SipTcpPortInUse_OneClearLineAndExitCode1()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var node = new NodeUnderTest(Path.Combine(_dir, "data"));

        using var p = await RunNodeToExitAsync("--sip", $"tcp:127.0.0.1:{port}", "--admin", node.AdminUrl, "--akka", $"127.0.0.1:{node.AkkaPort}",
            "--data", node.DataDirectory);

        Assert.Equal(1, p.ExitCode);
        AssertOneLine(p, "--sip", $"tcp:127.0.0.1:{port} is already in use");
    }

    [Fact]
    public async Task AdminPortInUse_OneClearLineAndExitCode1()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var node = new NodeUnderTest(Path.Combine(_dir, "data"));

        using var p = await RunNodeToExitAsync("--sip", $"udp:127.0.0.1:{node.SipPort}", "--admin", $"http://127.0.0.1:{port}",
            "--akka", $"127.0.0.1:{node.AkkaPort}", "--data", node.DataDirectory);

        Assert.Equal(1, p.ExitCode);
        AssertOneLine(p, "--admin", "is already in use");
    }

    [Fact]
    public async Task DataFolderNotWritable_OneClearLineAndExitCode1()
    {
        // A path below a regular file can never be created, even by root.
        var file = Path.Combine(_dir, "a-file");
        await File.WriteAllTextAsync(file, "x", TestContext.Current.CancellationToken);
        var node = new NodeUnderTest(Path.Combine(file, "data"));

        using var p = await RunNodeToExitAsync([.. node.Arguments]);

        Assert.Equal(1, p.ExitCode);
        AssertOneLine(p, "--data", "is not writable");
    }
}
