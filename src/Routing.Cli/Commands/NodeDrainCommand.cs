using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary>
/// <c>routectl node drain NODE [--wait SECONDS]</c>: the member turns unready, its edge stops taking new transactions
/// and closes its flows, its shards hand off, it leaves and exits 0. Any member can be asked. With <c>--wait</c>,
/// returns once the member is gone from the cluster (exit 1 if it is still there after SECONDS).
/// </summary>
public sealed class NodeDrainCommand : IArgumentVerb
{
    private static readonly string[] Known = ["--wait"];

    public string Group => "node";

    public string Name => "drain";

    public string Summary => "drain NODE: unready, stop SIP, hand off shards, leave, exit 0 (--wait SECONDS)";

    public int MinArguments => 1;

    public int MaxArguments => 3;

    public string Usage => "NODE [--wait SECONDS]";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var error = VerbArguments.TryParse(context.Arguments, Known, out var args);
        TimeSpan? wait = null;
        error ??= args.Seconds("--wait", out wait);
        if (error is not null || args.Positional.Count != 1)
        {
            await context.Error.WriteLineAsync("routectl: " + (error ?? $"usage: routectl node drain {Usage}"));
            return ExitCodes.Usage;
        }

        var response = await context.Client.PostAsync("/api/nodes/drain?node=" + Uri.EscapeDataString(args.Positional[0]), cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return NodeReplies.Failure(context, response);
        }

        string address;
        using (var json = response.TryJson())
        {
            if (json is null || json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return NodeReplies.Failure(context, response);
            }

            address = NodeReplies.Joined(json.RootElement, "addresses");
            if (context.Options.Json)
            {
                NodeReplies.WriteJson(context, response);
            }
            else
            {
                var node = NodeReplies.Text(json.RootElement, "node");
                context.Out.WriteLine(NodeReplies.Flag(json.RootElement, "alreadyRunning")
                    ? $"drain already running on {node} ({address})"
                    : $"drain started on {node} ({address})");
            }
        }

        if (wait is not { } limit)
        {
            return ExitCodes.Ok;
        }

        return await WaitGoneAsync(context, address, limit, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> WaitGoneAsync(VerbContext context, string address, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(limit);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await poll.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                AdminResponse nodes;
                try
                {
                    nodes = await context.Client.GetAsync("/api/nodes", stop.Token).ConfigureAwait(false);
                }
                catch (NodeUnreachableException)
                {
                    // The asked node was the drained one and has exited.
                    context.Error.WriteLine($"routectl: {address} left the cluster");
                    return ExitCodes.Ok;
                }

                if (nodes.IsSuccess && !StillMember(nodes, address))
                {
                    context.Error.WriteLine($"routectl: {address} left the cluster");
                    return ExitCodes.Ok;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // --wait elapsed.
        }

        context.Error.WriteLine($"routectl: {address} is still a member after {limit.TotalSeconds:0} s");
        return ExitCodes.NodeFailure;
    }

    private static bool StillMember(AdminResponse nodes, string address)
    {
        using var json = nodes.TryJson();
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Array)
        {
            return true;
        }

        foreach (var n in json.RootElement.EnumerateArray())
        {
            if (NodeReplies.Text(n, "address") == address && NodeReplies.Text(n, "status") != "Removed")
            {
                return true;
            }
        }

        return false;
    }
}
