using Akka.Actor;
using Routing.Cluster.Health;
using Routing.Node.Admin;

namespace Routing.Node.Hosting;

/// <summary>Computes liveness and leave-aware readiness from the live ActorSystem and a journal round trip.</summary>
public sealed class NodeHealth
{
    /// <summary>How long the journal may take to answer before the node counts as not ready.</summary>
    public static readonly TimeSpan JournalProbeTimeout = TimeSpan.FromSeconds(3);

    private readonly IServiceProvider _services;

    public NodeHealth(IServiceProvider services) => _services = services;

    public async Task<HealthResponse> CheckAsync(CancellationToken cancellationToken)
    {
        var system = _services.GetService(typeof(ActorSystem)) as ActorSystem;
        if (system is null || system.WhenTerminated.IsCompleted)
        {
            var down = ReadinessEvaluator.Evaluate(new ReadinessInput(null, true, JournalProbeStatus.Failed));
            return new HealthResponse(false, false, Names(down.Reasons), "None", JournalProbeStatus.Failed.ToString(), true);
        }

        var cluster = Akka.Cluster.Cluster.Get(system);
        var shuttingDown = CoordinatedShutdown.Get(system).ShutdownReason is not null;
        var journal = await new JournalProbe(system).ProbeAsync(JournalProbeTimeout, cancellationToken).ConfigureAwait(false);
        var status = cluster.IsTerminated ? (Akka.Cluster.MemberStatus?)Akka.Cluster.MemberStatus.Removed : cluster.SelfMember.Status;
        var report = ReadinessEvaluator.Evaluate(new ReadinessInput(status, shuttingDown, journal));
        return new HealthResponse(true, report.Ready, Names(report.Reasons), status.ToString() ?? "None", journal.ToString(), shuttingDown);
    }

    private static List<string> Names(IReadOnlyList<NotReadyReason> reasons)
    {
        var names = new List<string>(reasons.Count);
        foreach (var r in reasons)
        {
            names.Add(r.ToString());
        }

        return names;
    }
}
