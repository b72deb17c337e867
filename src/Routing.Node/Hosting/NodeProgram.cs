using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Routing.Node.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace Routing.Node.Hosting;

/// <summary>
/// Entry point logic: settings, preflight, host, run until SIGTERM/Ctrl-C. Operator mistakes end in one stderr line
/// and exit code 2, start failures in one line and exit code 1, a clean stop in 0.
/// </summary>
public static class NodeProgram
{
    public const int ExitOk = 0;
    public const int ExitStartFailed = 1;
    public const int ExitUsage = 2;

    private const string Prefix = "routing-node: ";

    /// <summary>
    /// The process exit code once the host stopped: 0 for a clean stop, a drain (<c>routectl node drain</c>) or a
    /// requested leave (<c>routectl cluster leave</c>: the member left, was removed and its ActorSystem ended); 1 when
    /// the member was downed, could not join, or the host reported a failure.
    /// </summary>
    internal static int ExitCodeFor(int hostExitCode, Akka.Actor.CoordinatedShutdown.Reason? reason) => reason switch
    {
        Admin.DrainReason or Akka.Actor.CoordinatedShutdown.ClusterLeavingReason => ExitOk,
        _ => hostExitCode == 0 ? ExitOk : ExitStartFailed,
    };

    private static Akka.Actor.CoordinatedShutdown.Reason? ShutdownReasonOf(WebApplication app) =>
        app.Services.GetService(typeof(Akka.Actor.ActorSystem)) is Akka.Actor.ActorSystem system
            ? Akka.Actor.CoordinatedShutdown.Get(system).ShutdownReason
            : null;

    /// <summary>The outermost configuration error in an exception's chain (it names the setting; its causes may not).</summary>
    internal static Akka.Configuration.ConfigurationException? ConfigurationError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Akka.Configuration.ConfigurationException config)
            {
                return config;
            }
        }

        return null;
    }

    private static void ReportScheduling((int Changed, string? Failure) result, string when)
    {
        if (result.Failure is not null)
        {
            // Not fatal: the node runs as well under SCHED_OTHER, only with more context switches.
            Log.Warning("CPU scheduling: SCHED_BATCH not set on every thread {When} ({Failure}); set cpu-scheduling = normal to skip it",
                when, result.Failure);
        }
        else
        {
            Log.Debug("CPU scheduling: SCHED_BATCH set on {Threads} threads {When}", result.Changed, when);
        }
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var parsed = NodeCommandLine.Parse(args, Environment.GetEnvironmentVariable);
        switch (parsed.Command)
        {
            case NodeCommand.Help:
                await stdout.WriteLineAsync(NodeCommandLine.Usage);
                return ExitOk;
            case NodeCommand.Version:
                await stdout.WriteLineAsync(NodePreflight.VersionOf(typeof(NodeProgram).Assembly));
                return ExitOk;
        }

        if (parsed.Error is not null || parsed.Options is null)
        {
            await stderr.WriteLineAsync(Prefix + parsed.Error);
            return ExitUsage;
        }

        var options = parsed.Options;
        Log.Logger = CreateLogger(options.Logging);
        var batch = options.CpuScheduling == CpuSchedulingPolicy.Batch && OperatingSystem.IsLinux();
        if (batch)
        {
            ReportScheduling(CpuScheduling.ApplyBatchToAllThreads(), "at start");
        }

        WebApplication? app = null;
        try
        {
            var identity = NodePreflight.PrepareDataFolder(options, NodePreflight.VersionOf(typeof(NodeProgram).Assembly));
            var journalConnection = options.Storage.Journal == JournalProvider.Sqlite
                ? NodePreflight.PrepareSqliteJournal(identity, options.Storage)
                : Routing.Cluster.Journal.PostgresDataSources.WithPoolBound(options.Storage.JournalConnection);
            NodePreflight.ProbeTcpPort("--admin", options.Admin.Url, options.Admin.EndPoint);
            if (IPAddress.TryParse(options.Membership.AkkaHost, out var akkaAddress))
            {
                NodePreflight.ProbeTcpPort("--akka", $"{options.Membership.AkkaHost}:{options.Membership.AkkaPort}",
                    new IPEndPoint(akkaAddress, options.Membership.AkkaPort));
            }

            using var loggerFactory = new SerilogLoggerFactory(Log.Logger);
            var sip = await NodePreflight.BindSipAsync(options.Sip, loggerFactory);
            try
            {
                app = NodeHost.Build(options, identity, journalConnection, sip);
            }
            catch
            {
                await sip.DisposeAsync();
                throw;
            }

            try
            {
                await app.StartAsync();
            }
            catch (IOException e) when (e.InnerException is SocketException se || e.GetBaseException() is SocketException)
            {
                var socketError = e.InnerException as SocketException ?? (SocketException)e.GetBaseException();
                throw NodePreflight.SocketFailure("--admin", options.Admin.Url, socketError);
            }

            if (batch)
            {
                ReportScheduling(CpuScheduling.ApplyBatchToAllThreads(), "once started");
            }

            Log.Information("Node {NodeId} {Version} started: admin {AdminUrl}, SIP {Sip}, data {DataDirectory}, admin token in {TokenFile}",
                identity.NodeId, identity.Version, options.Admin.Url, string.Join(", ", options.Sip.Listen), identity.DataDirectory,
                identity.AdminTokenFile ?? "(configured)");
            await app.WaitForShutdownAsync();
            // Akka.Hosting sets -1 whenever the ActorSystem ended before the host asked it to, a requested leave
            // included; only a member that was downed (or could not join) failed.
            return ExitCodeFor(Environment.ExitCode, ShutdownReasonOf(app));
        }
        catch (StartupFailureException e)
        {
            await StopQuietlyAsync(app);
            await stderr.WriteLineAsync(Prefix + e.Failure);
            return ExitStartFailed;
        }
        catch (Exception e) when (ConfigurationError(e) is { } config)
        {
            // A section read while the host is built (routing.registrar, routing.proxy, akka) refused a value: an
            // operator mistake like a bad flag, so the same one line and exit code 2, not a start failure.
            await StopQuietlyAsync(app);
            await stderr.WriteLineAsync(Prefix + OneLine(config.Message));
            return ExitUsage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.Debug(e, "Start failed");
            await StopQuietlyAsync(app);
            await stderr.WriteLineAsync(Prefix + "start failed: " + OneLine(e.GetBaseException().Message));
            return ExitStartFailed;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            await Log.CloseAndFlushAsync();
        }
    }

    private static async Task StopQuietlyAsync(WebApplication? app)
    {
        if (app is null)
        {
            return;
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await app.StopAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            Log.Debug(e, "Stopping after a failed start did not finish cleanly");
        }
    }

    private static string OneLine(string message)
    {
        var nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }

    internal static Serilog.ILogger CreateLogger(LoggingOptions logging)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(logging.Level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.With<SourceEnricher>();
        return (logging.Format == LogFormat.Json
                ? config.WriteTo.Console(new CompactJsonFormatter())
                : config.WriteTo.Console(outputTemplate:
                    "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Source}: {Message:lj}{NewLine}{Exception}"))
            .CreateLogger();
    }
}
