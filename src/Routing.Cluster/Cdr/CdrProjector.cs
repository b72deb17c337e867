using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Routing.Cluster.Dialogs;

namespace Routing.Cluster.Cdr;

/// <summary>Settings of the CDR projection.</summary>
/// <param name="ReadJournalPluginId">The query plugin of the journal the dialogs write to (e.g. <c>akka.persistence.query.journal.sql</c>).</param>
public sealed record CdrProjectionSettings(string ReadJournalPluginId)
{
    public int BatchSize { get; init; } = 200;

    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The CDR projection: reads dialog events by tag from the journal, live, from the stored offset, and folds them into
/// the <c>cdr</c> table in batches (rows and offset in one transaction). It must be the only writer: run it as a
/// cluster singleton. A failed batch restarts the stream from the stored offset after a backoff.
/// </summary>
public sealed class CdrProjector : ReceiveActor, IWithTimers
{
    private readonly ICdrStore _store;
    private readonly CdrProjectionSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private UniqueKillSwitch? _kill;

    public CdrProjector(ICdrStore store, CdrProjectionSettings settings)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        // No ConfigureAwait(false) in this actor's async handler: the continuation must run on the actor's own task
        // scheduler, where Context (Self, System, Timers) exists (with ConfigureAwait(false) a store that really awaits,
        // PostgreSQL, lost the context and the projection started only after the actor restarted).
        ReceiveAsync<Start>(_ => StartAsync());
        Receive<Status.Failure>(f =>
        {
            _log.Warning(f.Cause, "CDR projection could not start; retrying");
            Timers.StartSingleTimer("start", Start.Instance, _settings.MinBackoff);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ICdrStore store, CdrProjectionSettings settings) => Akka.Actor.Props.Create(() => new CdrProjector(store, settings));

    protected override void PreStart() => Self.Tell(Start.Instance);

    protected override void PostStop() => _kill?.Shutdown();

    private async Task StartAsync()
    {
        try
        {
            await _store.InitializeAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            Self.Tell(new Status.Failure(e));
            return;
        }

        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<IEventsByTagQuery>(_settings.ReadJournalPluginId);
        var store = _store;
        var settings = _settings;

        // Each restart reads the stored offset again, so a failed batch is replayed from where the table left off.
        var source = RestartSource.OnFailuresWithBackoff(
            () => Source.FromTask(store.LoadOffsetAsync(CancellationToken.None))
                .ConcatMany(offset => journal.EventsByTag(DialogEntity.Tag, Offset.Sequence(offset)))
                .Select(ToInput)
                .Where(i => i is not null)
                .GroupedWithin(settings.BatchSize, settings.BatchWindow)
                .SelectAsync(1, async batch =>
                {
                    var list = new List<CdrInput>();
                    foreach (var i in batch)
                    {
                        list.Add(i!);
                    }

                    await store.ApplyAsync(list, CancellationToken.None).ConfigureAwait(false);
                    return list.Count;
                }),
            RestartSettings.Create(settings.MinBackoff, settings.MaxBackoff, 0.2));
        _kill = source
            .ViaMaterialized(KillSwitches.Single<int>(), Keep.Right)
            .To(Sink.Ignore<int>())
            .Run(Context.System.Materializer());
    }

    private static CdrInput? ToInput(EventEnvelope envelope)
    {
        if (envelope.Event is not IDialogEvent e || !envelope.PersistenceId.StartsWith(DialogEntity.PersistenceIdPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var offset = envelope.Offset is Sequence s ? s.Value : 0;
        return new CdrInput(envelope.PersistenceId[DialogEntity.PersistenceIdPrefix.Length..], offset, e);
    }

    private sealed class Start
    {
        public static readonly Start Instance = new();
    }
}
