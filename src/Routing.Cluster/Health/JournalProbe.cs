using Akka.Actor;
using Akka.Persistence;

namespace Routing.Cluster.Health;

/// <summary>
/// Asks the default journal for the highest sequence number of a persistence id nobody writes to. That is one real
/// database read, so it tells whether the journal can answer right now, without writing anything.
/// </summary>
public sealed class JournalProbe
{
    private const string ProbePersistenceId = "routing-readiness-probe";

    private readonly ActorSystem _system;

    public JournalProbe(ActorSystem system) => _system = system ?? throw new ArgumentNullException(nameof(system));

    public async Task<JournalProbeStatus> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        IActorRef journal;
        try
        {
            journal = Persistence.Instance.Apply(_system).JournalFor(null);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Akka.Configuration.ConfigurationException)
        {
            return JournalProbeStatus.Failed;
        }

        try
        {
            var reply = await journal.Ask<object>(
                replyTo => new ReplayMessages(1, 0, 0, ProbePersistenceId, replyTo), timeout, cancellationToken).ConfigureAwait(false);
            return reply is RecoverySuccess ? JournalProbeStatus.Answered : JournalProbeStatus.Failed;
        }
        catch (AskTimeoutException)
        {
            return JournalProbeStatus.TimedOut;
        }
        catch (TaskCanceledException)
        {
            return JournalProbeStatus.TimedOut;
        }
    }
}
