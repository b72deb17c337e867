using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Routing.Cluster.Ledger;
using Routing.Cluster.Membership;
using Routing.Node.Configuration;
using Routing.Node.Hosting;
using Routing.Node.Metrics;

namespace Routing.Node.Admin;

/// <summary>
/// The admin HTTP API (JSON; all routes need the bearer token, see <see cref="BearerTokenAuth"/>):
/// <list type="bullet">
/// <item><c>GET /api/cluster</c> members, roles, status, leader, reachability (<see cref="ClusterStateView"/>)</item>
/// <item><c>GET /api/health</c> liveness + readiness with reasons; 200 when ready, 503 when not</item>
/// <item><c>GET /api/health/live</c> 200 while the ActorSystem runs; <c>GET /api/health/ready</c> 200/503</item>
/// <item><c>GET /api/node</c> identity, listeners, start history from the node ledger</item>
/// <item><c>GET /metrics</c> Prometheus text format</item>
/// </list>
/// </summary>
public static class AdminEndpoints
{
    private static readonly TimeSpan LedgerTimeout = TimeSpan.FromSeconds(5);

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/cluster", (ActorSystem system) =>
            Results.Ok(ClusterStateView.From(Akka.Cluster.Cluster.Get(system))));

        app.MapGet("/api/health", async (NodeHealth health, CancellationToken ct) =>
        {
            var h = await health.CheckAsync(ct);
            return Results.Json(h, statusCode: h.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/api/health/live", async (NodeHealth health, CancellationToken ct) =>
        {
            var h = await health.CheckAsync(ct);
            return Results.Json(new { live = h.Live }, statusCode: h.Live ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/api/health/ready", async (NodeHealth health, CancellationToken ct) =>
        {
            var h = await health.CheckAsync(ct);
            return Results.Json(new { ready = h.Ready, reasons = h.Reasons },
                statusCode: h.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/api/node", async (IServiceProvider sp, CancellationToken ct) =>
        {
            var options = sp.GetRequiredService<NodeOptions>();
            var identity = sp.GetRequiredService<NodeIdentity>();
            var runtime = sp.GetRequiredService<NodeRuntime>();
            var system = sp.GetRequiredService<ActorSystem>();
            var registry = sp.GetRequiredService<ActorRegistry>();
            var time = sp.GetRequiredService<TimeProvider>();
            NodeLedgerResult ledger;
            try
            {
                var actor = await registry.GetAsync<NodeLedgerActor>(ct);
                ledger = await actor.Ask<NodeLedgerResult>(GetNodeLedger.Instance, LedgerTimeout, ct);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return Results.Json(new ErrorResponse("journal-unavailable", "the node ledger did not answer in time; the journal may be down"),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var listeners = new List<ListenerInfo>(options.Sip.Listen.Count);
            foreach (var l in options.Sip.Listen)
            {
                listeners.Add(new ListenerInfo(l.Transport.ToString().ToLowerInvariant(), l.EndPoint.ToString()));
            }

            return Results.Ok(new NodeInfoResponse(
                identity.NodeId,
                identity.Version,
                Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(),
                options.Membership.Roles,
                runtime.StartedAt,
                (time.GetUtcNow() - runtime.StartedAt).TotalSeconds,
                runtime.Incarnation,
                ledger.StartCount,
                ledger.Starts,
                listeners,
                options.Sip.Domains,
                options.Admin.Url,
                identity.DataDirectory,
                options.Storage.Journal.ToString().ToLowerInvariant(),
                options.Auth.Mode.ToString().ToLowerInvariant()));
        });

        app.MapGet("/metrics", (PrometheusExporter exporter) =>
            Results.Text(exporter.Render(), PrometheusExporter.ContentType));
    }
}
