namespace Routing.Node.Tests.EndToEnd;

/// <summary>Tests that start node processes run one at a time: they share the machine's two cores and its ports.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "node-processes";
}
