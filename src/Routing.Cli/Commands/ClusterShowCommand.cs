using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary><c>routectl cluster show</c>: members with roles, status, reachability, the leader.</summary>
public sealed class ClusterShowCommand : IVerb
{
    public string Group => "cluster";

    public string Name => "show";

    public string Summary => "members, roles, status, leader and reachability";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = await context.Client.GetAsync("/api/cluster", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return NodeReplies.Failure(context, response);
        }

        if (context.Options.Json)
        {
            NodeReplies.WriteJson(context, response);
            return ExitCodes.Ok;
        }

        using var json = response.TryJson();
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Object)
        {
            context.Error.WriteLine("routectl: the node's answer is not the expected JSON object");
            return ExitCodes.NodeFailure;
        }

        var root = json.RootElement;
        var leader = NodeReplies.Text(root, "leader");
        context.Out.WriteLine($"Cluster seen from {NodeReplies.Text(root, "self")}; leader: {(leader.Length == 0 ? "(none)" : leader)}");
        var names = await NamesAsync(context, cancellationToken).ConfigureAwait(false);
        var table = new TextTable("NAME", "ADDRESS", "STATUS", "ROLES", "REACHABLE", "LEADER", "VERSION");
        if (root.TryGetProperty("members", out var members) && members.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in members.EnumerateArray())
            {
                table.Add(
                    names.TryGetValue(NodeReplies.Text(m, "address"), out var name) ? name : "?",
                    NodeReplies.Text(m, "address") + (NodeReplies.Flag(m, "self") ? " (self)" : string.Empty),
                    NodeReplies.Text(m, "status"),
                    NodeReplies.Joined(m, "roles"),
                    NodeReplies.Flag(m, "reachable") ? "yes" : "NO",
                    NodeReplies.Flag(m, "leader") ? "*" : string.Empty,
                    NodeReplies.Text(m, "appVersion"));
            }
        }

        table.Write(context.Out);
        var unreachable = NodeReplies.Joined(root, "unreachable");
        if (unreachable.Length > 0)
        {
            context.Out.WriteLine("Unreachable: " + unreachable);
        }

        return ExitCodes.Ok;
    }

    /// <summary>Member names from <c>GET /api/nodes</c>; empty when the node does not serve it.</summary>
    private static async Task<Dictionary<string, string>> NamesAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var response = await context.Client.GetAsync("/api/nodes", cancellationToken).ConfigureAwait(false);
        using var json = response.IsSuccess ? response.TryJson() : null;
        if (json is not null && json.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var n in json.RootElement.EnumerateArray())
            {
                if (NodeReplies.Text(n, "name") is { Length: > 0 } name)
                {
                    names[NodeReplies.Text(n, "address")] = name;
                }
            }
        }

        return names;
    }
}
