using System.Globalization;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// A SIPp peer aimed at the cluster's shared signalling address, writing its statistics (-trace_stat, every second) and
/// its scenario's log lines (-trace_logs) to its own folder. Bounded by SIPp's global -timeout and killed on dispose;
/// <see cref="Quit"/> asks for SIPp's soft exit (SIGUSR1: no new calls, the ongoing ones finish).
/// </summary>
internal sealed class ClusterSipp : IDisposable
{
    public const string Domain = "example.com";

    private readonly string _dir;

    private ClusterSipp(ChildProcess process, string dir)
    {
        Process = process;
        _dir = dir;
    }

    public ChildProcess Process { get; }

    /// <summary>The peer's own folder: its logs, statistics and errors.</summary>
    public string Directory => _dir;

    public string LogFile => Path.Combine(_dir, "actions.log");

    public string StatFile => Path.Combine(_dir, "stats.csv");

    public string ErrorFile => Path.Combine(_dir, "errors.log");

    public static ClusterSipp Start(string scenario, int sharedPort, int localPort, double seconds, IEnumerable<string> extra)
    {
        var dir = TestEnvironment.TempDirectory();
        var args = new List<string>
        {
            "-sf", TestEnvironment.Scenario(scenario), "127.0.0.1:" + P(sharedPort), "-i", "127.0.0.1", "-p", P(localPort), "-nostdin",
            "-timeout", P((int)TestEnvironment.Scaled(seconds).TotalSeconds) + "s", "-key", "domain", Domain,
            "-trace_logs", "-log_file", Path.Combine(dir, "actions.log"),
            "-trace_stat", "-stf", Path.Combine(dir, "stats.csv"), "-fd", "1",
            "-trace_err", "-error_file", Path.Combine(dir, "errors.log"), "-max_socket", "1000",
        };
        args.AddRange(extra);
        return new ClusterSipp(ChildProcess.Start("sipp", args, dir), dir);
    }

    public static string P(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The scenario's log lines that start with <paramref name="word"/> (e.g. "up"): call number, then the call's
    /// local port and SIPp's clock in ms when the scenario logs them (0 otherwise).
    /// </summary>
    public Dictionary<int, (int Port, long Tick)> Logged(string word)
    {
        var lines = new Dictionary<int, (int, long)>();
        if (!File.Exists(LogFile))
        {
            return lines;
        }

        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length >= 2 && parts[0] == word && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                var port = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
                var tick = parts.Length > 3 && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
                lines[n] = (port, tick);
            }
        }

        return lines;
    }

    /// <summary>A cumulative counter of SIPp's last statistics row, e.g. SuccessfulCall(C), FailedCall(C).</summary>
    public long Counter(string name)
    {
        if (!File.Exists(StatFile))
        {
            return 0;
        }

        string[] lines;
        using (var stream = new FileStream(StatFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(stream))
        {
            lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        if (lines.Length < 2)
        {
            return 0;
        }

        var header = Array.IndexOf(lines[0].Split(';'), name);
        Assert.True(header >= 0, $"no column {name} in {StatFile}");
        var row = lines[^1].Split(';');
        return header < row.Length && long.TryParse(row[header], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    public string Errors => File.Exists(ErrorFile) ? Tail(File.ReadAllText(ErrorFile), 4000) : string.Empty;

    /// <summary>SIPp's soft exit (SIGUSR1): no new calls; it ends once the calls in progress finish.</summary>
    public void Quit()
    {
        if (Process.HasExited)
        {
            return;
        }

        using var kill = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("kill") { ArgumentList = { "-USR1", P(Process.Id) } })
            ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit(5000);
    }

    public async Task<bool> ExitedAsync(TimeSpan limit, CancellationToken cancellationToken) =>
        await Process.WaitForExitAsync(limit, cancellationToken);

    private static string Tail(string text, int max) => text.Length <= max ? text : text[^max..];

    public void Dispose()
    {
        Process.Dispose();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ROUTING_TEST_LOGS")))
        {
            return; // Kept for a post-mortem.
        }

        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
