namespace Routing.Cli.Commands;

/// <summary><c>routectl cluster leave NODE</c>: Akka-level leave; the member hands off its shards and its process then exits 0, like a drain.</summary>
public sealed class ClusterLeaveCommand : IArgumentVerb
{
    public string Group => "cluster";

    public string Name => "leave";

    public string Summary => "the member leaves (hands off its shards; its process then exits 0, as after node drain)";

    public int MinArguments => 1;

    public int MaxArguments => 1;

    public string Usage => "NODE (name, node id or cluster address)";

    public Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClusterOperation.RunAsync(context, "/api/cluster/leave?node=" + Uri.EscapeDataString(context.Arguments[0]), cancellationToken);
    }
}
