using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary>
/// <c>routectl shard locate AOR|CALL-ID [--region R]</c>: which member owns the entity's shard. A <c>sip:</c>,
/// <c>sips:</c> or <c>tel:</c> URI is looked up in the <c>user</c> region, anything else in <c>dialog</c>.
/// </summary>
public sealed class ShardLocateCommand : IArgumentVerb
{
    private static readonly string[] Known = ["--region"];

    public string Group => "shard";

    public string Name => "locate";

    public string Summary => "which member owns an AOR (user region) or a Call-ID (dialog region)";

    public int MinArguments => 1;

    public int MaxArguments => 3;

    public string Usage => "AOR|CALL-ID [--region REGION]";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var error = VerbArguments.TryParse(context.Arguments, Known, out var args);
        if (error is not null || args.Positional.Count != 1)
        {
            await context.Error.WriteLineAsync("routectl: " + (error ?? $"usage: routectl shard locate {Usage}"));
            return ExitCodes.Usage;
        }

        var path = "/api/shards/locate?key=" + Uri.EscapeDataString(args.Positional[0]);
        if (args.Option("--region") is { } region)
        {
            path += "&region=" + Uri.EscapeDataString(region);
        }

        var response = await context.Client.GetAsync(path, cancellationToken).ConfigureAwait(false);
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
        var address = NodeReplies.Text(root, "address");
        var table = new TextTable("KEY", "REGION", "SHARD", "NODE", "ADDRESS", "RUNNING");
        table.Add(NodeReplies.Text(root, "entityId"), NodeReplies.Text(root, "region"), NodeReplies.Text(root, "shardId"),
            NodeReplies.Text(root, "node") is { Length: > 0 } n ? n : address.Length == 0 ? "(not allocated)" : "?",
            address, root.TryGetProperty("entityRunning", out var running) && running.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? (running.GetBoolean() ? "yes" : "no")
                : "(ask that node)");
        table.Write(context.Out);
        return ExitCodes.Ok;
    }
}
