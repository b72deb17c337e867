using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Proxy;

/// <summary>
/// A node for the proxy end-to-end tests: auth none, domain example.com, a 2 s fork-group timeout and user hiding off
/// (so an unknown user is 404). SIPp peers run as bounded child processes on loopback ports.
/// </summary>
internal sealed class ProxyNode : IDisposable
{
    public const string Domain = "example.com";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string _config;
    private readonly string _auth;

    public ProxyNode(string auth = "none", string extraConfig = "")
    {
        _auth = auth;
        DataDirectory = TestEnvironment.TempDirectory();
        SipPort = TestEnvironment.FreePort();
        AdminPort = TestEnvironment.FreePort();
        AkkaPort = TestEnvironment.FreePort();
        _config = Path.Combine(DataDirectory, "node.conf");
        File.WriteAllText(_config, """
            routing.proxy.fork-group-timeout = 2s
            routing.registrar.hide-unknown-users = false
            """ + "\n" + extraConfig);
    }

    public string DataDirectory { get; }

    public int SipPort { get; }

    public int AdminPort { get; }

    public int AkkaPort { get; }

    public ChildProcess? Process { get; private set; }

    public static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    public void Start()
    {
        Process?.Dispose();
        Process = ChildProcess.Start("dotnet",
        [
            TestEnvironment.NodeDll, "--sip", $"udp:127.0.0.1:{P(SipPort)}", "--admin", $"http://127.0.0.1:{P(AdminPort)}",
            "--akka", $"127.0.0.1:{P(AkkaPort)}", "--data", DataDirectory, "--auth", _auth, "--domain", Domain, "--config", _config,
        ], AppContext.BaseDirectory);
    }

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(40);
        while (DateTime.UtcNow < deadline)
        {
            if (Process is { HasExited: true })
            {
                Assert.Fail($"node exited with {Process.ExitCode}\n{Process.Stderr}\n{Process.Stdout}");
            }

            try
            {
                using var response = await SendAsync(HttpMethod.Get, "/api/health/ready", null);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                // Not listening yet, or no token file yet.
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Fail("node not ready\n" + Process?.Stdout);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json)
    {
        var token = await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin.token"), TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{P(AdminPort)}{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Waits until the CDR of <paramref name="callId"/> satisfies <paramref name="done"/> and returns it.</summary>
    public async Task<JsonElement> CdrAsync(string callId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(15);
        var last = "none";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await SendAsync(HttpMethod.Get, "/api/cdr?limit=1000", null);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            using var doc = JsonDocument.Parse(body);
            foreach (var row in doc.RootElement.EnumerateArray())
            {
                if (row.GetProperty("callId").GetString() == callId)
                {
                    last = row.ToString();
                    if (done(row))
                    {
                        return row.Clone();
                    }
                }
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"no finished CDR for {callId}; last seen: {last}");
        return default;
    }

    public static bool Ended(JsonElement row) => row.GetProperty("endTime").ValueKind == JsonValueKind.String;

    /// <summary>Starts a SIPp peer on its own port (bounded by timeout), tracing the messages it sees.</summary>
    public Sipp Sipp(string scenario, int port, IEnumerable<string> extra, double seconds = 30)
    {
        var dir = TestEnvironment.TempDirectory();
        var limit = (int)TestEnvironment.Scaled(seconds).TotalSeconds;
        var trace = Path.Combine(dir, "messages.log");
        var args = new List<string>
        {
            P(limit + 5), "sipp", "-sf", TestEnvironment.Scenario(scenario), $"127.0.0.1:{P(SipPort)}", "-i", "127.0.0.1", "-p", P(port),
            "-m", "1", "-nostdin", "-timeout", $"{P(limit)}s", "-timeout_error", "-trace_msg", "-message_file", trace,
            "-key", "domain", Domain,
        };
        args.AddRange(extra);
        return new Sipp(ChildProcess.Start("timeout", args, dir), dir, trace);
    }

    public void Dispose()
    {
        Process?.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A straggling file handle; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>A running SIPp peer and the messages it traced.</summary>
internal sealed class Sipp(ChildProcess process, string directory, string trace) : IDisposable
{
    public ChildProcess Process => process;

    public string Messages => File.Exists(trace) ? File.ReadAllText(trace) : string.Empty;

    /// <summary>Waits for SIPp to end and asserts it counted the call as successful (exit 0).</summary>
    public async Task SucceedsAsync(double seconds = 40)
    {
        var finished = await process.WaitForExitAsync(TestEnvironment.Scaled(seconds), TestContext.Current.CancellationToken);
        Assert.True(finished, "sipp did not finish\n" + Messages);
        Assert.True(process.ExitCode == 0, $"sipp exit {process.ExitCode}\n{process.Stdout}\n{process.Stderr}\n{Messages}");
    }

    public void Dispose()
    {
        process.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
