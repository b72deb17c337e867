using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routing.Cluster.Ledger;
using Routing.Edge;
using Routing.Sip.Transport;
using Routing.Cluster.Serialization;
using Routing.Node.Admin;
using Routing.Node.Configuration;
using Routing.Node.Metrics;
using Serilog;
using ILogger = Microsoft.Extensions.Logging.ILogger;
using AkkaClusterOptions = Akka.Cluster.Hosting.ClusterOptions;
using Routing.Cluster.Journal;
using SqlJournalOptions = Akka.Persistence.Sql.Hosting.SqlJournalOptions;
using SqlSnapshotOptions = Akka.Persistence.Sql.Hosting.SqlSnapshotOptions;

namespace Routing.Node.Hosting;

/// <summary>The composition root: Kestrel admin API, Akka cluster, persistence, SIP edge and metrics in one host.</summary>
public static partial class NodeHost
{
    /// <summary>ActorSystem name; every member of one cluster must use the same.</summary>
    public const string SystemName = "routing";

    /// <summary>Plugin id suffix of the journal/snapshot store used only by cluster sharding internals (akka-notes §2.3).</summary>
    public const string ShardingPluginIdentifier = "sharding";

    /// <summary>Largest admin request body: a 10 000-line user batch is about 1 MiB.</summary>
    public const int MaxAdminBodyBytes = 4 * 1024 * 1024;

    /// <summary>Settings the node always runs with; a <c>--config</c> file's <c>akka { }</c> section overrides them.</summary>
    internal const string BaseHocon = """
        akka.log-dead-letters-during-shutdown = off
        akka.coordinated-shutdown.phases.service-unbind.timeout = 10s
        akka.coordinated-shutdown.phases.service-requests-done.timeout = 10s
        akka.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 30s
        akka.cluster.sharding.handoff-timeout = 30s
        akka.cluster.split-brain-resolver.stable-after = 7s
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 10
        """;

    /// <summary>
    /// SQLite: both journals (app and sharding) are our group-commit writer instead of Akka.Persistence.Sql's, on the
    /// same tables and schema, and the CDR feed reads them through our <see cref="SqliteReadJournal"/>. The entities'
    /// snapshots go through the app journal's writer (<see cref="SqliteSnapshotStore"/>); the sharding snapshot store
    /// and the SQL read journal (still used for persistence ids) stay Akka.Persistence.Sql's. Their reads run as
    /// read-uncommitted: Microsoft.Data.Sqlite opens every other isolation level with BEGIN IMMEDIATE (the write lock), so
    /// each read queued behind the writer; a deferred read in WAL mode reads a consistent snapshot without it.
    /// </summary>
    internal static string SqliteHocon(SqliteSynchronous synchronous)
    {
        var sync = synchronous == SqliteSynchronous.Full ? "full" : "normal";
        return $$"""
            akka.persistence.journal.sql { class = "{{typeof(SqliteJournal).AssemblyQualifiedName}}", sqlite-synchronous = {{sync}} }
            akka.persistence.journal.sharding { class = "{{typeof(SqliteJournal).AssemblyQualifiedName}}", sqlite-synchronous = {{sync}} }
            akka.persistence.snapshot-store.sql { class = "{{typeof(SqliteSnapshotStore).AssemblyQualifiedName}}", journal-plugin = "akka.persistence.journal.sql" }
            akka.persistence.snapshot-store.sharding.read-isolation-level = read-uncommitted
            akka.persistence.query.journal.sql.read-isolation-level = read-uncommitted
            {{SqliteReadJournal.Identifier}} { class = "{{typeof(SqliteReadJournalProvider).AssemblyQualifiedName}}", write-plugin = "akka.persistence.journal.sql", refresh-interval = 250ms, max-buffer-size = 500 }
            """;
    }

    /// <summary>
    /// PostgreSQL: both journals (app and sharding) are our group-commit writer (<see cref="PostgresJournal"/>) on
    /// Akka.Persistence.Sql's tables, and the entities' snapshots go through the app journal's writer
    /// (<see cref="PostgresSnapshotStore"/>); the sharding snapshot store and the read journal (the CDR feed) stay
    /// Akka.Persistence.Sql's.
    /// </summary>
    internal static string PostgresHocon() => $$"""
        akka.persistence.journal.sql { class = "{{typeof(PostgresJournal).AssemblyQualifiedName}}" }
        akka.persistence.snapshot-store.sql { class = "{{typeof(PostgresSnapshotStore).AssemblyQualifiedName}}", journal-plugin = "akka.persistence.journal.sql" }
        akka.persistence.journal.sharding { class = "{{typeof(PostgresJournal).AssemblyQualifiedName}}" }
        """;

    public static string SeedAddress(string hostPort) => $"akka.tcp://{SystemName}@{hostPort}";

    public static WebApplication Build(NodeOptions options, NodeIdentity identity, string journalConnection, BoundSipListeners sip)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxAdminBodyBytes;
            k.Listen(options.Admin.EndPoint);
        });
        builder.Services.Configure<HostOptions>(h =>
        {
            // Longer than every CoordinatedShutdown phase together, so the host never cuts a graceful leave short.
            h.ShutdownTimeout = TimeSpan.FromSeconds(90);
        });
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<NodeRuntime>();
        builder.Services.AddSingleton(sip);
        builder.Services.AddSingleton(_ => new PrometheusExporter());
        builder.Services.AddSingleton<NodeMetrics>();
        builder.Services.AddSingleton(new BearerTokenAuth(identity.AdminToken, options.Admin.MetricsOpen));
        builder.Services.AddSingleton<NodeHealth>();
        var edgeOptions = EdgeOptionsFor(options, identity);
        builder.Services.AddSingleton(edgeOptions);
        builder.Services.AddSingleton<EdgeMetrics>();
        var registrar = Registrar.RegistrarComposition.Read(options, identity, edgeOptions);
        Registrar.RegistrarComposition.AddServices(builder.Services, registrar);
        var proxy = Proxy.ProxyComposition.Read(options, edgeOptions, revealUnknownUsers: !registrar.Entity.HideUnknownUsers);
        Proxy.ProxyComposition.AddServices(builder.Services, proxy, options.Storage.Journal, journalConnection);
        builder.Services.AddSingleton(_ => new SipTransportMetrics(sip.Udp, sip.Tcp, sip.Flows));
        var flowSecret = NodePreflight.LoadFlowSecret(options.Sip, identity);
        builder.Services.AddSingleton(sp => new SipEdge(
            sp.GetRequiredService<EdgeOptions>(),
            sp.GetRequiredService<EdgeMetrics>(),
            sp.GetRequiredService<ILogger<SipEdge>>(),
            new EdgeRuntime
            {
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                Flows = sip.Flows,
                FlowTokens = new FlowTokenCodec(flowSecret, identity.NodeId),
                // TUs (registrar, proxy) register themselves as IEdgeRequestHandler; asked in registration order.
                Handlers = [.. sp.GetServices<Routing.Edge.Transactions.IEdgeRequestHandler>()],
            }));
        builder.Services.AddSingleton<ISipInboundHandler>(sp => sp.GetRequiredService<SipEdge>());
        builder.Services.AddSingleton<Routing.Edge.Transactions.ISipClient>(sp => sp.GetRequiredService<SipEdge>());
        ClusterOperations.AddServices(builder.Services);

        builder.Services.AddAkka(SystemName, (b, sp) =>
        {
            ConfigureAkka(b, sp, options, identity, journalConnection);
            ClusterOperations.ConfigureAkka(b, sp);
            Registrar.RegistrarComposition.AddShardRegion(b, sp, options, registrar);
            Proxy.ProxyComposition.AddShardRegion(b, sp, proxy, ShardingPluginIdentifier, options.Storage.Journal);
        });
        builder.Services.AddSingleton<SipListenerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SipListenerService>());

        var app = builder.Build();
        // Created now so that the exporter sees every instrument from the first scrape on.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetRequiredService<NodeMetrics>();
        app.Services.GetRequiredService<EdgeMetrics>();
        app.Services.GetRequiredService<Routing.Edge.Registrar.RegistrarEdgeMetrics>();
        app.Services.GetRequiredService<Proxy.ProxyMetrics>();
        app.Services.GetRequiredService<SipTransportMetrics>();
        var auth = app.Services.GetRequiredService<BearerTokenAuth>();
        app.Use(auth.InvokeAsync);
        AdminEndpoints.Map(app);
        ClusterOperations.Map(app);
        UserEndpoints.Map(app);
        DialogEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// The names a Request-URI may use for this node: loopback names, every listener address, and when a listener is
    /// bound to a wildcard address, every address of the host's interfaces.
    /// </summary>
    internal static EdgeOptions EdgeOptionsFor(NodeOptions options, NodeIdentity identity)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "127.0.0.1", "::1", "localhost" };
        var wildcard = false;
        foreach (var l in options.Sip.Listen)
        {
            if (l.EndPoint.Address.Equals(System.Net.IPAddress.Any) || l.EndPoint.Address.Equals(System.Net.IPAddress.IPv6Any))
            {
                wildcard = true;
            }
            else
            {
                hosts.Add(l.EndPoint.Address.ToString());
            }
        }

        if (wildcard)
        {
            foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var a in nic.GetIPProperties().UnicastAddresses)
                {
                    hosts.Add(a.Address.ToString());
                }
            }
        }

        hosts.Add(System.Net.Dns.GetHostName());
        return new EdgeOptions
        {
            LocalHosts = [.. hosts],
            Domains = options.Sip.Domains,
            // REGISTER is served by the registrar (issue 5); path and outbound are the extensions it implements.
            AllowedMethods = [Routing.Sip.Message.SipMethod.Options, Routing.Sip.Message.SipMethod.Register, Routing.Sip.Message.SipMethod.Ack,
                Routing.Sip.Message.SipMethod.Cancel,
                // The proxy (issue 6) routes these to served users and within dialogs.
                Routing.Sip.Message.SipMethod.Invite, Routing.Sip.Message.SipMethod.Bye, Routing.Sip.Message.SipMethod.Update,
                Routing.Sip.Message.SipMethod.Info, Routing.Sip.Message.SipMethod.Message],
            SupportedOptionTags = ["path", "outbound"],
            ServerName = "routing-cluster/" + identity.Version.Split('+')[0],
        };
    }

    private static void ConfigureAkka(AkkaConfigurationBuilder b, IServiceProvider sp, NodeOptions options, NodeIdentity identity,
        string journalConnection)
    {
        var m = options.Membership;
        var sqlite = options.Storage.Journal == JournalProvider.Sqlite;
        var provider = sqlite ? ProviderName.SQLiteMS : ProviderName.PostgreSQL15;
        var seeds = new string[m.Seeds.Count];
        for (var i = 0; i < seeds.Length; i++)
        {
            seeds[i] = SeedAddress(m.Seeds[i]);
        }

        b.ConfigureLoggers(l =>
            {
                l.LogLevel = AkkaLevel(options.Logging.Level);
                l.ClearLoggers();
                l.AddLogger<SerilogLogger>();
            })
            .AddHocon(BaseHocon, HoconAddMode.Prepend);
        if (options.ConfigFile is { } file && file.HasPath("akka"))
        {
            b.AddHocon(file, HoconAddMode.Prepend);
        }

        b.WithRemoting(new RemoteOptions { HostName = m.AkkaHost, Port = m.AkkaPort })
            .WithClustering(new AkkaClusterOptions
            {
                Roles = [.. m.Roles],
                SeedNodes = seeds,
                AppVersion = typeof(NodeHost).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
                // Akka's readiness check latches after joining; NodeHealth is leave-aware instead (akka-notes §5).
                ClusterReadyCheck = false,
            })
            .WithStrictSerialization()
            .WithCustomSerializer(RoutingSerializer.Name, [typeof(IRoutingSerializable)], s => new RoutingSerializer(s))
            .WithSqlPersistence(connectionString: journalConnection, providerName: provider, autoInitialize: true)
            .WithJournalAndSnapshot(ShardingJournal(journalConnection, provider), ShardingSnapshots(journalConnection, provider))
            .AddHocon(sqlite ? SqliteHocon(options.Storage.SqliteSynchronous) : PostgresHocon(), HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                var ledger = system.ActorOf(
                    Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnStop(
                        NodeLedgerActor.Props(identity.NodeId), "ledger", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)),
                    "node-ledger");
                registry.Register<NodeLedgerActor>(ledger);
            })
            .AddStartup(async (system, registry) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                if (seeds.Length == 0)
                {
                    // No seeds: this node forms a cluster of its own.
                    cluster.Join(cluster.SelfAddress);
                }

                // Drain (readiness is false from the first instant): service-unbind stops new transactions and
                // connections; service-requests-done lets those in flight finish within its timeout less a second,
                // then closes the sockets; the shards hand off after that (cluster-sharding-shutdown-region).
                var sipService = sp.GetRequiredService<SipListenerService>();
                var shutdown = CoordinatedShutdown.Get(system);
                shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "sip-stop-taking", () =>
                {
                    sipService.BeginDrain();
                    return Task.FromResult(Akka.Done.Instance);
                });
                var inFlightBound = DrainBound(shutdown.Timeout(CoordinatedShutdown.PhaseServiceRequestsDone));
                sipService.DrainBound = inFlightBound;
                shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "sip-in-flight", async () =>
                {
                    await sipService.FinishDrainAsync(inFlightBound).ConfigureAwait(false);
                    return Akka.Done.Instance;
                });

                var ledger = await registry.GetAsync<NodeLedgerActor>().ConfigureAwait(false);
                var runtime = sp.GetRequiredService<NodeRuntime>();
                var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Routing.Node.Ledger");
                _ = RecordStartAsync(ledger, runtime, identity, cluster.SelfAddress.ToString(), logger);
            });
    }

    /// <summary>
    /// How long a drain waits for SIP transactions in flight: the service-requests-done phase timeout less one second
    /// (so the sockets close inside the phase), at least zero.
    /// </summary>
    internal static TimeSpan DrainBound(TimeSpan phaseTimeout) =>
        phaseTimeout > TimeSpan.FromSeconds(1) ? phaseTimeout - TimeSpan.FromSeconds(1) : TimeSpan.Zero;

    private static async Task RecordStartAsync(IActorRef ledger, NodeRuntime runtime, NodeIdentity identity, string address, ILogger logger)
    {
        try
        {
            var recorded = await ledger.Ask<NodeStartRecorded>(
                new RecordNodeStart(runtime.StartedAt, identity.Version, address), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            runtime.Incarnation = recorded.Start.Incarnation;
            LogStartRecorded(logger, recorded.Start.Incarnation, identity.NodeId);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            LogStartNotRecorded(logger, e, identity.NodeId);
        }
    }

    private static SqlJournalOptions ShardingJournal(string connection, string provider) => new(isDefaultPlugin: false, identifier: ShardingPluginIdentifier)
    {
        ConnectionString = connection,
        ProviderName = provider,
        AutoInitialize = true,
        DatabaseOptions = new JournalDatabaseOptions(DatabaseMapping.Default)
        {
            JournalTable = new JournalTableOptions { TableName = "sharding_journal" },
            MetadataTable = new MetadataTableOptions { TableName = "sharding_metadata" },
            TagTable = new TagTableOptions { TableName = "sharding_tags" },
        },
    };

    private static SqlSnapshotOptions ShardingSnapshots(string connection, string provider) => new(isDefaultPlugin: false, identifier: ShardingPluginIdentifier)
    {
        ConnectionString = connection,
        ProviderName = provider,
        AutoInitialize = true,
        DatabaseOptions = new SnapshotDatabaseOptions(DatabaseMapping.Default)
        {
            SnapshotTable = new SnapshotTableOptions { TableName = "sharding_snapshot" },
        },
    };

    private static Akka.Event.LogLevel AkkaLevel(Serilog.Events.LogEventLevel level) => level switch
    {
        Serilog.Events.LogEventLevel.Verbose or Serilog.Events.LogEventLevel.Debug => Akka.Event.LogLevel.DebugLevel,
        Serilog.Events.LogEventLevel.Information => Akka.Event.LogLevel.InfoLevel,
        Serilog.Events.LogEventLevel.Warning => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Node start recorded: incarnation {Incarnation} of node {NodeId}")]
    private static partial void LogStartRecorded(ILogger logger, long incarnation, string nodeId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Node start of {NodeId} could not be recorded in the journal")]
    private static partial void LogStartNotRecorded(ILogger logger, Exception exception, string nodeId);
}
