using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary><c>routectl cluster nodes</c>: every member with its name, admin URL, SIP addresses and pid.</summary>
public sealed class ClusterNodesCommand : IVerb
{
    public string Group => "cluster";

    public string Name => "nodes";

    public string Summary => "members with name, admin URL, SIP addresses, pid, version";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = await context.Client.GetAsync("/api/nodes", cancellationToken).ConfigureAwait(false);
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
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Array)
        {
            return NodeReplies.Failure(context, response);
        }

        var table = new TextTable("NAME", "ADDRESS", "STATUS", "REACHABLE", "ROLES", "VERSION", "ADMIN", "SIP", "PID");
        foreach (var n in json.RootElement.EnumerateArray())
        {
            var status = NodeReplies.Text(n, "status") + (NodeReplies.Flag(n, "draining") ? " (draining)" : string.Empty);
            table.Add(
                NodeReplies.Text(n, "name") is { Length: > 0 } name ? name : "?",
                NodeReplies.Text(n, "address"),
                status,
                NodeReplies.Flag(n, "reachable") ? "yes" : "NO",
                NodeReplies.Joined(n, "roles"),
                NodeReplies.Text(n, "version"),
                NodeReplies.Text(n, "admin"),
                NodeReplies.Joined(n, "sip"),
                NodeReplies.Text(n, "pid"));
        }

        table.Write(context.Out);
        return ExitCodes.Ok;
    }
}
