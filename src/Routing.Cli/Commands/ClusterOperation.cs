using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary>Shared by the verbs that POST one operation and print the node's <c>ClusterOperationResult</c>.</summary>
internal static class ClusterOperation
{
    public static async Task<int> RunAsync(VerbContext context, string path, CancellationToken cancellationToken)
    {
        var response = await context.Client.PostAsync(path, cancellationToken).ConfigureAwait(false);
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
        var operation = NodeReplies.Text(root, "operation");
        var addresses = NodeReplies.Joined(root, "addresses");
        var node = NodeReplies.Text(root, "node");
        if (addresses.Length == 0)
        {
            context.Out.WriteLine($"{operation}: nothing to do");
        }
        else if (NodeReplies.Flag(root, "alreadyRunning"))
        {
            context.Out.WriteLine($"{operation}: already running on {(node.Length > 0 ? node + " " : string.Empty)}({addresses})");
        }
        else
        {
            context.Out.WriteLine($"{operation}: requested for {(node.Length > 0 ? node + " " : string.Empty)}({addresses})");
        }

        return ExitCodes.Ok;
    }
}
