using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Routing.Node.Tests.EndToEnd;

/// <summary>Paths of the built binaries, free loopback ports and the CI time factor.</summary>
internal static class TestEnvironment
{
    /// <summary>ROUTING_TEST_TIMEFACTOR (default 1; CI sets 3) scales every wait.</summary>
    public static double TimeFactor =>
        double.TryParse(Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR"), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 1;

    public static TimeSpan Scaled(double seconds) => TimeSpan.FromSeconds(seconds * TimeFactor);

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Routing.Cluster.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Routing.Cluster.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Release or Debug: whatever this test assembly was built as, so the node and routectl match it.</summary>
    public static string Configuration =>
        typeof(TestEnvironment).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string NodeDll => Built("Routing.Node", "Routing.Node.dll");

    public static string RoutectlDll => Built("Routing.Cli", "routectl.dll");

    public static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "Scenarios", name);

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(RepoRoot, "src", project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} is not built; build the solution first", path);
    }

    /// <summary>A loopback port free for both TCP and UDP right now.</summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP by someone else; try another.
            }
        }

        throw new InvalidOperationException("no free loopback port found");
    }

    /// <summary>
    /// A port for baresip's <c>sip_listen</c>: free for TCP and UDP, with the next port free for TCP as well (baresip
    /// 1.0 binds SIP over TLS on the listen port + 1, and fails to start when another socket holds it).
    /// </summary>
    public static int FreeBaresipPort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = FreePort();
            using var tls = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tls.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException)
            {
                // The TLS port is taken; try another pair.
            }
        }

        throw new InvalidOperationException("no free loopback port pair found");
    }

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "routing-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
