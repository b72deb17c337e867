using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Http;

namespace Routing.Node.Admin;

/// <summary>One line of <c>GET /api/cluster/events</c> (newline-delimited JSON).</summary>
/// <param name="Event">
/// <c>Current</c> for each member at the start of the stream, then the Akka event name: <c>MemberJoined</c>,
/// <c>MemberUp</c>, <c>MemberLeft</c>, <c>MemberExited</c>, <c>MemberDowned</c>, <c>MemberRemoved</c>,
/// <c>UnreachableMember</c>, <c>ReachableMember</c>, <c>LeaderChanged</c>.
/// </param>
public sealed record ClusterEventLine(DateTimeOffset Time, string Event, string? Address, string? Status, IReadOnlyList<string> Roles,
    string? PreviousStatus);

/// <summary>
/// Streams membership and reachability events as they happen (<c>routectl cluster tail</c>): a short-lived actor per
/// HTTP request subscribes to the cluster's event bus and hands each event to the response through a bounded channel.
/// </summary>
public static class ClusterEventStream
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task WriteAsync(HttpContext context, ActorSystem system, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(system);
        var channel = Channel.CreateBounded<ClusterEventLine>(new BoundedChannelOptions(1024)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var forwarder = system.ActorOf(Props.Create(() => new Forwarder(channel.Writer, time)));
        var ct = context.RequestAborted;
        context.Response.ContentType = "application/x-ndjson";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await context.Response.StartAsync(ct);
            await foreach (var line in channel.Reader.ReadAllAsync(ct))
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(line, Json) + "\n", ct);
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The operator ended the tail.
        }
        finally
        {
            forwarder.Tell(PoisonPill.Instance);
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        private readonly ChannelWriter<ClusterEventLine> _out;
        private readonly TimeProvider _time;

        public Forwarder(ChannelWriter<ClusterEventLine> output, TimeProvider time)
        {
            _out = output;
            _time = time;
            Receive<ClusterEvent.CurrentClusterState>(s =>
            {
                foreach (var m in s.Members)
                {
                    Emit("Current", m, null);
                }

                foreach (var m in s.Unreachable)
                {
                    Emit("UnreachableMember", m, null);
                }
            });
            Receive<ClusterEvent.MemberStatusChange>(e => Emit(e.GetType().Name, e.Member, null));
            Receive<ClusterEvent.MemberRemoved>(e => Emit("MemberRemoved", e.Member, e.PreviousStatus.ToString()));
            Receive<ClusterEvent.ReachabilityEvent>(e => Emit(e.GetType().Name, e.Member, null));
            Receive<ClusterEvent.LeaderChanged>(e =>
                _out.TryWrite(new ClusterEventLine(_time.GetUtcNow(), "LeaderChanged", e.Leader?.ToString(), null, [], null)));
        }

        protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

        protected override void PostStop()
        {
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
            _out.TryComplete();
        }

        private void Emit(string name, Member m, string? previous)
        {
            var roles = new List<string>(m.Roles);
            roles.Sort(StringComparer.Ordinal);
            _out.TryWrite(new ClusterEventLine(_time.GetUtcNow(), name, m.Address.ToString(), m.Status.ToString(), roles, previous));
        }
    }
}
