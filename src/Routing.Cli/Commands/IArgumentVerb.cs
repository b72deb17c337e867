namespace Routing.Cli.Commands;

/// <summary>
/// A verb that requires arguments after its name (e.g. <c>node drain NODE</c>); <see cref="IVerb.MaxArguments"/> counts an
/// option and its value as two words.
/// </summary>
public interface IArgumentVerb : IVerb
{
    int MinArguments { get; }

    /// <summary>What follows the verb, e.g. <c>NODE [--wait SECONDS]</c>.</summary>
    string Usage { get; }
}
