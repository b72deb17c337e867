using Akka.Actor;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Routing.Node.Configuration;
using Routing.Node.Hosting;

namespace Routing.Node.Admin;

/// <summary>
/// Lives at <c>/user/node-directory</c> on every node: tells other members this node's <see cref="NodeCard"/> and
/// accepts drain requests from them. Asking any one node therefore gives cluster-wide answers without that node
/// holding other nodes' admin tokens.
/// </summary>
public sealed class NodeDirectoryActor : ReceiveActor
{
    public const string ActorName = "node-directory";

    public NodeDirectoryActor(Func<NodeCard> card, NodeDrain drain)
    {
        Receive<DescribeNode>(_ => Sender.Tell(card()));
        Receive<DrainNodeRequest>(r =>
        {
            var started = drain.Start(r.RequestedBy);
            var c = card();
            Sender.Tell(new DrainNodeAccepted(c.Name, c.Address, !started));
        });
    }

    public static Props Props(Func<NodeCard> card, NodeDrain drain) =>
        Akka.Actor.Props.Create(() => new NodeDirectoryActor(card, drain));
}

/// <summary>One member as the directory sees it: its membership and, when it answered, its card.</summary>
public sealed record DirectoryEntry(
    string Address,
    string Status,
    bool Reachable,
    IReadOnlyList<string> Roles,
    string AppVersion,
    NodeCard? Card);

/// <summary>Collects every member's <see cref="NodeCard"/> and resolves operator node names.</summary>
public sealed class NodeDirectory
{
    /// <summary>How long one member may take to describe itself.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    private readonly IServiceProvider _services;

    public NodeDirectory(IServiceProvider services) => _services = services;

    private ActorSystem System => _services.GetRequiredService<ActorSystem>();

    /// <summary>This node's card, built from its options and runtime facts.</summary>
    public NodeCard SelfCard()
    {
        var options = _services.GetRequiredService<NodeOptions>();
        var identity = _services.GetRequiredService<NodeIdentity>();
        var runtime = _services.GetRequiredService<NodeRuntime>();
        var drain = _services.GetRequiredService<NodeDrain>();
        var sip = new List<string>(options.Sip.Listen.Count);
        foreach (var l in options.Sip.Listen)
        {
            sip.Add(l.ToString());
        }

        return new NodeCard(
            NameOf(options, identity),
            identity.NodeId,
            Akka.Cluster.Cluster.Get(System).SelfAddress.ToString(),
            options.Admin.Url,
            sip,
            Environment.ProcessId,
            identity.Version,
            options.Membership.Roles,
            runtime.StartedAt,
            options.Storage.Journal.ToString().ToLowerInvariant(),
            drain.Draining);
    }

    /// <summary><c>routing.node.name</c> from the config file, else the node id.</summary>
    public static string NameOf(NodeOptions options, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(identity);
        const string key = "routing.node.name";
        if (options.ConfigFile is { } file && file.HasPath(key))
        {
            var name = file.GetString(key);
            if (!string.IsNullOrWhiteSpace(name))
            {
                return name.Trim();
            }
        }

        return identity.NodeId;
    }

    /// <summary>Every member (not yet removed), ordered by address, with the card of each member that answered in time.</summary>
    public async Task<IReadOnlyList<DirectoryEntry>> CollectAsync(CancellationToken cancellationToken)
    {
        var system = System;
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var unreachable = new HashSet<Address>();
        foreach (var m in state.Unreachable)
        {
            unreachable.Add(m.Address);
        }

        var members = new List<Member>(state.Members);
        members.Sort((a, b) => string.CompareOrdinal(a.Address.ToString(), b.Address.ToString()));
        var asks = new Task<NodeCard?>[members.Count];
        for (var i = 0; i < members.Count; i++)
        {
            asks[i] = members[i].Address.Equals(cluster.SelfAddress)
                ? Task.FromResult<NodeCard?>(SelfCard())
                : unreachable.Contains(members[i].Address)
                    ? Task.FromResult<NodeCard?>(null)
                    : DescribeAsync(system, members[i].Address, cancellationToken);
        }

        await Task.WhenAll(asks).ConfigureAwait(false);
        var entries = new List<DirectoryEntry>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i];
            var roles = new List<string>(m.Roles);
            roles.Sort(StringComparer.Ordinal);
            entries.Add(new DirectoryEntry(m.Address.ToString(), m.Status.ToString(), !unreachable.Contains(m.Address), roles,
                m.AppVersion.ToString(), asks[i].Result));
        }

        return entries;
    }

    /// <summary>
    /// Finds the member an operator means by <paramref name="node"/>: its name, node id, full cluster address, or
    /// <c>host:port</c> of the cluster address. Null when no member matches.
    /// </summary>
    public static DirectoryEntry? Resolve(IReadOnlyList<DirectoryEntry> entries, string node)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrEmpty(node);
        foreach (var e in entries)
        {
            if (string.Equals(e.Address, node, StringComparison.Ordinal)
                || e.Address.EndsWith("@" + node, StringComparison.Ordinal)
                || (e.Card is { } c && (string.Equals(c.Name, node, StringComparison.Ordinal) || string.Equals(c.NodeId, node, StringComparison.Ordinal))))
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>Sends a drain request to the member at <paramref name="address"/> and waits for its acceptance.</summary>
    public async Task<DrainNodeAccepted> RequestDrainAsync(Address address, string requestedBy, CancellationToken cancellationToken)
    {
        var selection = System.ActorSelection(new RootActorPath(address) / "user" / NodeDirectoryActor.ActorName);
        return await selection.Ask<DrainNodeAccepted>(new DrainNodeRequest(requestedBy), AskTimeout, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<NodeCard?> DescribeAsync(ActorSystem system, Address address, CancellationToken cancellationToken)
    {
        try
        {
            var selection = system.ActorSelection(new RootActorPath(address) / "user" / NodeDirectoryActor.ActorName);
            return await selection.Ask<NodeCard>(DescribeNode.Instance, AskTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
    }
}
