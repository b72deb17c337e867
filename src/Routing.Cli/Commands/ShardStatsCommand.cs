using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary><c>routectl shard stats REGION</c>: shards and entities of one region per member.</summary>
public sealed class ShardStatsCommand : IArgumentVerb
{
    public string Group => "shard";

    public string Name => "stats";

    public string Summary => "shards and entities of REGION per member (user, dialog, ...)";

    public int MinArguments => 1;

    public int MaxArguments => 1;

    public string Usage => "REGION";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = await context.Client.GetAsync("/api/shards/" + Uri.EscapeDataString(context.Arguments[0]), cancellationToken)
            .ConfigureAwait(false);
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
            return NodeReplies.Failure(context, response);
        }

        var root = json.RootElement;
        context.Out.WriteLine($"Region {NodeReplies.Text(root, "region")}: {NodeReplies.Text(root, "shards")} shards, {NodeReplies.Text(root, "entities")} entities");
        var table = new TextTable("NODE", "ADDRESS", "SHARDS", "ENTITIES");
        if (root.TryGetProperty("members", out var members) && members.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in members.EnumerateArray())
            {
                table.Add(NodeReplies.Text(m, "node") is { Length: > 0 } n ? n : "?", NodeReplies.Text(m, "address"),
                    NodeReplies.Text(m, "shards"), NodeReplies.Text(m, "entities"));
            }
        }

        table.Write(context.Out);
        var failed = NodeReplies.Joined(root, "failedMembers");
        if (failed.Length > 0)
        {
            context.Out.WriteLine("Did not answer in time: " + failed);
        }

        return ExitCodes.Ok;
    }
}
