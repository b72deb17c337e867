using Akka.Actor;
using Akka.Event;
using Routing.Cluster.Dialogs;

namespace Routing.Cluster.Cdr;

/// <summary>Settings of the <see cref="DialogWaker"/>.</summary>
/// <param name="Interval">Time between two sweeps (how late a lost dialog's cleanup can start at most).</param>
/// <param name="Window">How far back open calls are looked for: the longest a dialog can live (max lifetime plus slack).</param>
public sealed record DialogWakerSettings(TimeSpan Interval, TimeSpan Window)
{
    /// <summary>Open calls woken per sweep at most (newest first).</summary>
    public int Limit { get; init; } = 100_000;
}

/// <summary>
/// Keeps open dialogs running without remember-entities (docs/architecture.md, Decisions): every
/// <see cref="DialogWakerSettings.Interval"/> it reads the calls the CDR table has as not ended and sends each a
/// <see cref="WakeDialog"/> through the <c>dialog</c> region. A running entity ignores it; one whose node was lost
/// (or that was handed off) recovers from the journal and re-arms its RFC 4028 cleanup timer. The cost is per open
/// call per sweep, not per call set up, and no journal write. Run it as a cluster singleton.
/// </summary>
public sealed class DialogWaker : ReceiveActor, IWithTimers
{
    private readonly ICdrStore _store;
    private readonly Func<IActorRef> _region;
    private readonly DialogWakerSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public DialogWaker(ICdrStore store, Func<IActorRef> region, DialogWakerSettings settings, TimeProvider time)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _region = region ?? throw new ArgumentNullException(nameof(region));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ReceiveAsync<Sweep>(_ => SweepAsync());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ICdrStore store, Func<IActorRef> region, DialogWakerSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new DialogWaker(store, region, settings, time));

    protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, _settings.Interval);

    private async Task SweepAsync()
    {
        IReadOnlyList<CdrRecord> open;
        try
        {
            await _store.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            open = await _store.QueryAsync(new CdrQuery(Since: _time.GetUtcNow() - _settings.Window, Limit: _settings.Limit, ActiveOnly: true),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            _log.Warning(e, "Dialog sweep could not read the open calls; next try in {0}", _settings.Interval);
            return;
        }

        var region = _region();
        foreach (var call in open)
        {
            // No sender: the entity does not answer a wake.
            region.Tell(new WakeDialog(call.CallId), ActorRefs.NoSender);
        }
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}
