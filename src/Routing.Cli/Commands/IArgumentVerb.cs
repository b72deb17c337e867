namespace Routing.Cli.Commands;

/// <summary>A verb that takes positional arguments or options of its own after its name (e.g. <c>node drain NODE</c>).</summary>
public interface IArgumentVerb : IVerb
{
    int MinArguments { get; }

    /// <summary>Words after the verb, counting an option and its value as two.</summary>
    int MaxArguments { get; }

    /// <summary>What follows the verb, e.g. <c>NODE [--wait SECONDS]</c>.</summary>
    string Usage { get; }
}
