namespace Routing.Cli.Commands;

/// <summary><c>routectl cluster leave NODE</c>: the member leaves gracefully (hands off its shards, then exits).</summary>
public sealed class ClusterLeaveCommand : IArgumentVerb
{
    public string Group => "cluster";

    public string Name => "leave";

    public string Summary => "the member leaves gracefully (hands off its shards, then exits)";

    public int MinArguments => 1;

    public int MaxArguments => 1;

    public string Usage => "NODE (name, node id or cluster address)";

    public Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClusterOperation.RunAsync(context, "/api/cluster/leave?node=" + Uri.EscapeDataString(context.Arguments[0]), cancellationToken);
    }
}
