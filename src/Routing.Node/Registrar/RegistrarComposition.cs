using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Routing.Cluster.Messaging;
using Routing.Cluster.Registrar;
using Routing.Edge;
using Routing.Edge.Registrar;
using Routing.Node.Configuration;
using Routing.Node.Hosting;
using Routing.Sip.Auth;

namespace Routing.Node.Registrar;

/// <summary>
/// Everything the registrar adds to the node: settings from <c>--auth</c>, <c>--domain</c> and the <c>routing.registrar</c>
/// HOCON section (cluster-config/registrar.conf), the <c>user</c> shard region (proxy on nodes without the routing role),
/// the edge handler and its port to the region.
/// </summary>
public static class RegistrarComposition
{
    /// <summary>HOCON section of the registrar settings.</summary>
    public const string Root = "routing.registrar";

    /// <summary>
    /// DData only holds the coordinator state; no durable keys (LMDB is broken here, akka-notes §1, §10.4). More
    /// concurrent recoveries than Akka's 50: every new or passivated AOR recovers before its first command, and an
    /// import or a restart under REGISTER load starts thousands at once (measured on SQLite, 10 000 imported users: 82 s
    /// with 50, 36 s with 256, 11.6 s with 1 024 together with 1 024 provisioning requests in flight).
    /// </summary>
    internal const string Hocon = """
        akka.cluster.sharding.distributed-data.durable.keys = []
        akka.persistence.max-concurrent-recoveries = 1024
        """;

    /// <summary>Settings of the registrar after defaults, the config file and flags.</summary>
    public sealed record Settings(RegistrarSettings Entity, RegisterHandlerOptions Edge, DigestNonceOptions Nonces, TimeSpan AskTimeout);

    public static Settings Read(NodeOptions options, NodeIdentity identity, EdgeOptions edge)
    {
        try
        {
            return ReadValues(options, identity, edge);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            // HOCON's getters name the value but not the key: name the section at least.
            throw new ConfigurationException($"{Root}: a value has the wrong type: {e.Message}", e);
        }
    }

    private static Settings ReadValues(NodeOptions options, NodeIdentity identity, EdgeOptions edge)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(edge);
        var c = new ConfigSection(options.ConfigFile, Root);
        var digest = options.Auth.Mode == AuthMode.Digest;
        var entity = new RegistrarSettings
        {
            Authentication = digest ? RegistrarAuthentication.Digest : RegistrarAuthentication.None,
            HideUnknownUsers = c.GetBoolean("hide-unknown-users", true),
            MinExpires = (uint)c.GetInt("min-expires", 60),
            MaxExpires = (uint)c.GetInt("max-expires", 7200),
            DefaultExpires = (uint)c.GetInt("default-expires", 3600),
            MaxBindings = c.GetInt("max-bindings", 16),
            LockoutAttempts = c.GetInt("lockout-attempts", 5),
            LockoutWindow = c.GetTimeSpan("lockout-window", TimeSpan.FromMinutes(5)),
            RefreshPersistence = ReadRefreshPersistence(c),
            CoalesceWindow = c.GetTimeSpan("coalesce-window", TimeSpan.FromMinutes(5)),
            SnapshotEvery = c.GetInt("snapshot-every", 100),
            IdlePassivation = c.GetTimeSpan("idle-passivation", TimeSpan.FromMinutes(5)),
        };
        var handler = new RegisterHandlerOptions
        {
            Digest = digest,
            HideUnknownUsers = entity.HideUnknownUsers,
            Domains = options.Sip.Domains,
            LocalHosts = edge.LocalHosts,
            SourceLockoutAttempts = c.GetInt("source-lockout-attempts", 20),
            SourceLockoutWindow = c.GetTimeSpan("source-lockout-window", TimeSpan.FromMinutes(5)),
            FlowTimerSeconds = c.GetInt("flow-timer", 120),
            RetryAfterSeconds = c.GetInt("retry-after", 5),
            MaxInFlight = PositiveInt(c, "max-in-flight", 8000),
            ChallengeAlgorithms = ChallengeAlgorithms(c),
        };
        // Nodes of one cluster must share the nonce secret (a nonce from one edge is checked by any entity): configure
        // it, or it is derived from the admin token, which nodes of one cluster then share.
        var configured = c.GetString("nonce-secret", string.Empty);
        var secret = configured.Length > 0
            ? SHA256.HashData(Encoding.UTF8.GetBytes(configured))
            : HMACSHA256.HashData(Encoding.UTF8.GetBytes(identity.AdminToken), "routing digest nonce v1"u8);
        var nonces = new DigestNonceOptions { Secret = secret, Lifetime = c.GetTimeSpan("nonce-lifetime", TimeSpan.FromSeconds(300)) };
        var timeout = c.GetTimeSpan("timeout", TimeSpan.FromSeconds(5));
        if (timeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{Root}.timeout: must be a positive duration, got {c.GetString("timeout")}");
        }

        c.ThrowIfUnknownKey("registrar.conf");
        return new Settings(entity, handler, nonces, timeout);
    }

    private static RefreshPersistence ReadRefreshPersistence(ConfigSection c)
    {
        var value = c.GetString("refresh-persistence", "write-through").Trim();
        return value.ToLowerInvariant() switch
        {
            "write-through" => RefreshPersistence.WriteThrough,
            "coalesce" => RefreshPersistence.Coalesce,
            _ => throw new ConfigurationException($"{Root}.refresh-persistence: expected write-through or coalesce, got '{value}'"),
        };
    }

    private static int PositiveInt(ConfigSection c, string key, int fallback)
    {
        var value = c.GetInt(key, fallback);
        return value > 0 ? value : throw new ConfigurationException($"{Root}.{key}: must be a positive number, got {value}");
    }

    private static DigestAlgorithm[] ChallengeAlgorithms(ConfigSection c)
    {
        if (!c.HasPath("challenge-algorithms"))
        {
            return [DigestAlgorithm.Sha256, DigestAlgorithm.Md5];
        }

        var list = new List<DigestAlgorithm>();
        foreach (var token in c.GetStringList("challenge-algorithms"))
        {
            if (!DigestAlgorithms.TryParse(token, out var algorithm) || DigestAlgorithms.IsSession(algorithm))
            {
                throw new ConfigurationException($"{Root}.challenge-algorithms: '{token}' is not one of SHA-256, MD5, SHA-512-256");
            }

            list.Add(algorithm);
        }

        return list.Count == 0 ? [DigestAlgorithm.Sha256, DigestAlgorithm.Md5] : [.. list];
    }

    /// <summary>Adds the edge handler and the port to the shard region to the node's services.</summary>
    public static void AddServices(IServiceCollection services, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddSingleton(new DigestNonceService(settings.Nonces));
        services.AddSingleton<RegistrarEdgeMetrics>(_ => new RegistrarEdgeMetrics
        {
            AorCounters = () => (UserEntity.FailedAttempts, UserEntity.LockOuts),
        });
        services.AddSingleton<IRegistrar, ClusterRegistrar>();
        services.AddSingleton(sp => new RegisterHandler(settings.Edge, sp.GetRequiredService<IRegistrar>(),
            sp.GetRequiredService<DigestNonceService>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<RegistrarEdgeMetrics>()));
        // The edge is resolved on first use: it is itself built from the request handlers.
        services.AddSingleton<Routing.Edge.Transactions.IEdgeRequestHandler>(sp => new RegistrarRequestHandler(
            sp.GetRequiredService<RegisterHandler>(), sp.GetRequiredService<EdgeOptions>(),
            flow => sp.GetRequiredService<Routing.Edge.Transactions.ISipClient>().TokenFor(flow)));
    }

    /// <summary>The <c>user</c> shard region on routing nodes, a proxy elsewhere (akka-notes §1b, §2.2).</summary>
    public static void AddShardRegion(AkkaConfigurationBuilder builder, IServiceProvider services, NodeOptions options, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        builder.AddHocon(Hocon, HoconAddMode.Prepend);
        var extractor = new UserMessageExtractor();
        var routing = false;
        foreach (var r in options.Membership.Roles)
        {
            routing |= r == "routing";
        }

        if (!routing)
        {
            builder.WithShardRegionProxy<UserRegion>(UserRegion.TypeName, "routing", extractor);
            return;
        }

        var time = services.GetRequiredService<TimeProvider>();
        var verifier = settings.Entity.Authentication == RegistrarAuthentication.Digest
            ? new DigestVerifier(services.GetRequiredService<DigestNonceService>())
            : null;
        builder.WithShardRegion<UserRegion>(UserRegion.TypeName, aor => UserEntity.Props(aor, settings.Entity, verifier, time), extractor,
            new ShardOptions
            {
                Role = "routing",
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
                PassivateIdleEntityAfter = settings.Entity.IdlePassivation,
                HandOffStopMessage = StopUser.Instance,
                JournalOptions = null,
            });
    }
}

/// <summary>
/// The edge's <see cref="IRegistrar"/> over the <c>user</c> shard region. It enforces the registrar timeout itself
/// (<see cref="Asker"/>: one sweep for all pending REGISTERs rather than timers per request) and answers
/// <see cref="RegisterStatus.Unavailable"/> when the entity did not answer in time.
/// </summary>
public sealed class ClusterRegistrar : IRegistrar, IDisposable
{
    private readonly ActorRegistry _registry;
    private readonly RegistrarComposition.Settings _settings;
    private readonly TimeProvider _time;
    private IActorRef? _region;
    private Asker? _asker;

    public ClusterRegistrar(ActorRegistry registry, RegistrarComposition.Settings settings, TimeProvider time)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public async Task<IActorRef> RegionAsync(CancellationToken cancellationToken) =>
        _region ??= await _registry.GetAsync<UserRegion>(cancellationToken).ConfigureAwait(false);

    public async Task<RegisterResult> RegisterAsync(RegisterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var region = _region ?? await RegionAsync(cancellationToken).ConfigureAwait(false);
        var asker = _asker ?? CreateAsker(region);
        var contacts = new ContactRequest[command.Contacts.Count];
        for (var i = 0; i < contacts.Length; i++)
        {
            var c = command.Contacts[i];
            contacts[i] = new ContactRequest(c.Uri, c.Parameters, c.Expires, c.Q, c.Instance, c.RegId);
        }

        var message = new RegisterBindings(command.Aor, command.RequestUri, command.Star, contacts, command.HeaderExpires, command.CallId,
            command.CSeq, command.Path, new BindingSource(command.SourceAddress, command.Transport), command.UserAgent, command.Authorization,
            command.Outbound);
        // Null (no answer within the timeout) or anything but a reply: the registrar is unavailable (500 + Retry-After).
        return await asker.AskAsync(region, message).ConfigureAwait(false) is RegisterReply reply
            ? Map(reply)
            : RegisterResult.Of(RegisterStatus.Unavailable);
    }

    private Asker CreateAsker(IActorRef region)
    {
        var created = new Asker(((IInternalActorRef)region).Provider, _settings.AskTimeout, _time);
        var winner = Interlocked.CompareExchange(ref _asker, created, null);
        if (winner is null)
        {
            return created;
        }

        created.Dispose();
        return winner;
    }

    public void Dispose() => _asker?.Dispose();

    internal static RegisterResult Map(RegisterReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var status = reply.Rejection switch
        {
            null => RegisterStatus.Ok,
            RegisterRejection.Challenge => RegisterStatus.Challenge,
            RegisterRejection.StaleNonce => RegisterStatus.StaleNonce,
            RegisterRejection.Forbidden => RegisterStatus.Forbidden,
            RegisterRejection.LockedOut => RegisterStatus.LockedOut,
            RegisterRejection.NotFound => RegisterStatus.NotFound,
            RegisterRejection.IntervalTooBrief => RegisterStatus.IntervalTooBrief,
            RegisterRejection.InvalidStar => RegisterStatus.InvalidStar,
            RegisterRejection.OutOfOrder => RegisterStatus.OutOfOrder,
            RegisterRejection.InvalidOutbound => RegisterStatus.InvalidOutbound,
            RegisterRejection.TooManyBindings => RegisterStatus.TooManyBindings,
            _ => RegisterStatus.Unavailable,
        };
        var contacts = new RegisteredContact[reply.Bindings.Count];
        for (var i = 0; i < contacts.Length; i++)
        {
            var v = reply.Bindings[i];
            contacts[i] = new RegisteredContact(v.Binding.ContactUri, v.Binding.Parameters, v.RemainingSeconds);
        }

        return new RegisterResult(status, contacts, reply.MinExpires, reply.OutboundUsed);
    }
}
