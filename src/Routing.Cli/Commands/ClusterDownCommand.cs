namespace Routing.Cli.Commands;

/// <summary><c>routectl cluster down NODE</c>: marks the member down at once (for a crashed member; no hand-off).</summary>
public sealed class ClusterDownCommand : IArgumentVerb
{
    public string Group => "cluster";

    public string Name => "down";

    public string Summary => "marks the member down at once (for a crashed member; no hand-off)";

    public int MinArguments => 1;

    public int MaxArguments => 1;

    public string Usage => "NODE (name, node id or cluster address)";

    public Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClusterOperation.RunAsync(context, "/api/cluster/down?node=" + Uri.EscapeDataString(context.Arguments[0]), cancellationToken);
    }
}
