using System.Net;
using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary><c>routectl node health</c>: liveness and readiness; exit 1 when the node is not ready.</summary>
public sealed class NodeHealthCommand : IVerb
{
    public string Group => "node";

    public string Name => "health";

    public string Summary => "liveness and readiness (exit 1 when not ready)";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = await context.Client.GetAsync("/api/health", cancellationToken).ConfigureAwait(false);
        // 503 is the node saying "not ready" with a full health body; anything else non-2xx is a failure to answer.
        if (!response.IsSuccess && response.Status != HttpStatusCode.ServiceUnavailable)
        {
            return NodeReplies.Failure(context, response);
        }

        using var json = response.TryJson();
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Object)
        {
            return NodeReplies.Failure(context, response);
        }

        var root = json.RootElement;
        var ready = NodeReplies.Flag(root, "ready");
        if (context.Options.Json)
        {
            NodeReplies.WriteJson(context, response);
        }
        else
        {
            var reasons = NodeReplies.Joined(root, "reasons");
            context.Out.WriteLine($"live:     {(NodeReplies.Flag(root, "live") ? "yes" : "no")}");
            context.Out.WriteLine($"ready:    {(ready ? "yes" : "no")}{(reasons.Length > 0 ? " (" + reasons + ")" : string.Empty)}");
            context.Out.WriteLine($"member:   {NodeReplies.Text(root, "memberStatus")}");
            context.Out.WriteLine($"journal:  {NodeReplies.Text(root, "journal")}");
            context.Out.WriteLine($"shutdown: {(NodeReplies.Flag(root, "shuttingDown") ? "in progress" : "no")}");
        }

        return ready ? ExitCodes.Ok : ExitCodes.NodeFailure;
    }
}
