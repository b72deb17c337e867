using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Routing.Node.Admin;

/// <summary>One member in <c>GET /api/nodes</c>: membership plus what the member said about itself.</summary>
public sealed record NodeListEntry(
    string? Name,
    string Address,
    string Status,
    bool Reachable,
    IReadOnlyList<string> Roles,
    string AppVersion,
    string? Admin,
    IReadOnlyList<string> Sip,
    int? Pid,
    string? Version,
    DateTimeOffset? StartedAt,
    string? Journal,
    bool Draining,
    bool Answered);

/// <summary>Answer of the leave/down/drain operations: what was asked of which member.</summary>
public sealed record ClusterOperationResult(string Operation, IReadOnlyList<string> Addresses, string? Node, bool AlreadyRunning);

/// <summary>
/// Cluster operations for <c>routectl</c>; any member answers for the whole cluster:
/// <list type="bullet">
/// <item><c>GET /api/nodes</c> every member with name, admin URL, SIP listeners, pid (asked over Akka)</item>
/// <item><c>POST /api/node/drain</c> drain this node; <c>POST /api/nodes/drain?node=NODE</c> drain any member</item>
/// <item><c>POST /api/cluster/leave?node=NODE</c>, <c>POST /api/cluster/down?node=NODE</c>, <c>POST /api/cluster/down-unreachable</c></item>
/// <item><c>GET /api/cluster/events</c> membership events as they happen (newline-delimited JSON)</item>
/// </list>
/// NODE is a name from <c>.cluster/nodes.json</c>/<c>GET /api/nodes</c>, a node id, a cluster address or its <c>host:port</c>.
/// </summary>
public static class ClusterOperationEndpoints
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/nodes", async (NodeDirectory directory, CancellationToken ct) =>
        {
            var entries = await directory.CollectAsync(ct);
            var list = new List<NodeListEntry>(entries.Count);
            foreach (var e in entries)
            {
                var c = e.Card;
                list.Add(new NodeListEntry(c?.Name, e.Address, e.Status, e.Reachable, e.Roles, e.AppVersion, c?.Admin, c?.Sip ?? [], c?.Pid,
                    c?.Version, c?.StartedAt, c?.Journal, c?.Draining ?? false, c is not null));
            }

            return Results.Ok(list);
        });

        app.MapPost("/api/node/drain", (NodeDrain drain, NodeDirectory directory) =>
        {
            var self = directory.SelfCard();
            var started = drain.Start("admin API");
            return Results.Json(new ClusterOperationResult("drain", [self.Address], self.Name, !started), statusCode: StatusCodes.Status202Accepted);
        });

        app.MapPost("/api/nodes/drain", async (string? node, NodeDirectory directory, NodeDrain drain, ActorSystem system, CancellationToken ct) =>
        {
            var (entry, problem) = await FindAsync(directory, node, ct);
            if (entry is null)
            {
                return problem!;
            }

            var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
            if (entry.Address == self.ToString())
            {
                var started = drain.Start("admin API");
                return Results.Json(new ClusterOperationResult("drain", [entry.Address], entry.Card?.Name, !started),
                    statusCode: StatusCodes.Status202Accepted);
            }

            if (!entry.Reachable)
            {
                return Results.Conflict(new ErrorResponse("unreachable",
                    $"{entry.Address} is unreachable and cannot drain itself; use routectl cluster down"));
            }

            try
            {
                var accepted = await directory.RequestDrainAsync(Address.Parse(entry.Address), "member " + self, ct);
                return Results.Json(new ClusterOperationResult("drain", [accepted.Address], accepted.Name, accepted.AlreadyDraining),
                    statusCode: StatusCodes.Status202Accepted);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return Results.Json(new ErrorResponse("no-answer", $"{entry.Address} did not accept the drain within {NodeDirectory.AskTimeout.TotalSeconds:0} s"),
                    statusCode: StatusCodes.Status504GatewayTimeout);
            }
        });

        app.MapPost("/api/cluster/leave", async (string? node, NodeDirectory directory, ActorSystem system, CancellationToken ct) =>
        {
            var (entry, problem) = await FindAsync(directory, node, ct);
            if (entry is null)
            {
                return problem!;
            }

            Akka.Cluster.Cluster.Get(system).Leave(Address.Parse(entry.Address));
            return Results.Json(new ClusterOperationResult("leave", [entry.Address], entry.Card?.Name, false), statusCode: StatusCodes.Status202Accepted);
        });

        app.MapPost("/api/cluster/down", async (string? node, NodeDirectory directory, ActorSystem system, CancellationToken ct) =>
        {
            var (entry, problem) = await FindAsync(directory, node, ct);
            if (entry is null)
            {
                return problem!;
            }

            Akka.Cluster.Cluster.Get(system).Down(Address.Parse(entry.Address));
            return Results.Json(new ClusterOperationResult("down", [entry.Address], entry.Card?.Name, false), statusCode: StatusCodes.Status202Accepted);
        });

        app.MapPost("/api/cluster/down-unreachable", (ActorSystem system) =>
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var downed = new List<string>();
            foreach (var m in cluster.State.Unreachable)
            {
                cluster.Down(m.Address);
                downed.Add(m.Address.ToString());
            }

            downed.Sort(StringComparer.Ordinal);
            return Results.Json(new ClusterOperationResult("down-unreachable", downed, null, false), statusCode: StatusCodes.Status202Accepted);
        });

        app.MapGet("/api/cluster/events", (HttpContext context, ActorSystem system, TimeProvider time) =>
            ClusterEventStream.WriteAsync(context, system, time));
    }

    private static async Task<(DirectoryEntry? Entry, IResult? Problem)> FindAsync(NodeDirectory directory, string? node, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(node))
        {
            return (null, Results.BadRequest(new ErrorResponse("missing-node", "pass ?node=NAME or ?node=akka.tcp://routing@HOST:PORT")));
        }

        var entry = NodeDirectory.Resolve(await directory.CollectAsync(ct), node);
        return entry is null
            ? (null, Results.NotFound(new ErrorResponse("unknown-node", $"no member is called '{node}'; see routectl cluster show")))
            : (entry, null);
    }
}

/// <summary>The wiring NodeHost calls: services, the directory actor, the serializer and the routes above.</summary>
public static class ClusterOperations
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<NodeDrain>();
        services.AddSingleton<NodeDirectory>();
    }

    public static void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithCustomSerializer(AdminWireSerializer.Name, [typeof(IAdminWire)], s => new AdminWireSerializer(s))
            .WithActors((system, _) =>
            {
                var directory = services.GetRequiredService<NodeDirectory>();
                var drain = services.GetRequiredService<NodeDrain>();
                system.ActorOf(NodeDirectoryActor.Props(directory.SelfCard, drain), NodeDirectoryActor.ActorName);
            });
    }

    public static void Map(WebApplication app)
    {
        ClusterOperationEndpoints.Map(app);
        ShardEndpoints.Map(app);
    }
}
