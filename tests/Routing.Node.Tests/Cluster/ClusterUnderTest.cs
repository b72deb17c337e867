using System.Net;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>One member started from cluster-config/cluster.conf plus its own node part, on free loopback ports.</summary>
internal sealed class ClusterMember : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public ClusterMember(string name, string root, int sharedSipPort, IReadOnlyList<string> extraArguments)
    {
        ExtraArguments = extraArguments;
        Name = name;
        SharedSipPort = sharedSipPort;
        FlowSecretFile = Path.Combine(root, "flow.secret");
        DataDirectory = Path.Combine(root, name);
        ConfigFile = Path.Combine(root, name + ".conf");
        SipPort = TestEnvironment.FreePort();
        AdminPort = TestEnvironment.FreePort();
        AkkaPort = TestEnvironment.FreePort();
    }

    public string Name { get; }

    public string DataDirectory { get; }

    public string ConfigFile { get; }

    public int SipPort { get; }

    /// <summary>The cluster's shared signalling address (UDP, SO_REUSEPORT), bound by every member.</summary>
    public int SharedSipPort { get; }

    public string FlowSecretFile { get; }

    public int AdminPort { get; }

    public int AkkaPort { get; }

    public string AdminUrl => $"http://127.0.0.1:{AdminPort}";

    public string TokenFile => Path.Combine(DataDirectory, "admin.token");

    public string AkkaHostPort => $"127.0.0.1:{AkkaPort}";

    public string Address => "akka.tcp://routing@" + AkkaHostPort;

    public ChildProcess? Process { get; set; }

    /// <summary>Flags added after the member's own (e.g. --auth none --domain example.com for call tests).</summary>
    public IReadOnlyList<string> ExtraArguments { get; }

    public string[] Arguments =>
    [
        "--config", ConfigFile, "--sip", $"udp:127.0.0.1:{SipPort}", "--sip", $"tcp:127.0.0.1:{SipPort}",
        "--sip", $"udp:127.0.0.1:{SharedSipPort}", "--sip-reuseport", "--flow-secret", FlowSecretFile,
        "--admin", AdminUrl, "--akka", AkkaHostPort, "--data", DataDirectory, .. ExtraArguments,
    ];

    public async Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, AdminUrl + path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            (await File.ReadAllTextAsync(TokenFile, cancellationToken)).Trim());
        return await _http.SendAsync(request, cancellationToken);
    }

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AdminUrl + path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            (await File.ReadAllTextAsync(TokenFile, cancellationToken)).Trim());
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        return await _http.SendAsync(request, cancellationToken);
    }

    /// <summary>Polls readiness until the member says ready; fails with its output otherwise.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var start = TimeProvider.System.GetTimestamp();
        var limit = TestEnvironment.Scaled(60);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (TimeProvider.System.GetElapsedTime(start) < limit && await poll.WaitForNextTickAsync(cancellationToken))
        {
            if (Process is { HasExited: true })
            {
                Assert.Fail($"{Name} exited with {Process.ExitCode} before it was ready\n{Process.Stderr}\n{Process.Stdout}");
            }

            if (!File.Exists(TokenFile))
            {
                continue;
            }

            try
            {
                using var response = await GetAsync("/api/health/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Admin API not listening yet.
            }
        }

        Assert.Fail($"{Name} not ready within {limit.TotalSeconds} s\n{Process?.Stdout}");
    }

    public void Dispose()
    {
        Process?.Dispose();
        _http.Dispose();
    }
}

/// <summary>
/// PostgreSQL and N node processes using the repository's cluster-config/cluster.conf (the same file cluster-up and
/// docker use); ports come from flags so they never clash with other tests, the seeds are the first two members.
/// </summary>
internal sealed class ClusterUnderTest : IAsyncDisposable
{
    private readonly string _dir = TestEnvironment.TempDirectory();
    private ThrowawayPostgres? _postgres;

    public List<ClusterMember> Members { get; } = [];

    /// <summary>The shared UDP signalling port every member binds.</summary>
    public int SharedSipPort { get; } = TestEnvironment.FreePort();

    public ClusterMember this[string name] => Members.Find(m => m.Name == name) ?? throw new ArgumentException("no member " + name);

    /// <summary>
    /// Starts PostgreSQL and <paramref name="nodes"/> members and waits until all are ready and Up.
    /// <paramref name="extraArguments"/> go to every member's command line, <paramref name="extraConfig"/> (HOCON) after
    /// the shared file. Record-Route names the shared address (routing.proxy.signaling-port), as in cluster-config.
    /// </summary>
    public static async Task<ClusterUnderTest> StartAsync(int nodes, CancellationToken cancellationToken, IReadOnlyList<string>? extraArguments = null,
        string extraConfig = "")
    {
        var cluster = new ClusterUnderTest();
        try
        {
            cluster._postgres = await ThrowawayPostgres.StartAsync(cluster._dir, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(cluster._dir, "flow.secret"), Guid.NewGuid().ToString("N"), cancellationToken);
            for (var i = 1; i <= nodes; i++)
            {
                cluster.Members.Add(new ClusterMember("node" + i, cluster._dir, cluster.SharedSipPort, extraArguments ?? []));
            }

            var shared = await File.ReadAllTextAsync(Path.Combine(TestEnvironment.RepoRoot, "cluster-config", "cluster.conf"), cancellationToken);
            foreach (var m in cluster.Members)
            {
                await File.WriteAllTextAsync(m.ConfigFile, shared + $"\nrouting.node.name = {m.Name}\nrouting.proxy.signaling-port = {cluster.SharedSipPort}\n"
                    + extraConfig + "\n", cancellationToken);
                cluster.Start(m);
            }

            foreach (var m in cluster.Members)
            {
                await m.WaitReadyAsync(cancellationToken);
            }

            // Every member's own view, not only the first one's: gossip reaches the others a little later, and a test
            // asking any member must not find a peer still Joining there.
            foreach (var m in cluster.Members)
            {
                await WaitForAsync(m, nodes, 0, TestEnvironment.Scaled(60), cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>(Re)starts <paramref name="member"/> with the same ports and data folder.</summary>
    public void Start(ClusterMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var seeds = Members.Count >= 2 ? new[] { Members[0].AkkaHostPort, Members[1].AkkaHostPort } : [Members[0].AkkaHostPort];
        string[] args =
        [
            TestEnvironment.NodeDll, .. member.Arguments,
            "--journal-connection", _postgres!.ConnectionString, "--seed", seeds[0], .. seeds.Length > 1 ? new[] { "--seed", seeds[1] } : [],
        ];
        if (member.Process is { } old && Environment.GetEnvironmentVariable("ROUTING_TEST_LOGS") is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            File.AppendAllText(Path.Combine(keep, member.Name + ".log"), old.Stdout + old.Stderr);
        }

        member.Process?.Dispose();
        member.Process = ChildProcess.Start("dotnet", args, AppContext.BaseDirectory);
    }

    /// <summary>Runs the built routectl against <paramref name="via"/>'s admin API and waits for it.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RoutectlAsync(ClusterMember via, CancellationToken cancellationToken,
        params string[] words)
    {
        ArgumentNullException.ThrowIfNull(via);
        using var p = StartRoutectl(via, words);
        Assert.True(await p.WaitForExitAsync(TestEnvironment.Scaled(60), cancellationToken), "routectl did not finish\n" + p.Stdout);
        return (p.ExitCode, p.Stdout, p.Stderr);
    }

    public static ChildProcess StartRoutectl(ClusterMember via, params string[] words)
    {
        ArgumentNullException.ThrowIfNull(via);
        return ChildProcess.Start("dotnet", [TestEnvironment.RoutectlDll, "--node", via.AdminUrl, "--token-file", via.TokenFile, .. words],
            AppContext.BaseDirectory);
    }

    /// <summary>The members <paramref name="via"/> sees (address, status) and how many it sees as unreachable.</summary>
    public static async Task<(List<(string Address, string Status)> Members, int Unreachable)> ViewAsync(ClusterMember via, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(via);
        using var response = await via.GetAsync("/api/cluster", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var members = new List<(string, string)>();
        foreach (var m in json.RootElement.GetProperty("members").EnumerateArray())
        {
            members.Add((m.GetProperty("address").GetString()!, m.GetProperty("status").GetString()!));
        }

        return (members, json.RootElement.GetProperty("unreachable").GetArrayLength());
    }

    /// <summary>Waits until <paramref name="via"/> sees exactly <paramref name="up"/> members, all Up, and that many unreachable.</summary>
    public static async Task<TimeSpan> WaitForAsync(ClusterMember via, int up, int unreachable, TimeSpan limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(via);
        var start = TimeProvider.System.GetTimestamp();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var last = string.Empty;
        while (TimeProvider.System.GetElapsedTime(start) < limit && await poll.WaitForNextTickAsync(ct))
        {
            var (members, u) = await ViewAsync(via, ct);
            if (members.Count == up && members.TrueForAll(m => m.Status == "Up") && u == unreachable)
            {
                return TimeProvider.System.GetElapsedTime(start);
            }

            last = string.Join(", ", members.ConvertAll(m => m.Address + "=" + m.Status)) + $"; unreachable {u}";
        }

        Assert.Fail($"{via.Name} did not see {up} members Up within {limit.TotalSeconds:0} s; last: {last}");
        return limit;
    }

    public async ValueTask DisposeAsync()
    {
        // ROUTING_TEST_LOGS=DIR keeps each member's last output there (for a failed run's post-mortem).
        var keep = Environment.GetEnvironmentVariable("ROUTING_TEST_LOGS");
        foreach (var m in Members)
        {
            if (!string.IsNullOrEmpty(keep) && m.Process is { } p)
            {
                Directory.CreateDirectory(keep);
                await File.AppendAllTextAsync(Path.Combine(keep, m.Name + ".log"), p.Stdout + p.Stderr);
            }

            m.Dispose();
        }

        _postgres?.Dispose();
        await Task.Yield();
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
