using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Transport;

/// <summary>
/// One node with UDP, TCP and TLS (client certificate required) listeners, using certificates made by
/// cluster-config/dev-certs.sh, /metrics open; stopped with SIGTERM after the class.
/// </summary>
public sealed partial class TransportNodeFixture : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string Directory { get; } = TestEnvironment.TempDirectory();

    public string Certs => Path.Combine(Directory, "certs");

    public int SipPort { get; private set; }

    public int TlsPort { get; private set; }

    public int AdminPort { get; private set; }

    internal ChildProcess Node { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cancel = TestContext.Current.CancellationToken;
        using (var certs = ChildProcess.Start("timeout", ["60", "sh", Path.Combine(TestEnvironment.RepoRoot, "cluster-config", "dev-certs.sh"), Certs], Directory))
        {
            Assert.True(await certs.WaitForExitAsync(TestEnvironment.Scaled(60), cancel), "dev-certs.sh did not finish");
            Assert.True(certs.ExitCode == 0, certs.Stderr);
        }

        // A port found free can be taken by another process before the node binds it (the other fixtures start nodes
        // in parallel): the node then exits with one clear line, and it is started again on other ports.
        for (var attempt = 1; ; attempt++)
        {
            SipPort = TestEnvironment.FreePort();
            TlsPort = TestEnvironment.FreePort();
            AdminPort = TestEnvironment.FreePort();
            if (await StartNodeAsync(cancel))
            {
                return;
            }

            Assert.True(attempt < 3, "a port was taken before the node bound it, three times\n" + Node.Stderr);
            Node.Dispose();
        }
    }

    /// <summary>Starts the node; false when it exited because a port was taken meanwhile.</summary>
    private async Task<bool> StartNodeAsync(CancellationToken cancel)
    {
        string P(int port) => port.ToString(CultureInfo.InvariantCulture);
        Node = ChildProcess.Start("dotnet",
        [
            TestEnvironment.NodeDll,
            "--sip", $"udp:127.0.0.1:{P(SipPort)}", "--sip", $"tcp:127.0.0.1:{P(SipPort)}", "--sip", $"tls:127.0.0.1:{P(TlsPort)}",
            "--tls-cert", Path.Combine(Certs, "server.crt"), "--tls-key", Path.Combine(Certs, "server.key"),
            "--tls-client-ca", Path.Combine(Certs, "ca.crt"), "--tls-client-cert", "required",
            "--admin", $"http://127.0.0.1:{P(AdminPort)}", "--metrics-open",
            "--akka", $"127.0.0.1:{P(TestEnvironment.FreePort())}", "--data", Path.Combine(Directory, "data"),
            "--log-level", "warning",
        ], AppContext.BaseDirectory);
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(40);
        while (DateTime.UtcNow < deadline)
        {
            if (Node.HasExited && Node.ExitCode == 1 && Node.Stderr.Contains("already in use", StringComparison.Ordinal))
            {
                return false;
            }

            Assert.False(Node.HasExited, $"node exited with {(Node.HasExited ? Node.ExitCode : 0)}\n{Node.Stderr}\n{Node.Stdout}");
            try
            {
                using var r = await _http.GetAsync($"http://127.0.0.1:{P(AdminPort)}/metrics", cancel);
                if (r.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancel);
        }

        Assert.Fail("node not serving /metrics in time\n" + Node.Stdout);
        return false;
    }

    public async Task<string> MetricsAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{AdminPort.ToString(CultureInfo.InvariantCulture)}/metrics");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await _http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>The value of one series (e.g. <c>sip_transactions_live</c>, or with labels), 0 when absent.</summary>
    public static double Series(string metrics, string series)
    {
        var m = Regex.Match(metrics, "(?m)^" + Regex.Escape(series) + " ([0-9.eE+-]+)$");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The node's resident set size from /proc (kB).</summary>
    public long ResidentKilobytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Node.Id.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Node.HasExited)
        {
            Node.Terminate();
            await Node.WaitForExitAsync(TestEnvironment.Scaled(15), CancellationToken.None);
        }

        Node.Dispose();
        _http.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp folder is cleaned by the OS eventually.
        }
    }
}
