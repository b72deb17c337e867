namespace Routing.Cli.Commands;

/// <summary><c>routectl cluster down-unreachable</c>: downs every member the asked node sees as unreachable.</summary>
public sealed class ClusterDownUnreachableCommand : IVerb
{
    public string Group => "cluster";

    public string Name => "down-unreachable";

    public string Summary => "down every unreachable member";

    public Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClusterOperation.RunAsync(context, "/api/cluster/down-unreachable", cancellationToken);
    }
}
