using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Registrar;

/// <summary>
/// A node process with digest authentication for the registrar end-to-end tests: its own ports and data folder, a
/// config that challenges with MD5 only (SIPp 3.6 reads only the first challenge and knows only MD5; baresip 1.0 gives
/// up with ENOSYS when any challenge names SHA-256), a short minimum expiry and a lock-out after three failures per
/// AOR and source.
/// </summary>
public sealed class RegistrarNode : IAsyncLifetime
{
    public const string Domain = "example.test";
    public const int LockoutAttempts = 3;

    // Expect: 100-continue waits as long as the request may take, not HttpClient's default 1 s (a slow node would get
    // the body anyway and could then close the connection under it).
    private readonly HttpClient _http = new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public RegistrarNode()
    {
        DataDirectory = TestEnvironment.TempDirectory();
        SipPort = TestEnvironment.FreePort();
        AdminPort = TestEnvironment.FreePort();
        AkkaPort = TestEnvironment.FreePort();
        ConfigFile = Path.Combine(DataDirectory, "registrar.conf");
        File.WriteAllText(ConfigFile, $$"""
            routing.registrar {
              challenge-algorithms = [MD5]
              min-expires = 5
              lockout-attempts = {{LockoutAttempts}}
              source-lockout-attempts = 1000
              # Every user entity snapshots after its second event, so a restart recovers users from snapshots
              # written through the journal's writer (SqliteSnapshotStore) and the events after them.
              snapshot-every = 2
            }
            """);
    }

    public string DataDirectory { get; }

    /// <summary>More node flags, e.g. <c>--journal postgres --journal-connection ...</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    public string ConfigFile { get; }

    public int SipPort { get; }

    public int AdminPort { get; }

    public int AkkaPort { get; }

    public string AdminUrl => $"http://127.0.0.1:{AdminPort}";

    public string TokenFile => Path.Combine(DataDirectory, "admin.token");

    internal ChildProcess? Process { get; private set; }

    public async ValueTask InitializeAsync() => await StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _http.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A straggling file handle; the temp folder is cleaned by the OS later.
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Process?.Dispose();
        Process = ChildProcess.Start("dotnet",
        [
            TestEnvironment.NodeDll, "--sip", $"udp:127.0.0.1:{SipPort}", "--admin", AdminUrl, "--akka", $"127.0.0.1:{AkkaPort}",
            "--data", DataDirectory, "--auth", "digest", "--domain", Domain, "--config", ConfigFile, .. ExtraArguments,
        ], AppContext.BaseDirectory);
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(40);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(cancellationToken))
        {
            Assert.False(Process.HasExited, $"node exited with {(Process.HasExited ? Process.ExitCode : 0)}\n{Process.Stderr}\n{Process.Stdout}");
            if (!File.Exists(TokenFile))
            {
                continue;
            }

            try
            {
                using var response = await SendAsync(HttpMethod.Get, "/api/health/ready", null, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
        }

        Assert.Fail("registrar node not ready in time\n" + Process.Stdout);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Process is null || Process.HasExited)
        {
            return;
        }

        Process.Terminate();
        Assert.True(await Process.WaitForExitAsync(TestEnvironment.Scaled(30), cancellationToken), "node did not stop on SIGTERM");
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, AdminUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(TokenFile, cancellationToken)).Trim());
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");

            // A large body waits for 100 Continue: a node that refuses it (413) answers before the body is sent, instead
            // of closing the connection while the client still writes it (a broken pipe in place of the answer).
            request.Headers.ExpectContinue = json.Length > 64 * 1024;
        }

        return await _http.SendAsync(request, cancellationToken);
    }

    public async Task ProvisionAsync(string user, string password, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/users",
            JsonSerializer.Serialize(new { aor = $"sip:{user}@{Domain}", password }), cancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>GET /api/users/{aor}; null when the node answers 404.</summary>
    public async Task<JsonDocument?> UserAsync(string user, CancellationToken cancellationToken, string domain = Domain)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/users/" + Uri.EscapeDataString($"sip:{user}@{domain}"), null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body);
    }

    /// <summary>Runs the built routectl against this node.</summary>
    internal Task<ChildProcess> RoutectlAsync(CancellationToken cancellationToken, params string[] args) =>
        RoutectlWithinAsync(TestEnvironment.Scaled(100), cancellationToken, args);

    /// <summary>Runs the built routectl against this node and waits at most <paramref name="limit"/> for it.</summary>
    internal async Task<ChildProcess> RoutectlWithinAsync(TimeSpan limit, CancellationToken cancellationToken, params string[] args)
    {
        var routectl = ChildProcess.Start("dotnet",
            [TestEnvironment.RoutectlDll, "--node", AdminUrl, "--token-file", TokenFile, "--timeout", "120", .. args], AppContext.BaseDirectory);
        Assert.True(await routectl.WaitForExitAsync(limit, cancellationToken), "routectl did not finish");
        return routectl;
    }

    /// <summary>
    /// Runs the register-digest scenario for <paramref name="users"/> from <paramref name="sourceIp"/> and returns SIPp
    /// (exit code 0: every registration ended in a 200 listing its contact).
    /// </summary>
    internal async Task<ChildProcess> SippRegisterAsync(IReadOnlyList<(string User, string Password)> users, string sourceIp, int rate, int expires,
        CancellationToken cancellationToken)
    {
        var dir = TestEnvironment.TempDirectory();
        var inf = Path.Combine(dir, "users.csv");
        var lines = new StringBuilder("SEQUENTIAL\n");
        foreach (var (user, password) in users)
        {
            lines.Append(user).Append(";[authentication username=").Append(user).Append(" password=").Append(password).Append("]\n");
        }

        await File.WriteAllTextAsync(inf, lines.ToString(), cancellationToken);
        var seconds = (int)Math.Ceiling(users.Count / (double)rate) + 30;
        var sipp = ChildProcess.Start("timeout",
        [
            seconds.ToString(CultureInfo.InvariantCulture), "sipp", "-sf", TestEnvironment.Scenario("register-digest.xml"), $"127.0.0.1:{SipPort}",
            "-i", sourceIp, "-p", TestEnvironment.FreePort().ToString(CultureInfo.InvariantCulture), "-inf", inf,
            "-key", "domain", Domain, "-key", "contact", sourceIp + ":5080", "-key", "expires", expires.ToString(CultureInfo.InvariantCulture),
            "-auth_uri", Domain, "-m", users.Count.ToString(CultureInfo.InvariantCulture), "-r", rate.ToString(CultureInfo.InvariantCulture),
            "-l", "2000", "-nostdin", "-timeout", $"{seconds - 5}s", "-timeout_error", "-max_recv_loops", "10000",
        ], dir);
        try
        {
            Assert.True(await sipp.WaitForExitAsync(TimeSpan.FromSeconds(seconds + 10), cancellationToken), "sipp did not finish");
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
}
