using System.Net;
using System.Text.Json;

namespace Routing.Node.Tests.EndToEnd;

/// <summary>
/// A real node process driven by real peers: SIPp (a third-party SIP implementation) and the built routectl.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RunningNodeTests : IClassFixture<RunningNodeFixture>
{
    private readonly RunningNodeFixture _fixture;

    public RunningNodeTests(RunningNodeFixture fixture) => _fixture = fixture;

    private NodeUnderTest Node => _fixture.Node;

    private async Task<ChildProcess> RunSippAsync(string transport)
    {
        var dir = TestEnvironment.TempDirectory();
        var args = new List<string>
        {
            "30", "sipp", "-sf", TestEnvironment.Scenario("options.xml"), $"127.0.0.1:{Node.SipPort}",
            "-i", "127.0.0.1", "-p", TestEnvironment.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-m", "1", "-nostdin", "-timeout", $"{(int)TestEnvironment.Scaled(10).TotalSeconds}s", "-timeout_error",
            "-t", transport,
        };
        var sipp = ChildProcess.Start("timeout", args, dir);
        try
        {
            Assert.True(await sipp.WaitForExitAsync(TestEnvironment.Scaled(35), TestContext.Current.CancellationToken), "sipp did not finish");
            return sipp;
        }
        finally
        {
            if (sipp.HasExited)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Rfc3261_11_SippOptionsOverUdp_200Ok()
    {
        using var sipp = await RunSippAsync("u1");

        Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
    }

    [Fact]
    public async Task Rfc3261_11_SippOptionsOverTcp_200Ok()
    {
        using var sipp = await RunSippAsync("t1");

        Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
    }

    [Fact]
    public async Task Metrics_AfterSippOptions_CountRequestsAndResponsesByMethodAndStatus()
    {
        using var sipp = await RunSippAsync("u1");
        Assert.Equal(0, sipp.ExitCode);

        using var response = await Node.GetAsync("/metrics", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        Assert.Matches("(?m)^sip_requests_received_total\\{method=\"OPTIONS\"\\} [1-9][0-9]*$", text);
        Assert.Matches("(?m)^sip_responses_sent_total\\{method=\"OPTIONS\",status=\"200\"\\} [1-9][0-9]*$", text);
        Assert.Matches("(?m)^process_resident_memory_bytes [0-9.eE+]+$", text);
        Assert.Matches("(?m)^dotnet_gc_collections_total\\{", text);
    }

    [Fact]
    public async Task RoutectlClusterShowJson_ListsTheNodeUpWithItsThreeRoles()
    {
        using var routectl = ChildProcess.Start("dotnet",
            [TestEnvironment.RoutectlDll, "cluster", "show", "--json", "--node", Node.AdminUrl, "--token-file", Node.TokenFile],
            AppContext.BaseDirectory);
        Assert.True(await routectl.WaitForExitAsync(TestEnvironment.Scaled(30), TestContext.Current.CancellationToken));

        Assert.True(routectl.ExitCode == 0, routectl.Stderr);
        using var json = JsonDocument.Parse(routectl.Stdout);
        var self = json.RootElement.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("self").GetBoolean());
        Assert.Equal("Up", self.GetProperty("status").GetString());
        Assert.Equal(["edge", "media", "routing"], self.GetProperty("roles").EnumerateArray().Select(r => r.GetString() ?? string.Empty).ToArray());
        Assert.Equal($"akka.tcp://routing@127.0.0.1:{Node.AkkaPort}", self.GetProperty("address").GetString());
    }

    [Fact]
    public async Task RoutectlNodeHealth_ReadyNode_Exit0()
    {
        using var routectl = ChildProcess.Start("dotnet",
            [TestEnvironment.RoutectlDll, "node", "health", "--node", Node.AdminUrl, "--token-file", Node.TokenFile],
            AppContext.BaseDirectory);
        Assert.True(await routectl.WaitForExitAsync(TestEnvironment.Scaled(30), TestContext.Current.CancellationToken));

        Assert.True(routectl.ExitCode == 0, routectl.Stdout + routectl.Stderr);
        Assert.Contains("ready:    yes", routectl.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/cluster")]
    [InlineData("/api/health")]
    [InlineData("/api/node")]
    [InlineData("/metrics")]
    public async Task AdminApi_WithoutToken_401(string path)
    {
        using var response = await Node.GetAsync(path, TestContext.Current.CancellationToken, withToken: false);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void CpuScheduling_Default_EveryThreadOfTheNodeRunsUnderSchedBatch()
    {
        // /proc/PID/task/TID/stat: field 41 is the scheduling policy (SCHED_OTHER 0, SCHED_BATCH 3), counted after the
        // command name in parentheses, which may itself hold spaces.
        var policies = new Dictionary<string, int>();
        foreach (var task in Directory.GetDirectories($"/proc/{Node.Process!.Id}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            var close = stat.LastIndexOf(')');
            var name = stat[(stat.IndexOf('(') + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            policies[$"{name} ({Path.GetFileName(task)})"] = int.Parse(fields[41 - 3], System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.True(policies.Count > 10, $"only {policies.Count} threads seen");
        Assert.All(policies, p => Assert.True(p.Value == 3, $"thread {p.Key} runs policy {p.Value}, not SCHED_BATCH (3)"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void AdminToken_CreatedAtFirstStart_OwnerReadWriteOnly()
    {
        var mode = File.GetUnixFileMode(Node.TokenFile);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.True(File.ReadAllText(Node.TokenFile).Trim().Length >= 40);
    }
}
