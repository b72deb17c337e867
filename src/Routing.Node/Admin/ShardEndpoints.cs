using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Routing.Node.Admin;

/// <summary>Shards and entities of one region on one member (<c>GET /api/shards/{region}</c>).</summary>
public sealed record RegionMemberStats(string Address, string? Node, int Shards, int Entities);

/// <summary><c>GET /api/shards/{region}</c>: the region's shards and entities per member, cluster-wide.</summary>
public sealed record RegionStats(string Region, int Shards, int Entities, IReadOnlyList<RegionMemberStats> Members,
    IReadOnlyList<string> FailedMembers);

/// <summary><c>GET /api/shards</c>: every shard region this node knows, with cluster-wide totals.</summary>
public sealed record ShardRegionsResponse(IReadOnlyList<RegionStats> Regions);

/// <summary>One shard hosted on this node with its live entity ids (<c>GET /api/shards/{region}/local</c>).</summary>
public sealed record LocalShard(string ShardId, IReadOnlyList<string> EntityIds);

/// <summary><c>GET /api/shards/{region}/local</c>: what this node's region hosts right now.</summary>
public sealed record LocalRegionState(string Region, string Address, string? Node, IReadOnlyList<LocalShard> Shards);

/// <summary><c>GET /api/shards/locate?key=</c>: which member owns an entity's shard.</summary>
/// <param name="Address">Cluster address of the member hosting the shard; null when the shard is not allocated yet.</param>
/// <param name="EntityRunning">
/// Whether the entity is live right now; known only when the asked member owns the shard (Akka's GetEntityLocation
/// answers with the entity only there), null otherwise: ask that member, or use <c>GET /api/shards/{region}/local</c>.
/// </param>
public sealed record EntityLocationResponse(string Region, string EntityId, string ShardId, string? Address, string? Node, bool? EntityRunning);

/// <summary>Cluster-sharding views for operators: regions, per-member stats, entity location.</summary>
public static class ShardEndpoints
{
    /// <summary>How long the shard regions may take to answer a query.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Region of address-of-record entities (registrar, issue 5).</summary>
    public const string UserRegion = "user";

    /// <summary>Region of dialog entities keyed by Call-ID (proxy, issue 6).</summary>
    public const string DialogRegion = "dialog";

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/shards", async (ActorSystem system, NodeDirectory directory, CancellationToken ct) =>
        {
            var names = new List<string>(ClusterSharding.Get(system).ShardTypeNames);
            names.Sort(StringComparer.Ordinal);
            var directoryEntries = await directory.CollectAsync(ct);
            var regions = new List<RegionStats>(names.Count);
            foreach (var name in names)
            {
                regions.Add(await StatsAsync(system, name, directoryEntries, ct));
            }

            return Results.Ok(new ShardRegionsResponse(regions));
        });

        app.MapGet("/api/shards/locate", async (string? key, string? region, ActorSystem system, NodeDirectory directory, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                return Results.BadRequest(new ErrorResponse("missing-key", "pass ?key=AOR or ?key=CALL-ID"));
            }

            var type = string.IsNullOrEmpty(region) ? RegionFor(key) : region;
            if (!HasRegion(system, type))
            {
                return UnknownRegion(type);
            }

            var location = await ClusterSharding.Get(system).ShardRegion(type)
                .Ask<EntityLocation>(new GetEntityLocation(key, QueryTimeout), QueryTimeout + QueryTimeout, ct);
            // The shard id comes from the region's own extractor; which member hosts it comes from the cluster-wide
            // stats (a region that never routed to this shard answers GetEntityLocation with itself).
            var stats = await ClusterSharding.Get(system).ShardRegion(type)
                .Ask<ClusterShardingStats>(new GetClusterShardingStats(QueryTimeout), QueryTimeout + QueryTimeout, ct);
            string? address = null;
            foreach (var (member, regionStats) in stats.Regions)
            {
                if (regionStats.Stats.ContainsKey(location.ShardId))
                {
                    address = Global(system, member);
                }
            }

            string? node = null;
            if (address is not null)
            {
                node = NodeNameOf(await directory.CollectAsync(ct), address);
            }

            bool? running = null;
            if (address == Akka.Cluster.Cluster.Get(system).SelfAddress.ToString())
            {
                // The shard is here: its own state says whether the entity is live (GetEntityLocation's EntityRef is
                // not filled in for entity ids that need escaping in actor paths, such as SIP URIs).
                var state = await ClusterSharding.Get(system).ShardRegion(type)
                    .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, QueryTimeout, ct);
                running = false;
                foreach (var shard in state.Shards)
                {
                    if (shard.ShardId == location.ShardId && shard.EntityIds.Contains(location.EntityId))
                    {
                        running = true;
                    }
                }
            }

            return Results.Ok(new EntityLocationResponse(type, location.EntityId, location.ShardId, address, node, running));
        });

        app.MapGet("/api/shards/{region}", async (string region, ActorSystem system, NodeDirectory directory, CancellationToken ct) =>
        {
            if (!HasRegion(system, region))
            {
                return UnknownRegion(region);
            }

            return Results.Ok(await StatsAsync(system, region, await directory.CollectAsync(ct), ct));
        });

        app.MapGet("/api/shards/{region}/local", async (string region, ActorSystem system, NodeDirectory directory, CancellationToken ct) =>
        {
            if (!HasRegion(system, region))
            {
                return UnknownRegion(region);
            }

            var state = await ClusterSharding.Get(system).ShardRegion(region)
                .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, QueryTimeout, ct);
            var shards = new List<LocalShard>();
            foreach (var s in state.Shards)
            {
                var ids = new List<string>(s.EntityIds);
                ids.Sort(StringComparer.Ordinal);
                shards.Add(new LocalShard(s.ShardId, ids));
            }

            shards.Sort((a, b) => string.CompareOrdinal(a.ShardId, b.ShardId));
            var self = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
            return Results.Ok(new LocalRegionState(region, self, directory.SelfCard().Name, shards));
        });
    }

    /// <summary>
    /// A SIP or tel URI is an address-of-record (the <c>user</c> region); anything else is taken as a Call-ID (the
    /// <c>dialog</c> region). A Call-ID may contain '@' (RFC 3261 §8.1.1.4), so only the URI scheme decides.
    /// </summary>
    public static string RegionFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || key.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("tel:", StringComparison.OrdinalIgnoreCase)
            ? UserRegion
            : DialogRegion;
    }

    /// <summary>The local region reports the local address (<c>akka://routing</c>); operators need the cluster address.</summary>
    private static string Global(ActorSystem system, Address address) =>
        address.HasGlobalScope ? address.ToString() : Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();

    private static bool HasRegion(ActorSystem system, string region) => ClusterSharding.Get(system).ShardTypeNames.Contains(region);

    private static IResult UnknownRegion(string region) => Results.NotFound(new ErrorResponse("unknown-region",
        $"no shard region '{region}' runs in this cluster; see routectl shard regions"));

    private static string? NodeNameOf(IReadOnlyList<DirectoryEntry> entries, string address)
    {
        foreach (var e in entries)
        {
            if (e.Address == address)
            {
                return e.Card?.Name;
            }
        }

        return null;
    }

    private static async Task<RegionStats> StatsAsync(ActorSystem system, string region, IReadOnlyList<DirectoryEntry> entries,
        CancellationToken ct)
    {
        var stats = await ClusterSharding.Get(system).ShardRegion(region)
            .Ask<ClusterShardingStats>(new GetClusterShardingStats(QueryTimeout), QueryTimeout + QueryTimeout, ct);
        var members = new List<RegionMemberStats>(stats.Regions.Count);
        var totalShards = 0;
        var totalEntities = 0;
        foreach (var (address, regionStats) in stats.Regions)
        {
            var entities = 0;
            foreach (var count in regionStats.Stats.Values)
            {
                entities += count;
            }

            totalShards += regionStats.Stats.Count;
            totalEntities += entities;
            var global = Global(system, address);
            members.Add(new RegionMemberStats(global, NodeNameOf(entries, global), regionStats.Stats.Count, entities));
        }

        members.Sort((a, b) => string.CompareOrdinal(a.Address, b.Address));
        var failed = new List<string>();
        foreach (var (address, regionStats) in stats.Regions)
        {
            if (regionStats.Failed.Count > 0)
            {
                failed.Add(Global(system, address));
            }
        }

        return new RegionStats(region, totalShards, totalEntities, members, failed);
    }
}
