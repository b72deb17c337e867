using System.Net;
using System.Net.Http.Headers;

namespace Routing.Node.Tests.EndToEnd;

/// <summary>One Routing.Node process on free loopback ports with its own data folder.</summary>
internal sealed class NodeUnderTest : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public NodeUnderTest(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        SipPort = TestEnvironment.FreePort();
        AdminPort = TestEnvironment.FreePort();
        AkkaPort = TestEnvironment.FreePort();
    }

    public string DataDirectory { get; }

    public int SipPort { get; }

    public int AdminPort { get; }

    public int AkkaPort { get; }

    public string AdminUrl => $"http://127.0.0.1:{AdminPort}";

    public string TokenFile => Path.Combine(DataDirectory, "admin.token");

    public ChildProcess? Process { get; private set; }

    public string[] Arguments =>
    [
        "--sip", $"udp:127.0.0.1:{SipPort}", "--sip", $"tcp:127.0.0.1:{SipPort}",
        "--admin", AdminUrl, "--akka", $"127.0.0.1:{AkkaPort}", "--data", DataDirectory,
    ];

    public ChildProcess Start()
    {
        Process?.Dispose();
        Process = ChildProcess.Start("dotnet", [TestEnvironment.NodeDll, .. Arguments], AppContext.BaseDirectory);
        return Process;
    }

    /// <summary>Polls the readiness endpoint until it says ready; fails with the node's output otherwise.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(40);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(cancellationToken))
        {
            if (Process is { HasExited: true })
            {
                Assert.Fail($"node exited with {Process.ExitCode} before it was ready\n{Process.Stderr}\n{Process.Stdout}");
            }

            if (File.Exists(TokenFile))
            {
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
        }

        Assert.Fail($"node not ready within {TestEnvironment.Scaled(40).TotalSeconds} s\n{Process?.Stdout}");
    }

    public async Task<HttpResponseMessage> GetAsync(string path, CancellationToken cancellationToken, bool withToken = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, AdminUrl + path);
        if (withToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(TokenFile, cancellationToken)).Trim());
        }

        return await _http.SendAsync(request, cancellationToken);
    }

    public void Dispose()
    {
        Process?.Dispose();
        _http.Dispose();
    }
}
