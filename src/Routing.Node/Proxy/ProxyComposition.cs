using System.Net;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Routing.Cluster.Cdr;
using Routing.Cluster.Dialogs;
using Routing.Edge;
using Routing.Edge.Proxy;
using Routing.Edge.Transactions;
using Routing.Node.Configuration;
using Routing.Sip.Auth;

namespace Routing.Node.Proxy;

/// <summary>
/// Everything the proxy adds to the node: settings (<c>--auth</c>, <c>--domain</c>, HOCON <c>routing.proxy</c>), the
/// <c>dialog</c> shard region (open dialogs kept running by remember-entities on the event-sourced store, akka-notes
/// §2.2), the CDR projection as
/// a cluster singleton writing to the journal's database, the cluster ports and the edge handler.
/// </summary>
public static class ProxyComposition
{
    /// <summary>HOCON section of the proxy settings.</summary>
    public const string Root = "routing.proxy";

    /// <summary>The read journal the CDR projection queries on PostgreSQL (Akka.Persistence.Sql's default query plugin).</summary>
    public const string ReadJournalPluginId = "akka.persistence.query.journal.sql";

    /// <summary>
    /// The read journal over the entities' journal (the CDR projection's tag query, the user list's persistence ids):
    /// ours over the SQLite journal, Akka.Persistence.Sql's on PostgreSQL.
    /// </summary>
    public static string ReadJournalFor(JournalProvider journal) =>
        journal == JournalProvider.Sqlite ? Routing.Cluster.Journal.SqliteReadJournal.Identifier : ReadJournalPluginId;

    /// <summary>
    /// Remembered dialogs restart a few at a time after a node loss instead of all at once
    /// (akka-notes §2.2); the tag query polls often so CDRs trail the calls by well under a second (akka-notes §10.10).
    /// </summary>
    internal const string Hocon = """
        akka.cluster.sharding.entity-recovery-strategy = constant
        akka.cluster.sharding.entity-recovery-constant-rate-strategy { frequency = 100ms, number-of-entities = 20 }
        akka.persistence.query.journal.sql.refresh-interval = 250ms
        """;

    /// <summary>The proxy's settings after defaults, the config file and flags.</summary>
    /// <param name="ConfirmDialogStart">Wait for the journal to take a dialog's start before forwarding its INVITE
    /// (a journal fault then answers 500 instead of losing the record; costs a write's latency in every call setup).</param>
    public sealed record Settings(ProxySettings Proxy, DialogSettings Dialogs, TimeSpan AskTimeout, bool Routing, bool ConfirmDialogStart);

    public static Settings Read(NodeOptions options, EdgeOptions edge, bool revealUnknownUsers)
    {
        try
        {
            return ReadValues(options, edge, revealUnknownUsers);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            // HOCON's getters name the value but not the key: name the section at least.
            throw new ConfigurationException($"{Root}: a value has the wrong type: {e.Message}", e);
        }
    }

    private static Settings ReadValues(NodeOptions options, EdgeOptions edge, bool revealUnknownUsers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(edge);
        var c = new ConfigSection(options.ConfigFile, Root);
        var listener = options.Sip.Listen.Count > 0 ? options.Sip.Listen[0].EndPoint : new IPEndPoint(IPAddress.Loopback, 5060);
        var trusted = new List<IPAddress>();
        foreach (var t in c.GetStringList("trusted-peers", []))
        {
            trusted.Add(IPAddress.Parse(t));
        }

        var configuredPort = c.GetInt("signaling-port", 0);
        var proxy = new ProxySettings
        {
            // The shared signaling address every edge answers on (a VIP or DNS name); by default the first listener.
            SignalingHost = c.GetString("signaling-host", listener.Address.ToString()),
            SignalingPort = configuredPort > 0 ? configuredPort : listener.Port,
            LocalHosts = edge.LocalHosts,
            Domains = options.Sip.Domains,
            Authentication = options.Auth.Mode == AuthMode.Digest ? ProxyAuthMode.Digest : ProxyAuthMode.None,
            TrustedPeers = trusted,
            RevealUnknownUsers = revealUnknownUsers,
            ForkGroupTimeout = c.GetTimeSpan("fork-group-timeout", TimeSpan.FromSeconds(20)),
            DefaultMaxBreadth = c.GetInt("max-breadth", 60),
            MaxCallsSettingUp = c.GetInt("max-calls-setting-up", 2000),
            OverloadRetryAfterSeconds = c.GetInt("overload-retry-after", 5),
            ChallengeAlgorithms = ChallengeAlgorithms(c),
        };
        var dialogs = new DialogSettings
        {
            SessionGrace = c.GetTimeSpan("session-grace", TimeSpan.FromSeconds(32)),
            MaxLifetime = c.GetTimeSpan("max-dialog-lifetime", TimeSpan.FromHours(12)),
            MaxSetup = c.GetTimeSpan("max-setup", TimeSpan.FromMinutes(4)),
            Linger = c.GetTimeSpan("ended-linger", TimeSpan.FromSeconds(32)),
        };
        var routing = false;
        foreach (var r in options.Membership.Roles)
        {
            routing |= r == "routing";
        }

        var settings = new Settings(proxy, dialogs, c.GetTimeSpan("timeout", TimeSpan.FromSeconds(5)), routing, c.GetBoolean("confirm-dialog-start", false));
        c.ThrowIfUnknownKey("proxy.conf");
        return settings;
    }

    private static DigestAlgorithm[] ChallengeAlgorithms(ConfigSection c)
    {
        var list = new List<DigestAlgorithm>();
        if (c.HasPath("challenge-algorithms"))
        {
            foreach (var token in c.GetStringList("challenge-algorithms"))
            {
                if (!DigestAlgorithms.TryParse(token, out var algorithm) || DigestAlgorithms.IsSession(algorithm))
                {
                    throw new ConfigurationException($"{Root}.challenge-algorithms: '{token}' is not one of SHA-256, MD5, SHA-512-256");
                }

                list.Add(algorithm);
            }
        }

        return list.Count == 0 ? [DigestAlgorithm.Sha256, DigestAlgorithm.Md5] : [.. list];
    }

    /// <summary>Adds the ports, the CDR store and the edge handler to the node's services.</summary>
    public static void AddServices(IServiceCollection services, Settings settings, JournalProvider journal, string journalConnection)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddSingleton<ICdrStore>(new SqlCdrStore(
            journal == JournalProvider.Sqlite ? SqliteFactory.Instance : NpgsqlFactory.Instance, journalConnection));
        services.AddSingleton<ClusterDialogPort>();
        services.AddSingleton<IDialogPort>(sp => sp.GetRequiredService<ClusterDialogPort>());
        services.AddSingleton<ILocationPort, ClusterLocationPort>();
        services.AddSingleton<IProxyCredentials>(sp => new UserEntityProxyCredentials(
            ((Registrar.ClusterRegistrar)sp.GetRequiredService<Routing.Edge.Registrar.IRegistrar>()).RegionAsync,
            new DigestVerifier(sp.GetRequiredService<DigestNonceService>()), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Registrar.RegistrarComposition.Settings>().AskTimeout));
        services.AddSingleton(sp => new ProxyHandler(settings.Proxy, sp.GetRequiredService<ISipClient>(), sp.GetRequiredService<ILocationPort>(),
            sp.GetRequiredService<IDialogPort>(), sp.GetRequiredService<IProxyCredentials>(), sp.GetRequiredService<DigestNonceService>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ProxyHandler>>(),
            sp.GetRequiredService<EdgeOptions>().ServerName));
        services.AddSingleton<IEdgeRequestHandler, EdgeProxyHandler>();
        services.AddSingleton(sp => new ProxyMetrics(sp.GetRequiredService<ProxyHandler>()));
    }

    /// <summary>The <c>dialog</c> region on routing nodes (a proxy elsewhere) and the CDR projection singleton.</summary>
    public static void AddShardRegion(AkkaConfigurationBuilder builder, IServiceProvider services, Settings settings, string shardingPluginIdentifier,
        JournalProvider journal)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        builder.AddHocon(Hocon, HoconAddMode.Prepend);
        var extractor = new DialogMessageExtractor();
        if (!settings.Routing)
        {
            builder.WithShardRegionProxy<DialogRegion>(DialogRegion.TypeName, "routing", extractor);
            return;
        }

        var time = services.GetRequiredService<TimeProvider>();
        builder.WithShardRegion<DialogRegion>(DialogRegion.TypeName, callId => DialogEntity.Props(callId, settings.Dialogs, time), extractor,
            new ShardOptions
            {
                Role = "routing",
                StateStoreMode = StateStoreMode.DData,
                // Open dialogs restart on another member after a node loss or hand-off (issue #6, #7), at two
                // sharding-journal writes per call (start, stop).
                RememberEntities = true,
                RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
                JournalPluginId = "akka.persistence.journal." + shardingPluginIdentifier,
                SnapshotPluginId = "akka.persistence.snapshot-store." + shardingPluginIdentifier,
                HandOffStopMessage = StopDialog.Instance,

                // A live dialog is never idle-passivated (its cleanup timer must run); it passivates itself once ended.
                ShouldPassivateIdleEntities = false,
            });
        var store = services.GetRequiredService<ICdrStore>();
        builder.WithSingleton<CdrProjector>("cdr-projection", CdrProjector.Props(store, new CdrProjectionSettings(ReadJournalFor(journal))),
            new ClusterSingletonOptions { Role = "routing" }, createProxyToo: false);
    }
}
