using Akka.Cluster;

namespace Routing.Cluster.Health;

/// <summary>Why a node reports itself not ready to take traffic.</summary>
public enum NotReadyReason
{
    /// <summary>The node has not joined a cluster yet (no self member, or Joining/WeaklyUp).</summary>
    NotUp,
    /// <summary>The node is leaving the cluster (Leaving/Exiting/Down/Removed): load balancers should drain it.</summary>
    Leaving,
    /// <summary>CoordinatedShutdown has started on this node.</summary>
    ShuttingDown,
    /// <summary>The journal did not answer a read in time, or answered with a failure.</summary>
    JournalUnavailable,
}

/// <summary>Outcome of a journal round trip made for readiness.</summary>
public enum JournalProbeStatus
{
    Answered,
    Failed,
    TimedOut,
}

/// <summary>What readiness is decided from; captured at one instant.</summary>
public sealed record ReadinessInput(MemberStatus? SelfStatus, bool ShuttingDown, JournalProbeStatus Journal);

/// <summary>Readiness verdict with every reason that currently holds (empty when ready).</summary>
public sealed record ReadinessReport(bool Ready, IReadOnlyList<NotReadyReason> Reasons);

/// <summary>
/// Leave-aware readiness. Akka.Hosting's cluster readiness check latches healthy once the node has joined and never
/// flips back during Leaving/Exiting (akka-notes §5), which would keep SIP traffic flowing to a node that is shutting
/// down; this one is ready only while the node is Up, not shutting down, and the journal answers.
/// </summary>
public static class ReadinessEvaluator
{
    public static ReadinessReport Evaluate(ReadinessInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reasons = new List<NotReadyReason>(3);
        switch (input.SelfStatus)
        {
            case MemberStatus.Up:
                break;
            case MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed:
                reasons.Add(NotReadyReason.Leaving);
                break;
            default:
                reasons.Add(NotReadyReason.NotUp);
                break;
        }

        if (input.ShuttingDown)
        {
            reasons.Add(NotReadyReason.ShuttingDown);
        }

        if (input.Journal != JournalProbeStatus.Answered)
        {
            reasons.Add(NotReadyReason.JournalUnavailable);
        }

        return new ReadinessReport(reasons.Count == 0, reasons);
    }
}
