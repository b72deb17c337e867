using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Routing.Node.Admin;

/// <summary>CoordinatedShutdown reason of an operator drain (<c>routectl node drain</c>).</summary>
public sealed class DrainReason : CoordinatedShutdown.Reason
{
    public static readonly DrainReason Instance = new();

    private DrainReason() { }

    /// <summary>A drain is a clean, requested stop.</summary>
    public override int ExitCode => 0;
}

/// <summary>
/// Drains this node: readiness turns false at once (CoordinatedShutdown has a reason from the first instant), the edge
/// takes no new transactions from <c>service-unbind</c> on, the SIP sockets close after <c>service-requests-done</c> so
/// transactions in flight finish and TCP flows end (RFC 5626 §4.2: an outbound client re-registers over another flow),
/// the shard regions hand their shards off, the node leaves the
/// cluster, and the process exits 0. Every step is bounded by its CoordinatedShutdown phase timeout
/// (cluster-config/cluster.conf).
/// </summary>
public sealed partial class NodeDrain
{
    private readonly IServiceProvider _services;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<NodeDrain> _logger;
    private readonly TimeProvider _time;
    private int _started;

    public NodeDrain(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<NodeDrain> logger, TimeProvider time)
    {
        _services = services;
        _lifetime = lifetime;
        _logger = logger;
        _time = time;
    }

    /// <summary>True from the moment a drain was requested.</summary>
    public bool Draining => Volatile.Read(ref _started) == 1;

    /// <summary>True once the drain ran to its end (the node left); the process then exits 0.</summary>
    public bool Completed { get; private set; }

    /// <summary>Starts the drain unless one runs already; returns false when it was already running.</summary>
    public bool Start(string requestedBy)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return false;
        }

        var system = (ActorSystem)_services.GetService(typeof(ActorSystem))!;
        LogDrainStarted(_logger, requestedBy);
        var began = _time.GetTimestamp();
        var run = CoordinatedShutdown.Get(system).Run(DrainReason.Instance);
        _ = FinishAsync(run, began);
        return true;
    }

    private async Task FinishAsync(Task run, long began)
    {
        try
        {
            await run.ConfigureAwait(false);
            Completed = true;
            var seconds = _time.GetElapsedTime(began).TotalSeconds;
            LogDrainFinished(_logger, seconds);
        }
        catch (Exception e) when (e is TaskCanceledException or TimeoutException)
        {
            LogDrainFailed(_logger, e);
        }
        finally
        {
            _lifetime.StopApplication();
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Drain requested by {RequestedBy}: not ready, closing SIP listeners, handing off shards, leaving")]
    private static partial void LogDrainStarted(ILogger logger, string requestedBy);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Drain finished in {Seconds:0.0} s; the node left the cluster and stops")]
    private static partial void LogDrainFinished(ILogger logger, double seconds);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "Drain did not finish cleanly")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
