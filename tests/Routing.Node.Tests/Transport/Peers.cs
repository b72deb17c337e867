using System.Globalization;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Transport;

/// <summary>Runs SIPp and stunnel as bounded child processes in their own temp folders.</summary>
internal static class Peers
{
    public static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs sipp to completion (bounded by <paramref name="seconds"/>, scaled) and returns it exited.</summary>
    public static async Task<ChildProcess> SippAsync(string scenario, int port, string transport, int calls, int rate, double seconds,
        params string[] extra)
    {
        var dir = TestEnvironment.TempDirectory();
        var limit = (int)TestEnvironment.Scaled(seconds).TotalSeconds;
        var args = new List<string>
        {
            P(limit + 5), "sipp", "-sf", TestEnvironment.Scenario(scenario), $"127.0.0.1:{P(port)}",
            "-i", "127.0.0.1", "-p", P(TestEnvironment.FreePort()), "-t", transport,
            "-m", P(calls), "-r", P(rate), "-nostdin", "-timeout", $"{P(limit)}s", "-timeout_error",
        };
        args.AddRange(extra);
        var sipp = ChildProcess.Start("timeout", args, dir);
        var finished = await sipp.WaitForExitAsync(TestEnvironment.Scaled(seconds + 10), TestContext.Current.CancellationToken);
        if (finished)
        {
            Directory.Delete(dir, recursive: true);
        }

        Assert.True(finished, "sipp did not finish");
        return sipp;
    }

    /// <summary>
    /// Starts stunnel as a TLS client: plain TCP on a local port, TLS to the node, with the given client certificate
    /// (or none). Returns the process and the local port SIPp talks to.
    /// </summary>
    public static async Task<(ChildProcess Stunnel, int Port)> StunnelAsync(string directory, int tlsPort, string certs, string? clientName)
    {
        var port = TestEnvironment.FreePort();
        var conf = Path.Combine(directory, $"stunnel-{clientName ?? "nocert"}.conf");
        var certLines = clientName is null
            ? string.Empty
            : $"cert = {Path.Combine(certs, clientName + ".crt")}\nkey = {Path.Combine(certs, clientName + ".key")}\n";
        await File.WriteAllTextAsync(conf, $"""
            foreground = yes
            pid =
            [sip-tls]
            client = yes
            accept = 127.0.0.1:{P(port)}
            connect = 127.0.0.1:{P(tlsPort)}
            {certLines}CAfile = {Path.Combine(certs, "ca.crt")}
            verifyChain = yes
            checkIP = 127.0.0.1

            """, TestContext.Current.CancellationToken);
        var stunnel = ChildProcess.Start("timeout", [P((int)TestEnvironment.Scaled(60).TotalSeconds), "stunnel", conf], directory);
        // stunnel binds its accept port at start; wait until it does so sipp does not race it.
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(10);
        while (DateTime.UtcNow < deadline)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                return (stunnel, port);
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Fail("stunnel did not listen\n" + stunnel.Stderr + stunnel.Stdout);
        return default;
    }
}
