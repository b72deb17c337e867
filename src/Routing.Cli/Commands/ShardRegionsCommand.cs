using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary><c>routectl shard regions</c>: every shard region with cluster-wide shard and entity totals.</summary>
public sealed class ShardRegionsCommand : IVerb
{
    public string Group => "shard";

    public string Name => "regions";

    public string Summary => "shard regions with shards, entities and members hosting them";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = await context.Client.GetAsync("/api/shards", cancellationToken).ConfigureAwait(false);
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
        if (json is null || !json.RootElement.TryGetProperty("regions", out var regions) || regions.ValueKind != JsonValueKind.Array)
        {
            return NodeReplies.Failure(context, response);
        }

        var table = new TextTable("REGION", "SHARDS", "ENTITIES", "MEMBERS", "NOT ANSWERING");
        foreach (var r in regions.EnumerateArray())
        {
            var members = r.TryGetProperty("members", out var m) && m.ValueKind == JsonValueKind.Array ? m.GetArrayLength() : 0;
            table.Add(NodeReplies.Text(r, "region"), NodeReplies.Text(r, "shards"), NodeReplies.Text(r, "entities"),
                members.ToString(System.Globalization.CultureInfo.InvariantCulture), NodeReplies.Joined(r, "failedMembers"));
        }

        table.Write(context.Out);
        return ExitCodes.Ok;
    }
}
