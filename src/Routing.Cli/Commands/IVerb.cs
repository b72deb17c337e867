namespace Routing.Cli.Commands;

/// <summary>What a verb runs with.</summary>
public sealed record VerbContext(GlobalOptions Options, IReadOnlyList<string> Arguments, TextWriter Out, TextWriter Error, AdminClient Client)
{
    /// <summary>stderr is a terminal (progress may redraw one line); false when redirected or in tests.</summary>
    public bool ErrorIsTerminal { get; init; }
}

/// <summary>One routectl verb (e.g. <c>cluster show</c>); one class each.</summary>
public interface IVerb
{
    string Group { get; }

    string Name { get; }

    string Summary { get; }

    /// <summary>How many words may follow the verb (e.g. <c>user show AOR</c>); default none.</summary>
    int MaxArguments => 0;

    /// <summary>Runs the verb and returns its exit code (<see cref="ExitCodes"/>).</summary>
    Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken);
}
